/**
 * The full SDK's REST client pointed at the bench's local Twilio stand-in, the way twilio-node documents it:
 * `twilio(accountSid, authToken, { httpClient })` with a RequestClient subclass that rewrites api.twilio.com.
 */
import twilio from 'twilio';

type RequestOptions<T> = Parameters<twilio.RequestClient['request']>[0] & { data?: T };

/** twilio's own RequestClient, sending every *.twilio.com request to `baseUrl` instead. */
class LocalRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ keepAlive: true });
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const url = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: this.baseUrl + url.pathname + url.search });
  }
}

/** A full SDK client for the account, against `baseUrl` when set (the bench always sets it). */
export function naiveClient(accountSid: string, authToken: string, baseUrl: string | undefined): twilio.Twilio {
  return twilio(accountSid, authToken, baseUrl ? { httpClient: new LocalRequestClient(baseUrl) } : undefined);
}
