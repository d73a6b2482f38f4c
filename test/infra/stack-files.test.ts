/**
 * The project file and the team's stack files. Pulumi.yaml must match the config table and Pulumi's own project
 * schema; every Pulumi.<stack>.yaml that exists (none, one or many: a team adds stacks and deletes examples) must set
 * only known keys, keep secrets encrypted with its own secrets provider, and hold values the program accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import {
  CONFIG_KEYS,
  configReferenceMarkdown,
  PROVIDER_PROMPTS,
  projectConfigSchema,
  projectTemplate,
} from '../../infra/config-schema';
import {
  classifyCiphertext,
  isPassphraseSalt,
  parseStackFile,
  type StackFileProblem,
  validateStackFile,
} from '../../infra/stack-files';
import {
  newPassphraseProvider,
  type PassphraseProvider,
  passphraseProvider,
  pulumiCloudCiphertext,
  symmetricCrypter,
} from './support/pulumi-secrets';
import { awsProviderKeys, projectFile, REPO_ROOT, stackFiles } from './support/stack-files';

const project = projectFile();
const rules = { project: project.name, providerKeys: { aws: awsProviderKeys() } };
const errors = (problems: StackFileProblem[], check?: StackFileProblem['check']) =>
  problems.filter((p) => p.severity === 'error' && (check === undefined || p.check === check)).map((p) => p.message);
const notes = (problems: StackFileProblem[]) => problems.filter((p) => p.severity === 'note').map((p) => p.message);

describe('Pulumi.yaml', () => {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/pulumi/project.schema.json'), 'utf8'));
  // Pulumi's schema is theirs, not written for Ajv's strict mode (e.g. `properties` without `type`).
  const validProject = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  it('names the program entry point that exists', () => {
    // Assert
    expect(existsSync(path.join(REPO_ROOT, project.main))).toBe(true);
  });

  it('declares exactly the config schema of infra/config-schema.ts (regenerate: node scripts/pulumi-yaml.mjs)', () => {
    // Assert
    expect(project.config).toEqual(JSON.parse(JSON.stringify(projectConfigSchema())));
  });

  it('carries the pulumi new template of infra/config-schema.ts (regenerate: node scripts/pulumi-yaml.mjs)', () => {
    // Assert
    expect(project.template).toEqual(JSON.parse(JSON.stringify(projectTemplate())));
  });

  it("when validated with Pulumi's project JSON schema, it has no errors", () => {
    // Act
    const valid = validProject(project);

    // Assert
    expect(validProject.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each([
    ['a template field Pulumi does not know', { template: { ...projectTemplate(), prompts: [] } }],
    ['a config type Pulumi does not know', { config: { ...project.config, logLevel: { type: 'enum' } } }],
    [
      'a config declaration field Pulumi does not know',
      { config: { ...project.config, logLevel: { type: 'string', choices: ['info'] } } },
    ],
    ['a template prompt whose secret flag is not a boolean', { template: { config: { x: { secret: 'yes' } } } }],
    ['no runtime', { runtime: undefined }],
  ])("when the project file has %s, Pulumi's schema refuses it", (_case, change) => {
    // Arrange
    const edited = JSON.parse(JSON.stringify({ ...project, ...change }));

    // Act / Assert
    expect(validProject(edited)).toBe(false);
  });
});

it('infra/README.md carries the config reference of the table (regenerate: node scripts/pulumi-yaml.mjs)', () => {
  // Arrange
  const readme = readFileSync(path.join(REPO_ROOT, 'infra', 'README.md'), 'utf8');

  // Assert
  expect(readme).toContain(
    `<!-- config-reference:start -->\n${configReferenceMarkdown()}\n<!-- config-reference:end -->`,
  );
});

// `describe.each([])` throws: a repository without stack files has nothing here to check.
const committed = stackFiles();
if (committed.length > 0)
  describe.each(committed.map((file) => [file.fileName, file] as const))('%s', (_name, { text, stack }) => {
    const problems = validateStackFile(parseStackFile(text, stack), rules);

    it('sets only keys the program or its providers read', () => {
      // Assert
      expect(errors(problems, 'keys')).toEqual([]);
    });

    it('holds secrets only as ciphertexts of its own secrets provider', () => {
      // Assert
      expect(errors(problems, 'secrets')).toEqual([]);
    });

    it("holds values the program's config reader accepts", () => {
      // Assert
      expect(errors(problems, 'values')).toEqual([]);
    });
  });

describe('validateStackFile', () => {
  const PASSPHRASE = 'correct horse battery staple';
  const AUTH_TOKEN = 'f00dbabe0123456789abcdef01234567';
  let passphrase: PassphraseProvider;
  beforeAll(() => {
    passphrase = newPassphraseProvider(PASSPHRASE);
  });

  // A team's own values (not the committed examples), for a stack named staging.
  const TEAM: Record<string, string> = {
    'aws:region': 'eu-west-1',
    'voice-ai-conference:twilioAccountSid': 'AC9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    'voice-ai-conference:phoneNumber': '+442071234567',
    'voice-ai-conference:agentStreamUrl': 'wss://voice-agent.acme.test/media',
  };
  /** A stack file: header lines, the team's values with `changes` (undefined removes a key), `secure` ciphertexts. */
  const stackText = ({
    header = [],
    changes = {},
    secure = {},
  }: {
    header?: string[];
    changes?: Record<string, string | undefined>;
    secure?: Record<string, string>;
  }) => {
    const config = Object.entries({ ...TEAM, ...changes }).filter(
      ([key, value]) => value !== undefined && !(key in secure),
    );
    return [
      ...header,
      'config:',
      ...config.map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
      ...Object.entries(secure).map(([key, ciphertext]) => `  ${key}:\n    secure: ${ciphertext}`),
    ].join('\n');
  };
  const check = (text: string, stack = 'staging') => validateStackFile(parseStackFile(text, stack), rules);
  const AUTH = 'voice-ai-conference:twilioAuthToken';

  it('when the stack file holds secrets the passphrase provider encrypted, it passes, and they decrypt', () => {
    // Arrange
    const ciphertext = passphrase.encrypt(AUTH_TOKEN);
    const text = stackText({
      header: [`encryptionsalt: ${passphrase.encryptionSalt}`],
      secure: { [AUTH]: ciphertext },
    });

    // Act
    const file = parseStackFile(text, 'staging');
    const problems = validateStackFile(file, rules);

    // Assert
    expect(problems).toEqual([]);
    expect(file.secure).toEqual({ [AUTH]: 'aes-256-gcm' });
    expect(passphraseProvider(PASSPHRASE, file.encryptionSalt!).decrypt(ciphertext)).toBe(AUTH_TOKEN);
  });

  it('when the secrets are Pulumi Cloud ciphertexts and the file names no provider, it passes', () => {
    // Act
    const problems = check(stackText({ secure: { [AUTH]: pulumiCloudCiphertext() } }));

    // Assert
    expect(problems).toEqual([]);
  });

  it('when the secrets are encrypted with a KMS data key and the file names the key, it passes', () => {
    // Arrange
    const dataKey = symmetricCrypter(Buffer.alloc(32, 7));
    const header = [
      'secretsprovider: awskms://alias/pulumi-voice?region=eu-west-1',
      `encryptedkey: ${Buffer.alloc(184, 3).toString('base64')}`,
    ];

    // Act
    const problems = check(stackText({ header, secure: { [AUTH]: dataKey.encrypt(AUTH_TOKEN) } }));

    // Assert
    expect(problems).toEqual([]);
  });

  it.each([
    ['twilioAuthToken', AUTH, 'twilioAuthToken'],
    ['participantsApiToken', 'voice-ai-conference:participantsApiToken', 'participantsApiToken'],
    ['the AWS secret key', 'aws:secretKey', 'aws:secretKey'],
  ])('when %s is in plain text, it fails naming the key and the command, never the value', (_case, key, cliKey) => {
    // Act
    const problems = check(stackText({ changes: { [key]: AUTH_TOKEN } }));

    // Assert
    const secrets = errors(problems, 'secrets');
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toContain(`${key} is in plain text in Pulumi.staging.yaml`);
    expect(secrets[0]).toContain(`pulumi config set --secret ${cliKey} --stack staging`);
    expect(JSON.stringify(problems)).not.toContain(AUTH_TOKEN);
  });

  it.each([
    [
      'passphrase ciphertexts without the encryptionsalt line',
      () => stackText({ secure: { [AUTH]: passphrase.encrypt(AUTH_TOKEN) } }),
      /twilioAuthToken is a passphrase or KMS ciphertext, but Pulumi.staging.yaml has no encryptionsalt/,
    ],
    [
      'a Pulumi Cloud ciphertext in a passphrase stack',
      () =>
        stackText({
          header: [`encryptionsalt: ${passphrase.encryptionSalt}`],
          secure: { [AUTH]: pulumiCloudCiphertext() },
        }),
      /twilioAuthToken is a Pulumi Cloud ciphertext, but Pulumi.staging.yaml uses the passphrase secrets provider/,
    ],
    [
      'a truncated ciphertext',
      () =>
        stackText({
          header: [`encryptionsalt: ${passphrase.encryptionSalt}`],
          secure: { [AUTH]: passphrase.encrypt(AUTH_TOKEN).slice(0, 30) },
        }),
      /twilioAuthToken is not a ciphertext Pulumi writes: set it again with `pulumi config set --secret twilioAuthToken --stack staging`/,
    ],
    [
      'an encryptionsalt that is not a passphrase state',
      () => stackText({ header: [`encryptionsalt: v1:${Buffer.alloc(8).toString('base64')}`] }),
      /encryptionsalt is not a passphrase state Pulumi writes/,
    ],
    [
      'the passphrase provider without its salt',
      () => stackText({ header: ['secretsprovider: passphrase'] }),
      /secretsprovider passphrase needs the encryptionsalt line/,
    ],
    [
      'a KMS provider without its encrypted data key',
      () => stackText({ header: ['secretsprovider: awskms://alias/pulumi-voice'] }),
      /secretsprovider awskms:\/\/alias\/pulumi-voice needs the encryptedkey line/,
    ],
    [
      'a non-secret key encrypted',
      () => stackText({ secure: { 'voice-ai-conference:phoneNumber': pulumiCloudCiphertext() } }),
      /phoneNumber is encrypted, but the program reads it as plain config/,
    ],
  ])('when the file has %s, the secrets check fails', (_case, text, message) => {
    // Act
    const secrets = errors(check(text()), 'secrets');

    // Assert
    expect(secrets).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    [
      'a misspelt project key',
      { 'voice-ai-conference:agentStreamURL': 'wss://x.test/a' },
      /agentStreamURL: not a key of the program .*did you mean voice-ai-conference:agentStreamUrl/,
    ],
    [
      'a misspelt AWS key',
      { 'aws:regoin': 'eu-west-1' },
      /aws:regoin: not a config key of the aws provider \(did you mean aws:region\?\)/,
    ],
    [
      'a namespace the program does not read',
      { 'gcp:project': 'acme' },
      /gcp:project: not in a namespace the program reads/,
    ],
    ['a key without namespace', { logLevel: 'info' }, /logLevel: config keys are namespace:key/],
  ])('when the file has %s, the keys check fails', (_case, changes, message) => {
    // Act
    const keys = errors(check(stackText({ changes })), 'keys');

    // Assert
    expect(keys).toEqual([expect.stringMatching(message)]);
  });

  it('when a header field is misspelt, the keys check fails (Pulumi would ignore it and lose the salt)', () => {
    // Act
    const keys = errors(check(stackText({ header: [`encryptionSalt: ${passphrase.encryptionSalt}`] })), 'keys');

    // Assert
    expect(keys).toEqual([expect.stringMatching(/encryptionSalt is not a stack file field .*encryptionsalt\?/)]);
  });

  it.each([
    [
      'a retention CloudWatch does not offer',
      { 'voice-ai-conference:logRetentionDays': '8' },
      /logRetentionDays: must be one of/,
    ],
    [
      'an unknown release stage',
      { 'voice-ai-conference:releaseStage': 'staging' },
      /releaseStage: must be pre-production or production, got "staging"/,
    ],
    ['an agent URL that is not wss', { 'voice-ai-conference:agentStreamUrl': 'https://a.test' }, /agentStreamUrl/],
    ['no AWS region', { 'aws:region': undefined }, /aws:region is required/],
    [
      'a certificate in another region',
      {
        'voice-ai-conference:customDomainName': 'voice.acme.test',
        'voice-ai-conference:customDomainCertificateArn':
          'arn:aws:acm:us-east-1:210987654321:certificate/1a2b3c4d-0000-4000-8000-000000000001',
      },
      /customDomainCertificateArn is in us-east-1, the stack in eu-west-1/,
    ],
  ])('when the file has %s, the values check fails naming the key', (_case, changes, message) => {
    // Act
    const values = errors(check(stackText({ changes })), 'values');

    // Assert
    expect(values).toEqual([expect.stringMatching(message)]);
  });

  it('when the Auth Token is not set yet, it passes with a note giving the command', () => {
    // Act
    const problems = check(stackText({}));

    // Assert
    expect(errors(problems)).toEqual([]);
    expect(notes(problems)).toEqual([
      expect.stringContaining('pulumi config set --secret twilioAuthToken --stack staging'),
    ]);
  });

  it('when a required value is missing, it fails, unless the file imports an ESC environment that can hold it', () => {
    // Arrange
    const withoutSid = stackText({ changes: { 'voice-ai-conference:twilioAccountSid': undefined } });

    // Act
    const alone = check(withoutSid);
    const withEnvironment = check(`environment:\n  - acme/voice-staging\n${withoutSid}`);

    // Assert
    expect(errors(alone, 'values')).toEqual([expect.stringMatching(/twilioAccountSid: is required/)]);
    expect(errors(withEnvironment)).toEqual([]);
    expect(notes(withEnvironment)).toContainEqual(expect.stringMatching(/twilioAccountSid.*acme\/voice-staging/));
  });
});

describe('parseStackFile', () => {
  it('when values are scalars, lists and nulls, it hands them over as the strings Pulumi gives the program', () => {
    // Arrange
    const text = [
      'config:',
      '  voice-ai-conference:logRetentionDays: 7',
      '  voice-ai-conference:lambdaMemoryMb: "512"',
      '  voice-ai-conference:alarms: true',
      '  voice-ai-conference:fallbackMessage: 1.50',
      '  voice-ai-conference:publicBaseUrl:',
      '  voice-ai-conference:allowedDialTargets:',
      '    - "+1*"',
      '    - client:*',
      '  aws:defaultTags:',
      '    tags: {team: voice, app: ai}',
    ].join('\n');

    // Act
    const file = parseStackFile(text, 'dev');

    // Assert
    expect(file.config).toEqual({
      'voice-ai-conference:logRetentionDays': '7',
      'voice-ai-conference:lambdaMemoryMb': '512',
      'voice-ai-conference:alarms': 'true',
      'voice-ai-conference:fallbackMessage': '1.50',
      'voice-ai-conference:publicBaseUrl': '',
      'voice-ai-conference:allowedDialTargets': '["+1*","client:*"]',
      'aws:defaultTags': '{"tags":{"app":"ai","team":"voice"}}',
    });
  });

  it.each([
    ['a duplicate key', 'config:\n  aws:region: a\n  aws:region: b'],
    ['broken YAML', 'config: [a'],
    ['a list at the top', '- config'],
  ])('when the file has %s, it refuses it', (_case, text) => {
    // Act / Assert
    expect(() => parseStackFile(text, 'dev')).toThrow(/Pulumi\.dev\.yaml: /);
  });

  it('when the file is empty (a fresh pulumi stack init), it has no config', () => {
    // Act / Assert
    expect(parseStackFile('', 'dev')).toMatchObject({ config: {}, secure: {}, unknownFields: [] });
  });
});

describe("Pulumi's passphrase format", () => {
  // The passphrase state in pulumi/pulumi's own tests (pkg/secrets/passphrase/manager_test.go), made by the Go
  // code with the passphrase "password": the crypter here must open it, and the checks must accept its shape.
  const PULUMI_TEST_STATE = 'v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==';

  it("when given Pulumi's own test state and passphrase, the test crypter opens it", () => {
    // Act / Assert
    expect(() => passphraseProvider('password', PULUMI_TEST_STATE)).not.toThrow();
    expect(() => passphraseProvider('password123', PULUMI_TEST_STATE)).toThrow('incorrect passphrase');
  });

  it("when given Pulumi's own state, the checks take it for a passphrase salt and its check value for a ciphertext", () => {
    // Act / Assert
    expect(isPassphraseSalt(PULUMI_TEST_STATE)).toBe(true);
    expect(classifyCiphertext(PULUMI_TEST_STATE.slice('v1:fozI5u6B030=:'.length))).toBe('aes-256-gcm');
  });
});

describe('docs/deploy.md "Your values and secrets"', () => {
  // Values only an example can have: reserved example domains, Twilio's test numbers, zero-patterned IDs.
  const EXAMPLE = /example\.com|^\+1500555|0123456789|123456789012|^\+1\*$|^client:\*$|^\+1415555\*$/;
  const guide = readFileSync(path.join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
  const from = guide.indexOf('## 4. Your values and secrets');
  const section = guide.slice(from, guide.indexOf('\n## 5.', from));
  // The day-one values (the pulumi new prompts) are what `npm run setup` writes; the section's table names the rest.
  const written = new Set([
    ...PROVIDER_PROMPTS.map((p) => p.key),
    ...CONFIG_KEYS.filter((k) => k.prompt).map((k) => `${project.name}:${k.key}`),
  ]);

  it('has the section the example values are looked up in', () => {
    // Assert
    expect(from).toBeGreaterThanOrEqual(0);
    expect(section).toContain('| Key |');
  });

  // A team that replaced every example has nothing left to look up; `it.each([])` throws, hence the guard.
  if (committed.length > 0)
    it.each(committed.map((file) => [file.fileName, file] as const))(
      'when %s holds an example value, the guide tells what replaces it',
      (_name, { text, stack }) => {
        // Arrange
        const { config } = parseStackFile(text, stack);

        // Act
        const placeholders = Object.entries(config)
          .filter(([, value]) => {
            const values = value.startsWith('[') ? (JSON.parse(value) as string[]) : [value];
            return values.some((v) => EXAMPLE.test(v));
          })
          .map(([key]) => key);

        // Assert
        const undocumented = placeholders.filter(
          (key) => !written.has(key) && !section.includes(`\`${key.replace(`${project.name}:`, '')}\``),
        );
        expect(undocumented).toEqual([]);
      },
    );
});
