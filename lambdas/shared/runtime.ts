/**
 * Per-container REST client, shared by invocations. Lambda reuses
 * a container for many invocations, so each is created once.
 */
import type { TwilioConfig } from './config';
import { secrets, type SecretResolver } from './secrets';
import { createTwilioClient, type TwilioRestClient } from './twilio-client';

const clients = new WeakMap<TwilioConfig, Promise<TwilioRestClient>>();

/** The REST client for a Twilio configuration: API key when configured, else Account SID + Auth Token. */
export function twilioClientFor(config: TwilioConfig, resolver: SecretResolver = secrets): Promise<TwilioRestClient> {
  let client = clients.get(config);
  if (!client) {
    client = (async () => {
      const username = config.apiKey ? config.apiKey.sid : config.accountSid;
      const password = await resolver.resolve(config.apiKey ? config.apiKey.secret : config.authToken);
      return createTwilioClient({ accountSid: config.accountSid, username, password, baseUrl: config.apiBaseUrl });
    })();
    clients.set(config, client);
    client.catch(() => clients.delete(config));
  }
  return client;
}
