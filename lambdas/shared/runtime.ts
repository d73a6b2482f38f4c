/**
 * Per-container REST client, shared by invocations. Lambda reuses a container for many invocations, so a client is
 * created once per credential: when the secret behind it rotates, the next call gets a client with the new one.
 * A request Twilio refuses with 401 (during a token promotion, before the cache has the new value) re-reads the
 * secret and, when it changed, is sent once more with the new value.
 */
import type { TwilioConfig } from './config';
import type { Logger } from './log';
import { secrets, type SecretResolver } from './secrets';
import { createTwilioClient, type TwilioRestClient } from './twilio-client';

const clients = new WeakMap<TwilioConfig, { readonly password: string; readonly client: TwilioRestClient }>();

/** The secret a configuration's REST client authenticates with: the API key secret, else the Auth Token. */
export function restCredential(config: TwilioConfig): TwilioConfig['authToken'] {
  return config.apiKey ? config.apiKey.secret : config.authToken;
}

/**
 * The REST client for a Twilio configuration: API key when configured, else Account SID + Auth Token. `log` gets
 * a warning when a refused credential is retried with a rotated one.
 */
export async function twilioClientFor(
  config: TwilioConfig,
  log?: Logger,
  resolver: SecretResolver = secrets,
): Promise<TwilioRestClient> {
  const credential = restCredential(config);
  const password = await resolver.resolve(credential);
  const cached = clients.get(config);
  if (cached?.password === password) return cached.client;
  const username = config.apiKey ? config.apiKey.sid : config.accountSid;
  const client = createTwilioClient({
    accountSid: config.accountSid,
    username,
    password,
    baseUrl: config.apiBaseUrl,
    timeoutMs: config.requestTimeoutMs,
    onUnauthorized: async () => {
      if (!(await resolver.refresh(credential))) return undefined;
      log?.warn('Twilio refused the cached REST credential; retrying with the rotated one');
      return resolver.resolve(credential);
    },
  });
  clients.set(config, { password, client });
  return client;
}
