/**
 * The one configuration reader. Every handler reads its settings from environment variables through these
 * section readers, once per container; a missing or malformed value throws a {@link ConfigError} naming it.
 *
 * The Pulumi program sets these variables (secrets only as `*_SECRET_ARN` references, never as values); the
 * sandbox and tests set them directly.
 */

/** Thrown when a setting is missing or malformed; the message names the variable, never its value. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Configuration ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables the handlers read. The Pulumi program and the sandbox use these names. */
export const ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  authTokenSecretArn: 'TWILIO_AUTH_TOKEN_SECRET_ARN',
  apiKeySid: 'TWILIO_API_KEY_SID',
  apiKeySecret: 'TWILIO_API_KEY_SECRET',
  apiKeySecretArn: 'TWILIO_API_KEY_SECRET_ARN',
  apiBaseUrl: 'TWILIO_API_BASE_URL',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  logLevel: 'LOG_LEVEL',

  conferenceNamePrefix: 'CONFERENCE_NAME_PREFIX',
  callerLabel: 'CONFERENCE_CALLER_LABEL',
  waitUrl: 'CONFERENCE_WAIT_URL',
  beep: 'CONFERENCE_BEEP',
  jitterBufferSize: 'CONFERENCE_JITTER_BUFFER_SIZE',
  endConferenceOnCallerExit: 'CONFERENCE_END_ON_CALLER_EXIT',
  maxParticipants: 'CONFERENCE_MAX_PARTICIPANTS',

  agentMode: 'AGENT_MODE',
  agentStreamUrl: 'AGENT_STREAM_URL',
  agentPlayUrl: 'AGENT_PLAY_URL',
  agentContextAllowlist: 'AGENT_CONTEXT_ALLOWLIST',
  relayWelcomeGreeting: 'CONVERSATION_RELAY_WELCOME_GREETING',
  relayLanguage: 'CONVERSATION_RELAY_LANGUAGE',
  relayTtsProvider: 'CONVERSATION_RELAY_TTS_PROVIDER',
  relayVoice: 'CONVERSATION_RELAY_VOICE',
  relayTranscriptionProvider: 'CONVERSATION_RELAY_TRANSCRIPTION_PROVIDER',
  relayInterruptible: 'CONVERSATION_RELAY_INTERRUPTIBLE',
  relayDtmfDetection: 'CONVERSATION_RELAY_DTMF_DETECTION',

  twimlAppSid: 'TWIML_APP_SID',
  agentFromNumber: 'AGENT_FROM_NUMBER',
  agentLabel: 'AGENT_LABEL',
  agentAutoAdd: 'AGENT_AUTO_ADD',
  agentJoinTimeout: 'AGENT_JOIN_TIMEOUT_SECONDS',
  retryBudgetMs: 'TWILIO_RETRY_BUDGET_MS',
  allowedTargets: 'ALLOWED_DIAL_TARGETS',
  apiToken: 'PARTICIPANTS_API_TOKEN',
  apiTokenSecretArn: 'PARTICIPANTS_API_TOKEN_SECRET_ARN',
} as const;

/** A read-only view of the environment (process.env in production, a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A secret given either as a value (local) or as an AWS Secrets Manager ARN (deployed). */
export type SecretSource =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'aws-secret'; readonly arn: string };

/** How the stack reaches Twilio. */
export interface TwilioConfig {
  readonly accountSid: string;
  /** The Auth Token: always needed, since it is the key of `X-Twilio-Signature`. */
  readonly authToken: SecretSource;
  /** An API key for REST calls; the Auth Token is used when absent. */
  readonly apiKey?: { readonly sid: string; readonly secret: SecretSource };
  /** Points the REST client at a local server (tests, sandbox). */
  readonly apiBaseUrl?: string;
}

/** The public URL Twilio was given, when it differs from the request's own domain (custom domains). */
export interface WebhookConfig {
  readonly publicBaseUrl?: string;
}

/** How the caller's conference is set up (the inbound handler's TwiML). */
export interface ConferenceConfig {
  readonly namePrefix: string;
  readonly callerLabel: string;
  /** '' plays silence while the caller waits for the agent. */
  readonly waitUrl: string;
  readonly beep: 'true' | 'false' | 'onEnter' | 'onExit';
  readonly jitterBufferSize: 'off' | 'small' | 'medium' | 'large';
  readonly endConferenceOnCallerExit: boolean;
  readonly maxParticipants: number;
}

export type AgentMode = 'stream' | 'conversation-relay' | 'play';

/** ConversationRelay attributes the agent TwiML carries. */
export interface ConversationRelayConfig {
  readonly welcomeGreeting?: string;
  readonly language?: string;
  readonly ttsProvider?: string;
  readonly voice?: string;
  readonly transcriptionProvider?: string;
  readonly interruptible?: string;
  readonly dtmfDetection?: boolean;
}

/** What the TwiML App's handler returns for the agent leg. */
export interface AgentTwimlConfig {
  readonly mode: AgentMode;
  readonly streamUrl?: string;
  readonly playUrl?: string;
  /** Context keys passed on to the agent; every other custom parameter is dropped. */
  readonly contextAllowlist: readonly string[];
  readonly conversationRelay: ConversationRelayConfig;
}

/** How the agent (and humans) are dialled into conferences. */
export interface DialConfig {
  readonly twimlAppSid: string;
  readonly fromNumber: string;
  readonly agentLabel: string;
  readonly callerLabel: string;
  readonly autoAddAgent: boolean;
  readonly joinTimeoutSeconds: number;
  readonly retryBudgetMs: number;
  /** Glob patterns (`*` = any run of characters) a human transfer target must match. */
  readonly allowedTargets: readonly string[];
}

/** The participants API's bearer token. */
export interface ApiAuthConfig {
  readonly token: SecretSource;
}

export const DEFAULT_CONTEXT_ALLOWLIST = ['caller', 'callerCallSid', 'conference', 'customerId', 'ticket', 'language'];

const E164 = /^\+[1-9]\d{1,14}$/;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;
const APP_SID = /^AP[0-9a-fA-F]{32}$/;
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/;
const LABEL = /^[^/]{1,128}$/;

function optional(env: Env, key: string): string | undefined {
  const value = env[key];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function required(env: Env, key: string): string {
  const value = optional(env, key);
  if (value === undefined) throw new ConfigError(key, 'is required');
  return value;
}

function matching(env: Env, key: string, pattern: RegExp, what: string, fallback?: string): string {
  const value = optional(env, key) ?? fallback;
  if (value === undefined) throw new ConfigError(key, `is required (${what})`);
  if (!pattern.test(value)) throw new ConfigError(key, `must be ${what}`);
  return value;
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const value = optional(env, key) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function bool(env: Env, key: string, fallback: boolean): boolean {
  const value = optional(env, key);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(key, 'must be true or false');
}

function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const value = optional(env, key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(key, `must be an integer from ${min} to ${max}`);
  return n;
}

function url(env: Env, key: string, schemes: readonly string[], isRequired: boolean): string | undefined {
  const value = isRequired ? required(env, key) : optional(env, key);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(key, 'must be an absolute URL');
  }
  if (!schemes.includes(parsed.protocol)) throw new ConfigError(key, `must be a ${schemes.join(' or ')} URL`);
  return value;
}

function list(env: Env, key: string, fallback: readonly string[]): string[] {
  const value = optional(env, key);
  if (value === undefined) return [...fallback];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** A secret from its value variable or its ARN variable; the value wins locally, the ARN when deployed. */
function secret(env: Env, valueKey: string, arnKey: string, isRequired: true): SecretSource;
function secret(env: Env, valueKey: string, arnKey: string, isRequired: false): SecretSource | undefined;
function secret(env: Env, valueKey: string, arnKey: string, isRequired: boolean): SecretSource | undefined {
  const value = optional(env, valueKey);
  if (value !== undefined) return { kind: 'value', value };
  const arn = optional(env, arnKey);
  if (arn !== undefined) {
    if (!SECRET_ARN.test(arn)) throw new ConfigError(arnKey, 'must be a Secrets Manager secret ARN');
    return { kind: 'aws-secret', arn };
  }
  if (isRequired) throw new ConfigError(valueKey, `is required (or ${arnKey})`);
  return undefined;
}

/** Reads the Twilio account settings. */
export function readTwilioConfig(env: Env): TwilioConfig {
  const accountSid = matching(env, ENV.accountSid, ACCOUNT_SID, 'an Account SID (AC followed by 32 hex digits)');
  const authToken = secret(env, ENV.authToken, ENV.authTokenSecretArn, true);
  const apiKeySid = optional(env, ENV.apiKeySid);
  let apiKey: TwilioConfig['apiKey'];
  if (apiKeySid !== undefined) {
    if (!API_KEY_SID.test(apiKeySid))
      throw new ConfigError(ENV.apiKeySid, 'must be an API key SID (SK followed by 32 hex digits)');
    apiKey = { sid: apiKeySid, secret: secret(env, ENV.apiKeySecret, ENV.apiKeySecretArn, true) };
  }
  const apiBaseUrl = url(env, ENV.apiBaseUrl, ['http:', 'https:'], false);
  return { accountSid, authToken, apiKey, apiBaseUrl };
}

/** Reads the public base URL used to rebuild the URL Twilio signed. */
export function readWebhookConfig(env: Env): WebhookConfig {
  const publicBaseUrl = url(env, ENV.publicBaseUrl, ['http:', 'https:'], false);
  return { publicBaseUrl: publicBaseUrl?.replace(/\/+$/, '') };
}

/** Reads the conference settings of the inbound handler. */
export function readConferenceConfig(env: Env): ConferenceConfig {
  const namePrefix = optional(env, ENV.conferenceNamePrefix) ?? 'conf-';
  if (!/^[A-Za-z0-9_-]{0,32}$/.test(namePrefix)) {
    throw new ConfigError(
      ENV.conferenceNamePrefix,
      'must be up to 32 letters, digits, - or _ (it goes into URL paths)',
    );
  }
  const waitUrlValue = env[ENV.waitUrl];
  const waitUrl =
    waitUrlValue === undefined || waitUrlValue.trim() === ''
      ? ''
      : (url(env, ENV.waitUrl, ['http:', 'https:'], true) as string);
  return {
    namePrefix,
    callerLabel: matching(env, ENV.callerLabel, LABEL, 'a label of 1-128 characters without /', 'caller'),
    waitUrl,
    beep: oneOf(env, ENV.beep, ['true', 'false', 'onEnter', 'onExit'] as const, 'false'),
    jitterBufferSize: oneOf(env, ENV.jitterBufferSize, ['off', 'small', 'medium', 'large'] as const, 'small'),
    endConferenceOnCallerExit: bool(env, ENV.endConferenceOnCallerExit, true),
    maxParticipants: integer(env, ENV.maxParticipants, 10, 2, 250),
  };
}

/** Reads what the agent leg's TwiML does. */
export function readAgentTwimlConfig(env: Env): AgentTwimlConfig {
  const mode = oneOf(env, ENV.agentMode, ['stream', 'conversation-relay', 'play'] as const, 'stream');
  const streamUrl = url(env, ENV.agentStreamUrl, ['wss:', 'ws:'], mode !== 'play');
  // Twilio only connects to wss://; plain ws:// is accepted for loopback hosts so the local sandbox needs no TLS.
  if (streamUrl !== undefined && new URL(streamUrl).protocol === 'ws:' && !isLoopback(new URL(streamUrl).hostname)) {
    throw new ConfigError(
      ENV.agentStreamUrl,
      'must be a wss:// URL (ws:// is accepted only for 127.0.0.1 or localhost)',
    );
  }
  if (streamUrl !== undefined && new URL(streamUrl).search !== '') {
    throw new ConfigError(ENV.agentStreamUrl, 'must not carry a query string (context goes in <Parameter> elements)');
  }
  const playUrl = url(env, ENV.agentPlayUrl, ['http:', 'https:'], mode === 'play');
  const contextAllowlist = list(env, ENV.agentContextAllowlist, DEFAULT_CONTEXT_ALLOWLIST);
  for (const name of contextAllowlist) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new ConfigError(
        ENV.agentContextAllowlist,
        'must be a comma-separated list of names (letters, digits, _ . -)',
      );
    }
  }
  return {
    mode,
    streamUrl,
    playUrl,
    contextAllowlist,
    conversationRelay: {
      welcomeGreeting: optional(env, ENV.relayWelcomeGreeting),
      language: optional(env, ENV.relayLanguage),
      ttsProvider: optional(env, ENV.relayTtsProvider),
      voice: optional(env, ENV.relayVoice),
      transcriptionProvider: optional(env, ENV.relayTranscriptionProvider),
      interruptible: optional(env, ENV.relayInterruptible),
      dtmfDetection:
        optional(env, ENV.relayDtmfDetection) === undefined ? undefined : bool(env, ENV.relayDtmfDetection, false),
    },
  };
}

/** Reads how participants are dialled into conferences. */
export function readDialConfig(env: Env): DialConfig {
  return {
    twimlAppSid: matching(env, ENV.twimlAppSid, APP_SID, 'a TwiML App SID (AP followed by 32 hex digits)'),
    fromNumber: matching(env, ENV.agentFromNumber, E164, 'an E.164 phone number such as +15551234567'),
    agentLabel: matching(env, ENV.agentLabel, LABEL, 'a label of 1-128 characters without /', 'ai-agent'),
    callerLabel: matching(env, ENV.callerLabel, LABEL, 'a label of 1-128 characters without /', 'caller'),
    autoAddAgent: bool(env, ENV.agentAutoAdd, true),
    joinTimeoutSeconds: integer(env, ENV.agentJoinTimeout, 15, 5, 600),
    retryBudgetMs: integer(env, ENV.retryBudgetMs, 8000, 0, 25000),
    allowedTargets: list(env, ENV.allowedTargets, ['+*', 'client:*']),
  };
}

/** Reads the participants API's token source. */
export function readApiAuthConfig(env: Env): ApiAuthConfig {
  return { token: secret(env, ENV.apiToken, ENV.apiTokenSecretArn, true) };
}

/**
 * Caches a section reader per container: the first call parses, later calls return the same value.
 * A failed parse is not cached, so a fixed environment is picked up by the next invocation.
 */
export function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (!cached) cached = { value: read() };
    return cached.value;
  };
}
