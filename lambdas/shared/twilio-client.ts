/**
 * The one Twilio REST client factory. Handlers, the Pulumi dynamic provider and the sandbox all build their
 * clients here, so credentials, timeouts and the local base-URL override live in one place.
 *
 * The client is the official SDK's own base client with only the `api` (2010-04-01) domain attached: the same
 * request, auth and resource code as `twilio(...)`, without loading every other API area (the full client
 * costs ~200 ms to load and 3.6 MB bundled).
 */
import { Client as BaseTwilioClient } from 'twilio/lib/base/BaseTwilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import Api from 'twilio/lib/rest/Api';
import type Twilio from 'twilio/lib/rest/Twilio';

/** Credentials and endpoint of a REST client. `username`/`password`: Account SID + Auth Token, or API key + secret. */
export interface TwilioClientOptions {
  readonly accountSid: string;
  readonly username: string;
  readonly password: string;
  /** Sends every request to this base URL instead of https://*.twilio.com (local servers only). */
  readonly baseUrl?: string;
  /** Per-request timeout in milliseconds; defaults to 5000 so a webhook can still answer in time. */
  readonly timeoutMs?: number;
}

/** Rewrites `https://<product>.twilio.com/...` to a local base URL, keeping path and query. */
export function rewriteTwilioUri(uri: string, baseUrl: string): string {
  const target = new URL(uri);
  if (!/(^|\.)twilio\.com$/.test(target.hostname)) return uri;
  return baseUrl.replace(/\/+$/, '') + target.pathname + target.search;
}

/** twilio's RequestClient, with every twilio.com URI redirected to a local base URL. */
export class LocalRequestClient extends RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts?: RequestClient.RequestClientOptions,
  ) {
    super(opts);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: rewriteTwilioUri(opts.uri, this.baseUrl) });
  }
}

/** The SDK's base client with the 2010-04-01 API attached (`client.api.v2010.account...`). */
export class TwilioRestClient extends BaseTwilioClient {
  private apiDomain?: Api;

  /** The 2010-04-01 API domain (Conferences, Participants, Calls, Applications, IncomingPhoneNumbers). */
  get api(): Api {
    // The domain classes only use the base client's request(): the full Twilio class is not needed.
    this.apiDomain ??= new Api(this as unknown as Twilio);
    return this.apiDomain;
  }
}

/**
 * Creates a REST client.
 * @example
 * const client = createTwilioClient({ accountSid, username: accountSid, password: authToken });
 * await client.api.v2010.account.conferences('conf-CA123').participants.create({ from, to });
 */
export function createTwilioClient(options: TwilioClientOptions): TwilioRestClient {
  const timeout = options.timeoutMs ?? 5000;
  const httpClient = options.baseUrl
    ? new LocalRequestClient(options.baseUrl, { timeout, keepAlive: true })
    : new RequestClient({ timeout, keepAlive: true });
  return new TwilioRestClient(options.username, options.password, {
    accountSid: options.accountSid,
    httpClient,
  });
}
