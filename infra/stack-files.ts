/**
 * A team's stack file (`Pulumi.<stack>.yaml`) read the way Pulumi reads it, and checked before anything deploys
 * from it: only keys the program or its providers read, every secret a ciphertext of the file's own secrets
 * provider, and values the program's config reader accepts. Pure: callers hand in the file's text.
 *
 * Ciphertext formats, from pulumi/pulumi's source: the passphrase and cloud-KMS providers write AES-256-GCM values
 * `v1:<base64 12-byte nonce>:<base64 ciphertext+16-byte tag>` (sdk/go/common/resource/config/crypt.go); the
 * passphrase provider keeps `encryptionsalt: v1:<base64 8-byte salt>:<the word "pulumi" encrypted>` in the file
 * (pkg/secrets/passphrase); a KMS provider keeps `secretsprovider: awskms://...` and the data key it wrapped,
 * `encryptedkey` (pkg/secrets/cloud); Pulumi Cloud values are the service's ciphertext in base64, and the file
 * then has none of those three lines (pkg/secrets/service clears them).
 */
import YAML, { isMap, isScalar, isSeq, type Node } from 'yaml';
import { CONFIG_KEYS } from './config-schema';
import { readStackSettings, StackConfigError } from './stack-config';

/** The file name of a stack's config, and the stack a file name belongs to (undefined for other files). */
export const stackFileName = (stack: string): string => `Pulumi.${stack}.yaml`;
export function stackOfFileName(fileName: string): string | undefined {
  return /^Pulumi\.(.+)\.ya?ml$/.exec(fileName)?.[1];
}

/** How a `secure:` value is encrypted, read from its shape. */
export type CiphertextKind =
  /** AES-256-GCM `v1:nonce:ciphertext`: the passphrase provider, or a cloud KMS provider's data key. */
  | 'aes-256-gcm'
  /** Base64 of the Pulumi Cloud service's ciphertext. */
  | 'pulumi-cloud'
  | 'unrecognized';

/** Which secrets provider the file's header lines name. */
export type SecretsProviderKind = 'passphrase' | 'cloud-kms' | 'pulumi-cloud';

/** An ESC `environment:` block: the environments imported, and config an inline definition sets. */
export interface StackEnvironment {
  readonly imports: readonly string[];
  /** `values.pulumiConfig` of an inline definition, as written. */
  readonly pulumiConfig: Readonly<Record<string, unknown>>;
}

/** A parsed stack file. Ciphertexts are classified, never kept. */
export interface StackFile {
  readonly stack: string;
  /** Plain values as the strings Pulumi hands the program: scalars as written, lists and maps as JSON. */
  readonly config: Readonly<Record<string, string>>;
  /** Keys set with `secure:` (or holding `secure:` values inside a list or map), with their ciphertext's kind. */
  readonly secure: Readonly<Record<string, CiphertextKind>>;
  readonly secretsProvider?: string;
  readonly encryptedKey?: string;
  readonly encryptionSalt?: string;
  readonly environment?: StackEnvironment;
  /** Top-level fields Pulumi does not read (a misspelt `encryptionSalt` silently loses the salt). */
  readonly unknownFields: readonly string[];
}

/** The file is not a stack file at all (YAML syntax, duplicate keys, wrong structure). */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackFileError';
  }
}

const FIELDS = ['secretsprovider', 'encryptedkey', 'encryptionsalt', 'config', 'environment'];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of a standard-base64 string, or undefined when it is not one. */
function base64Length(text: string): number | undefined {
  if (text === '' || !BASE64.test(text)) return undefined;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

/** The ciphertext's length in bytes when `text` is `v1:<base64 12-byte nonce>:<base64 ciphertext>` (crypt.go). */
function aesGcmCiphertextBytes(text: string): number | undefined {
  const parts = text.split(':');
  if (parts.length !== 3 || parts[0] !== 'v1' || base64Length(parts[1]) !== 12) return undefined;
  return base64Length(parts[2]);
}

/** The kind of a `secure:` value, from its shape alone. */
export function classifyCiphertext(ciphertext: string): CiphertextKind {
  // GCM appends a 16-byte tag, so even an empty secret has 16 bytes of ciphertext.
  if (ciphertext.startsWith('v1:'))
    return (aesGcmCiphertextBytes(ciphertext) ?? 0) >= 16 ? 'aes-256-gcm' : 'unrecognized';
  // The service's ciphertext is opaque to the CLI; anything shorter than a GCM tag cannot be one.
  const bytes = base64Length(ciphertext);
  return bytes !== undefined && bytes >= 16 ? 'pulumi-cloud' : 'unrecognized';
}

/**
 * Whether `salt` is a passphrase state as Pulumi writes it: an 8-byte salt, then "pulumi" encrypted with the key
 * derived from it (6 bytes of text plus the 16-byte tag), which is how Pulumi checks a passphrase.
 */
export function isPassphraseSalt(salt: string): boolean {
  const match = /^v1:([^:]*):(v1:[^:]*:[^:]*)$/.exec(salt);
  return match !== null && base64Length(match[1]) === 8 && aesGcmCiphertextBytes(match[2]) === 'pulumi'.length + 16;
}

const KMS_SCHEMES = ['awskms', 'azurekeyvault', 'gcpkms', 'hashivault'];

/** The provider the header lines name, or why they name none Pulumi can use. */
function providerKind(file: StackFile): SecretsProviderKind | { readonly problem: string } {
  const provider = file.secretsProvider;
  const scheme = provider && /^([a-z]+):\/\//.exec(provider)?.[1];
  if (file.encryptionSalt !== undefined) {
    if (provider !== undefined && provider !== 'passphrase')
      return { problem: `encryptionsalt (passphrase) and secretsprovider ${provider} cannot both be set` };
    return 'passphrase';
  }
  if (scheme && KMS_SCHEMES.includes(scheme)) {
    if (file.encryptedKey === undefined || base64Length(file.encryptedKey) === undefined)
      return { problem: `secretsprovider ${provider} needs the encryptedkey line it was set up with (base64)` };
    return 'cloud-kms';
  }
  if (provider === undefined || provider === 'default' || provider === 'service') return 'pulumi-cloud';
  if (provider === 'passphrase')
    return { problem: 'secretsprovider passphrase needs the encryptionsalt line its values were encrypted with' };
  return {
    problem: `secretsprovider ${provider} is not one Pulumi knows (passphrase, ${KMS_SCHEMES.join('://, ')}://)`,
  };
}

/** A scalar as Pulumi hands it to the program: the text as written (`1.50` stays "1.50"); null is empty. */
function scalarText(node: Node): string {
  if (!isScalar(node) || node.value === null) return '';
  if (typeof node.value === 'string') return node.value;
  return typeof node.source === 'string' ? node.source : String(node.value);
}

/** JSON with map keys sorted, as Go's encoder writes Pulumi's structured config values. */
function goJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The ciphertext of a `{secure: ...}` map, else undefined. */
function secureValue(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.length === 1 && entries[0][0] === 'secure' && typeof entries[0][1] === 'string'
    ? entries[0][1]
    : undefined;
}

/** Every ciphertext inside a structured value. */
function nestedCiphertexts(value: unknown): string[] {
  const own = secureValue(value);
  if (own !== undefined) return [own];
  if (Array.isArray(value)) return value.flatMap(nestedCiphertexts);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(nestedCiphertexts);
  return [];
}

/** The ESC block: a list of environment names, or an inline definition with `imports` and `values`. */
function readEnvironment(value: unknown, stack: string): StackEnvironment {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { imports: value, pulumiConfig: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new StackFileError(`${stackFileName(stack)}: environment must be a list of environments or a definition`);
  const definition = value as { imports?: unknown; values?: { pulumiConfig?: unknown } };
  const imports = Array.isArray(definition.imports)
    ? definition.imports.map((entry) =>
        typeof entry === 'string' ? entry : Object.keys((entry ?? {}) as Record<string, unknown>)[0],
      )
    : [];
  const pulumiConfig = definition.values?.pulumiConfig;
  return {
    imports: imports.filter((name): name is string => typeof name === 'string'),
    pulumiConfig:
      pulumiConfig !== null && typeof pulumiConfig === 'object' ? (pulumiConfig as Record<string, unknown>) : {},
  };
}

/** Parses a stack file's text. Throws StackFileError when it is not one. */
export function parseStackFile(text: string, stack: string): StackFile {
  const name = stackFileName(stack);
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new StackFileError(`${name}: not valid YAML: ${doc.errors[0].message}`);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null))
    return { stack, config: {}, secure: {}, unknownFields: [] };
  if (!isMap(root)) throw new StackFileError(`${name}: must be a YAML map (config:, encryptionsalt:, ...)`);
  const js = doc.toJS() as { config?: Record<string, unknown>; environment?: unknown };

  const fields = new Map<string, Node | null>();
  for (const pair of root.items) fields.set(String(isScalar(pair.key) ? pair.key.value : pair.key), pair.value as Node);
  const header = (field: string): string | undefined => {
    const node = fields.get(field);
    if (node === undefined || node === null) return undefined;
    if (!isScalar(node)) throw new StackFileError(`${name}: ${field} must be a string`);
    return scalarText(node);
  };

  const config: Record<string, string> = {};
  const secure: Record<string, CiphertextKind> = {};
  const configNode = fields.get('config');
  if (configNode !== undefined && configNode !== null && !(isScalar(configNode) && configNode.value === null)) {
    if (!isMap(configNode)) throw new StackFileError(`${name}: config must be a map of namespace:key to value`);
    for (const pair of configNode.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const node = (pair.value ?? null) as Node | null;
      if (node === null || isScalar(node)) {
        config[key] = node === null ? '' : scalarText(node);
        continue;
      }
      const value = js.config?.[key];
      const ciphertexts = nestedCiphertexts(value);
      if (ciphertexts.length === 0) {
        config[key] = goJson(value);
        continue;
      }
      const kinds = new Set(ciphertexts.map(classifyCiphertext));
      secure[key] = kinds.size === 1 ? [...kinds][0] : 'unrecognized';
    }
  }

  const environmentNode = fields.get('environment');
  const environment =
    environmentNode === undefined || environmentNode === null
      ? undefined
      : readEnvironment(isSeq(environmentNode) || isMap(environmentNode) ? js.environment : null, stack);

  return {
    stack,
    config,
    secure,
    secretsProvider: header('secretsprovider'),
    encryptedKey: header('encryptedkey'),
    encryptionSalt: header('encryptionsalt'),
    environment,
    unknownFields: [...fields.keys()].filter((field) => !FIELDS.includes(field)),
  };
}

/** One finding. Errors fail the file; notes say what must still happen before a deploy. */
export interface StackFileProblem {
  /** keys: unknown or misspelt keys; secrets: plain or undecryptable secrets; values: what the program refuses. */
  readonly check: 'keys' | 'secrets' | 'values';
  readonly severity: 'error' | 'note';
  readonly message: string;
}

/** What the checks need to know besides the file. */
export interface StackFileRules {
  /** The project name (Pulumi.yaml `name`): the namespace of the program's own keys. */
  readonly project: string;
  /**
   * Config keys of the providers the program uses, by namespace (aws: the keys @pulumi/aws reads). Any of them is
   * allowed: a team may need aws:profile or aws:allowedAccountIds; a misspelt one would be silently ignored.
   */
  readonly providerKeys: Readonly<Record<string, readonly string[]>>;
}

/** Keys outside the project and its providers that Pulumi itself reads from stack config. */
const PULUMI_KEYS = ['pulumi:tags'];
/** Provider keys that are credentials: allowed only encrypted (OIDC roles need none of them). */
const PROVIDER_SECRETS = ['aws:accessKey', 'aws:secretKey', 'aws:token'];
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** " (did you mean X?)" for the closest candidate within two edits, ignoring case. */
function suggestion(key: string, candidates: readonly string[]): string {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best ? ` (did you mean ${best.candidate}?)` : '';
}

/** `pulumi config set` takes the project's own keys bare. */
function cliKey(key: string, project: string): string {
  return key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key;
}

/** Checks a parsed stack file: keys, secrets, values. Messages name keys, never a secret's value. */
export function validateStackFile(file: StackFile, rules: StackFileRules): StackFileProblem[] {
  const { project } = rules;
  const { stack } = file;
  const fileName = stackFileName(stack);
  const problems: StackFileProblem[] = [];
  const error = (check: StackFileProblem['check'], message: string) =>
    problems.push({ check, severity: 'error', message });
  const note = (check: StackFileProblem['check'], message: string) =>
    problems.push({ check, severity: 'note', message });
  const setSecret = (key: string) => `pulumi config set --secret ${cliKey(key, project)} --stack ${stack}`;

  // (a) Keys
  const projectKeys = CONFIG_KEYS.map((k) => `${project}:${k.key}`);
  const providerKeys = Object.entries(rules.providerKeys).flatMap(([ns, keys]) => keys.map((k) => `${ns}:${k}`));
  const known = new Set([...projectKeys, ...providerKeys, ...PULUMI_KEYS]);
  for (const field of file.unknownFields)
    error('keys', `${fileName}: ${field} is not a stack file field Pulumi reads${suggestion(field, FIELDS)}`);
  const escConfig = file.environment?.pulumiConfig ?? {};
  for (const key of [...Object.keys(file.config), ...Object.keys(file.secure), ...Object.keys(escConfig)]) {
    if (!key.includes(':')) {
      error('keys', `${key}: config keys are namespace:key (pulumi config set writes ${project}:${key})`);
      continue;
    }
    if (known.has(key)) continue;
    const namespace = key.slice(0, key.indexOf(':'));
    const owner =
      namespace === project
        ? 'a key of the program (infra/config-schema.ts)'
        : namespace in rules.providerKeys
          ? `a config key of the ${namespace} provider`
          : `in a namespace the program reads (${[project, ...Object.keys(rules.providerKeys)].join(', ')})`;
    error('keys', `${key}: not ${owner}${suggestion(key, [...known])}`);
  }

  // (b) Secrets
  const secretKeys = new Set([
    ...CONFIG_KEYS.filter((k) => k.secret).map((k) => `${project}:${k.key}`),
    ...PROVIDER_SECRETS,
  ]);
  const provider = providerKind(file);
  if (typeof provider !== 'string') error('secrets', `${fileName}: ${provider.problem}`);
  if (file.encryptionSalt !== undefined && !isPassphraseSalt(file.encryptionSalt))
    error(
      'secrets',
      `${fileName}: encryptionsalt is not a passphrase state Pulumi writes (v1:<salt>:v1:<nonce>:<ciphertext>); restore it from git history`,
    );
  for (const key of Object.keys(file.config).filter((k) => secretKeys.has(k)))
    error(
      'secrets',
      `${key} is in plain text in ${fileName}: encrypt it with \`${setSecret(key)}\` (it prompts for the value), then rotate it: the plain value stays in git history`,
    );
  for (const [key, value] of Object.entries(escConfig))
    if (secretKeys.has(key) && !(value !== null && typeof value === 'object' && 'fn::secret' in value))
      error(
        'secrets',
        `${key} is in plain text in ${fileName}'s environment block: wrap it in fn::secret or use \`${setSecret(key)}\`, then rotate it`,
      );
  for (const [key, kind] of Object.entries(file.secure)) {
    if (!secretKeys.has(key)) {
      if (known.has(key))
        error(
          'secrets',
          `${key} is encrypted, but the program reads it as plain config and passes it on in plain resource inputs: set it with \`pulumi config set ${cliKey(key, project)} <value> --stack ${stack}\``,
        );
      continue;
    }
    const again = `set it again with \`${setSecret(key)}\``;
    if (kind === 'unrecognized') error('secrets', `${key} is not a ciphertext Pulumi writes: ${again}`);
    else if (kind === 'aes-256-gcm' && provider === 'pulumi-cloud')
      error(
        'secrets',
        `${key} is a passphrase or KMS ciphertext, but ${fileName} has no encryptionsalt (or secretsprovider and encryptedkey), so Pulumi cannot decrypt it: restore the lines it was written with (git history), or ${again}`,
      );
    else if (kind === 'pulumi-cloud' && (provider === 'passphrase' || provider === 'cloud-kms'))
      error(
        'secrets',
        `${key} is a Pulumi Cloud ciphertext, but ${fileName} uses the ${provider} secrets provider: ${again}`,
      );
  }

  // (c) Values, through the program's own config reader
  const imports = file.environment?.imports ?? [];
  const escPlain = Object.fromEntries(
    Object.entries(escConfig)
      .filter(([, v]) => v === null || typeof v !== 'object')
      .map(([k, v]) => [k, v === null ? '' : String(v)]),
  );
  const values: Record<string, string> = { ...escPlain, ...file.config };
  const fromEnvironment = (key: string) =>
    imports.length > 0 && !(key in values) && !(key in file.secure) && !(key in escConfig);
  const secretPresent = (key: string) => `${project}:${key}` in file.secure || `${project}:${key}` in escConfig;
  if (!secretPresent('twilioAuthToken'))
    note(
      'secrets',
      `${project}:twilioAuthToken is not in ${fileName}: set it with \`${setSecret(`${project}:twilioAuthToken`)}\` before deploying${imports.length > 0 ? ' (or from an imported ESC environment)' : ''}`,
    );
  const usesApiKey = (values[`${project}:twilioApiKeySid`] ?? '').trim() !== '';
  if (usesApiKey && !secretPresent('twilioApiKeySecret'))
    note(
      'secrets',
      `${project}:twilioApiKeySecret is not in ${fileName}: set it with \`${setSecret(`${project}:twilioApiKeySecret`)}\` before deploying`,
    );
  try {
    readStackSettings(
      (key) => values[`${project}:${key}`],
      {
        // An absent secret is taken as set: the notes above say to set it; the reader checks the rest around it.
        twilioAuthToken: true,
        twilioApiKeySecret: secretPresent('twilioApiKeySecret') || usesApiKey,
        participantsApiToken: secretPresent('participantsApiToken'),
      },
      project,
      stack,
    );
  } catch (caught) {
    if (!(caught instanceof StackConfigError)) throw caught;
    if (fromEnvironment(caught.key))
      note('values', `${caught.message} (not in ${fileName}: it must come from ${imports.join(', ')})`);
    else error('values', caught.message);
  }
  const region = values['aws:region'];
  if (region === undefined) {
    if (fromEnvironment('aws:region'))
      note('values', `aws:region is not in ${fileName}: it must come from ${imports.join(', ')}`);
    else error('values', `aws:region is required (pulumi config set aws:region us-east-1 --stack ${stack})`);
  } else if (!AWS_REGION.test(region)) {
    error('values', `aws:region must be an AWS region such as us-east-1, got "${region}"`);
  } else {
    const certificateRegion = /^arn:aws[\w-]*:acm:([\w-]+):/.exec(
      values[`${project}:customDomainCertificateArn`] ?? '',
    )?.[1];
    if (certificateRegion !== undefined && certificateRegion !== region)
      error(
        'values',
        `${project}:customDomainCertificateArn is in ${certificateRegion}, the stack in ${region}: a regional API Gateway domain needs its certificate in the stack's region`,
      );
  }
  return problems;
}
