/** How the stack reaches Twilio: the account, the Auth Token (the signature key), an optional API key. */
import { isSid } from '../identifiers';
import { DEFAULT_TWILIO_REQUEST_TIMEOUT_MS } from '../twilio-transport';
import { ConfigError, type Env, integer, matching, optional, secret, type SecretSource, url } from './read';

export const TWILIO_ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  authTokenSecretArn: 'TWILIO_AUTH_TOKEN_SECRET_ARN',
  apiKeySid: 'TWILIO_API_KEY_SID',
  apiKeySecret: 'TWILIO_API_KEY_SECRET',
  apiKeySecretArn: 'TWILIO_API_KEY_SECRET_ARN',
  apiBaseUrl: 'TWILIO_API_BASE_URL',
  requestTimeoutMs: 'TWILIO_REQUEST_TIMEOUT_MS',
} as const;

/** How the stack reaches Twilio. */
export interface TwilioConfig {
  readonly accountSid: string;
  /** The Auth Token: always needed, since it is the key of `X-Twilio-Signature`. */
  readonly authToken: SecretSource;
  /** An API key for REST calls; the Auth Token is used when absent. */
  readonly apiKey?: { readonly sid: string; readonly secret: SecretSource };
  /** Points the REST client at a local server (tests, sandbox). */
  readonly apiBaseUrl?: string;
  /**
   * Per-request timeout of the REST client. The stack never sets it (5 s, which the functions' timeouts and retry
   * budgets are sized around); tests set it lower to play a slow Twilio without waiting 5 s.
   */
  readonly requestTimeoutMs: number;
}

/** The Account SID. */
function readAccountSid(env: Env): string {
  return matching(env, TWILIO_ENV.accountSid, (v) => isSid('AC', v), 'an Account SID (AC followed by 32 hex digits)');
}

/** The API key SID when the stack uses one. */
function readApiKeySid(env: Env): string | undefined {
  const apiKeySid = optional(env, TWILIO_ENV.apiKeySid);
  if (apiKeySid !== undefined && !isSid('SK', apiKeySid))
    throw new ConfigError(TWILIO_ENV.apiKeySid, 'must be an API key SID (SK followed by 32 hex digits)');
  return apiKeySid;
}

/** Reads the Twilio account settings. */
export function readTwilioConfig(env: Env): TwilioConfig {
  const E = TWILIO_ENV;
  const accountSid = readAccountSid(env);
  const authToken = secret(env, E.authToken, E.authTokenSecretArn, true);
  const apiKeySid = readApiKeySid(env);
  const apiKey: TwilioConfig['apiKey'] =
    apiKeySid === undefined
      ? undefined
      : { sid: apiKeySid, secret: secret(env, E.apiKeySecret, E.apiKeySecretArn, true) };
  const apiBaseUrl = url(env, E.apiBaseUrl, ['http:', 'https:'], false);
  const requestTimeoutMs = integer(
    env,
    E.requestTimeoutMs,
    DEFAULT_TWILIO_REQUEST_TIMEOUT_MS,
    100,
    DEFAULT_TWILIO_REQUEST_TIMEOUT_MS,
  );
  return { accountSid, authToken, apiKey, apiBaseUrl, requestTimeoutMs };
}

/** How a REST-only client reaches Twilio: the account, the one credential it authenticates with, the base URL. */
export interface TwilioRestConfig {
  readonly accountSid: string;
  /** API key SID and secret when the stack uses one, else the Account SID and the Auth Token. */
  readonly username: string;
  readonly password: SecretSource;
  readonly apiBaseUrl?: string;
}

/**
 * Reads only the REST credential, for code that calls Twilio but checks no webhook signature (the canary): the API
 * key when `TWILIO_API_KEY_SID` is set (then no Auth Token is needed, or read), else the Auth Token.
 */
export function readTwilioRestConfig(env: Env): TwilioRestConfig {
  const E = TWILIO_ENV;
  const accountSid = readAccountSid(env);
  const apiBaseUrl = url(env, E.apiBaseUrl, ['http:', 'https:'], false);
  const apiKeySid = readApiKeySid(env);
  if (apiKeySid === undefined)
    return {
      accountSid,
      username: accountSid,
      password: secret(env, E.authToken, E.authTokenSecretArn, true),
      apiBaseUrl,
    };
  return {
    accountSid,
    username: apiKeySid,
    password: secret(env, E.apiKeySecret, E.apiKeySecretArn, true),
    apiBaseUrl,
  };
}
