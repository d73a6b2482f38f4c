/**
 * Where the Twilio dynamic providers get their credentials: the stack's config (handed to `configure`) first,
 * then `TWILIO_*` environment variables. Read at call time inside the provider's methods, never captured when
 * the provider is serialized, so no credential is written into Pulumi state.
 */
import type * as pulumi from '@pulumi/pulumi';
import type { TwilioClientOptions } from '../../lambdas/shared/twilio-client';

/**
 * Stack config keys (project namespace) and environment variables the providers read, in that order.
 * A function, not a module-level object: Pulumi's closure serializer captured only some properties of such an
 * object into the serialized provider (the test that runs the serialized provider caught it).
 */
export function credentialSources() {
  return {
    accountSid: { config: 'twilioAccountSid', env: 'TWILIO_ACCOUNT_SID' },
    authToken: { config: 'twilioAuthToken', env: 'TWILIO_AUTH_TOKEN' },
    apiKeySid: { config: 'twilioApiKeySid', env: 'TWILIO_API_KEY_SID' },
    apiKeySecret: { config: 'twilioApiKeySecret', env: 'TWILIO_API_KEY_SECRET' },
    apiBaseUrl: { config: 'twilioApiBaseUrl', env: 'TWILIO_API_BASE_URL' },
  } as const;
}

/** Looks a config key up; `undefined` when absent. */
export type ConfigLookup = (key: string) => string | undefined;

/**
 * A config key as the user sets it and the engine hands it to `configure`: `<project>:<key>` when the provider
 * knows its project (captured when the resource is declared), else the bare key (sandbox, provider tests).
 */
export function configKey(key: string, project?: string): string {
  return project ? `${project}:${key}` : key;
}

/** Thrown when the provider cannot find usable credentials; names the keys, never a value. */
export class TwilioCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    // Set explicitly: the closure-serialized class's `super(message)` does not (see TwilioProvisioningError).
    this.message = message;
    this.name = 'TwilioCredentialsError';
  }
}

/**
 * Resolves REST client options: an API key (SK...) with its secret when both are set, else the Auth Token.
 * Config keys are looked up (and named in errors) as `configKey(key, project)`.
 * @example resolveTwilioCredentials((k) => config.get(k), process.env, 'voice-ai-conference')
 */
export function resolveTwilioCredentials(
  config: ConfigLookup | undefined,
  env: Readonly<Record<string, string | undefined>>,
  project?: string,
): TwilioClientOptions {
  const SOURCES = credentialSources();
  const CREDENTIAL_SOURCES = Object.fromEntries(
    Object.entries(SOURCES).map(([name, source]) => [name, { ...source, config: configKey(source.config, project) }]),
  ) as { [K in keyof typeof SOURCES]: { config: string; env: string } };
  const read = (source: { config: string; env: string }): string | undefined => {
    const value = config?.(source.config) ?? env[source.env];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  // A malformed value is named where it came from (config key or environment variable), never shown.
  const origin = (source: { config: string; env: string }): string =>
    config?.(source.config) !== undefined ? `config ${source.config}` : source.env;
  const accountSid = read(CREDENTIAL_SOURCES.accountSid);
  if (!accountSid)
    throw new TwilioCredentialsError(
      `no Twilio Account SID: set config ${CREDENTIAL_SOURCES.accountSid.config} or ${CREDENTIAL_SOURCES.accountSid.env}`,
    );
  if (!/^AC[0-9a-f]{32}$/.test(accountSid))
    throw new TwilioCredentialsError(
      `${origin(CREDENTIAL_SOURCES.accountSid)} must be an Account SID (AC followed by 32 hex digits)`,
    );
  const apiKeySid = read(CREDENTIAL_SOURCES.apiKeySid);
  const apiKeySecret = read(CREDENTIAL_SOURCES.apiKeySecret);
  const baseUrl = read(CREDENTIAL_SOURCES.apiBaseUrl);
  if (apiKeySid || apiKeySecret) {
    if (!apiKeySid || !apiKeySecret) {
      throw new TwilioCredentialsError(
        `an API key needs both ${CREDENTIAL_SOURCES.apiKeySid.config} and ${CREDENTIAL_SOURCES.apiKeySecret.config} (or ${CREDENTIAL_SOURCES.apiKeySid.env} and ${CREDENTIAL_SOURCES.apiKeySecret.env})`,
      );
    }
    if (!/^SK[0-9a-f]{32}$/.test(apiKeySid))
      throw new TwilioCredentialsError(
        `${origin(CREDENTIAL_SOURCES.apiKeySid)} must be an API key SID (SK followed by 32 hex digits)`,
      );
    return { accountSid, username: apiKeySid, password: apiKeySecret, baseUrl };
  }
  const authToken = read(CREDENTIAL_SOURCES.authToken);
  if (!authToken) {
    throw new TwilioCredentialsError(
      `no Twilio credentials: set config ${CREDENTIAL_SOURCES.authToken.config} (pulumi config set --secret) or ${CREDENTIAL_SOURCES.authToken.env}, or an API key`,
    );
  }
  return { accountSid, username: accountSid, password: authToken, baseUrl };
}

/** A `configure` request over fixed config values: runs the providers outside the engine (sandbox, tests). */
export function fixedConfigureRequest(values: Readonly<Record<string, string>>): pulumi.dynamic.ConfigureRequest {
  return {
    config: {
      get: (key) => values[key],
      require: (key) => {
        const value = values[key];
        if (value === undefined) throw new TwilioCredentialsError(`missing config ${key}`);
        return value;
      },
    },
  };
}
