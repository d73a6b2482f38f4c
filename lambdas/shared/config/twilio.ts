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

/** Reads the Twilio account settings. */
export function readTwilioConfig(env: Env): TwilioConfig {
  const E = TWILIO_ENV;
  const accountSid = matching(
    env,
    E.accountSid,
    (v) => isSid('AC', v),
    'an Account SID (AC followed by 32 hex digits)',
  );
  const authToken = secret(env, E.authToken, E.authTokenSecretArn, true);
  const apiKeySid = optional(env, E.apiKeySid);
  let apiKey: TwilioConfig['apiKey'];
  if (apiKeySid !== undefined) {
    if (!isSid('SK', apiKeySid))
      throw new ConfigError(E.apiKeySid, 'must be an API key SID (SK followed by 32 hex digits)');
    apiKey = { sid: apiKeySid, secret: secret(env, E.apiKeySecret, E.apiKeySecretArn, true) };
  }
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
