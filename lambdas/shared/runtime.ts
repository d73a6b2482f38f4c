/**
 * Per-container REST client, shared by invocations. Lambda reuses a container for many invocations, so a client is
 * created once per credential: when the secret behind it rotates, the next call gets a client with the new one.
 */
import type { TwilioConfig } from './config';
import { secrets, type SecretResolver } from './secrets';
import { createTwilioClient, type TwilioRestClient } from './twilio-client';

const clients = new WeakMap<TwilioConfig, { readonly password: string; readonly client: TwilioRestClient }>();

/** The secret a configuration's REST client authenticates with: the API key secret, else the Auth Token. */
export function restCredential(config: TwilioConfig): TwilioConfig['authToken'] {
  return config.apiKey ? config.apiKey.secret : config.authToken;
}

/** The REST client for a Twilio configuration: API key when configured, else Account SID + Auth Token. */
export async function twilioClientFor(
  config: TwilioConfig,
  resolver: SecretResolver = secrets,
): Promise<TwilioRestClient> {
  const password = await resolver.resolve(restCredential(config));
  const cached = clients.get(config);
  if (cached?.password === password) return cached.client;
  const username = config.apiKey ? config.apiKey.sid : config.accountSid;
  const client = createTwilioClient({ accountSid: config.accountSid, username, password, baseUrl: config.apiBaseUrl });
  clients.set(config, { password, client });
  return client;
}
