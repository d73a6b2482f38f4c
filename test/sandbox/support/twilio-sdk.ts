/** The full `twilio` SDK pointed at a local emulator: a RequestClient that rewrites *.twilio.com to its base URL. */
import RequestClient from 'twilio/lib/base/RequestClient';
import type { Twilio } from 'twilio';

/** A RequestClient sending every request to `baseUrl` (reference §8: the SDK has no base-URL option). */
class LocalRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    // No keep-alive: the emulator's stop() must not race pooled sockets.
    super({ keepAlive: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const target = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: this.baseUrl + target.pathname + target.search });
  }
}

/** `require('twilio')(username, password, { accountSid, httpClient })` talking to the emulator. */
export function fullSdkClient(baseUrl: string, username: string, password: string, accountSid?: string): Twilio {
  const twilio = require('twilio') as (u: string, p: string, o: object) => Twilio;
  return twilio(username, password, { httpClient: new LocalRequestClient(baseUrl), ...(accountSid && { accountSid }) });
}
