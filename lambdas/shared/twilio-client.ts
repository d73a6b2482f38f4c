/**
 * The one Twilio REST client factory. Handlers, the Pulumi dynamic provider and the sandbox all build their
 * clients here, so credentials, timeouts and the local base-URL override live in one place.
 *
 * The client is the official SDK's own base client with only the `api` (2010-04-01) domain attached: the same
 * request, auth and resource code as `twilio(...)`, without loading every other API area (the full client
 * costs ~200 ms to load and 3.6 MB bundled).
 */
import { Client as BaseTwilioClient } from 'twilio/lib/base/BaseTwilio';
import Domain from 'twilio/lib/base/Domain';
import RequestClient from 'twilio/lib/base/RequestClient';
import Version from 'twilio/lib/base/Version';
import type V2010 from 'twilio/lib/rest/api/V2010';
import type { ApplicationListInstance } from 'twilio/lib/rest/api/v2010/account/application';
import type { CallListInstance } from 'twilio/lib/rest/api/v2010/account/call';
import type { ConferenceListInstance } from 'twilio/lib/rest/api/v2010/account/conference';
import type { IncomingPhoneNumberListInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber';
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

/** The account's 2010-04-01 resources the stack uses, each the SDK's own list resource. */
export interface AccountResources {
  readonly conferences: ConferenceListInstance;
  readonly applications: ApplicationListInstance;
  readonly incomingPhoneNumbers: IncomingPhoneNumberListInstance;
  readonly calls: CallListInstance;
}

/*
 * Each resource module is required on first use: requiring twilio's `Api` domain would execute every 2010-04-01
 * resource module at load (about as slow as the whole SDK), which a cold Lambda pays for on every first call.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
class LazyAccountResources implements AccountResources {
  private conferenceList?: ConferenceListInstance;
  private applicationList?: ApplicationListInstance;
  private numberList?: IncomingPhoneNumberListInstance;
  private callList?: CallListInstance;

  constructor(
    private readonly version: V2010,
    private readonly accountSid: string,
  ) {}

  get conferences(): ConferenceListInstance {
    this.conferenceList ??= (require('twilio/lib/rest/api/v2010/account/conference') as typeof import('twilio/lib/rest/api/v2010/account/conference')).ConferenceListInstance(this.version, this.accountSid);
    return this.conferenceList;
  }
  get applications(): ApplicationListInstance {
    this.applicationList ??= (require('twilio/lib/rest/api/v2010/account/application') as typeof import('twilio/lib/rest/api/v2010/account/application')).ApplicationListInstance(this.version, this.accountSid);
    return this.applicationList;
  }
  get incomingPhoneNumbers(): IncomingPhoneNumberListInstance {
    this.numberList ??= (require('twilio/lib/rest/api/v2010/account/incomingPhoneNumber') as typeof import('twilio/lib/rest/api/v2010/account/incomingPhoneNumber')).IncomingPhoneNumberListInstance(this.version, this.accountSid);
    return this.numberList;
  }
  get calls(): CallListInstance {
    this.callList ??= (require('twilio/lib/rest/api/v2010/account/call') as typeof import('twilio/lib/rest/api/v2010/account/call')).CallListInstance(this.version, this.accountSid);
    return this.callList;
  }
}

/** The SDK's base client with this account's 2010-04-01 resources attached (`client.api.v2010.account...`). */
export class TwilioRestClient extends BaseTwilioClient {
  private resources?: AccountResources;

  /** Same paths as the full SDK client: `client.api.v2010.account.conferences(...)`. */
  get api(): { readonly v2010: { readonly account: AccountResources } } {
    if (!this.resources) {
      // The resource classes only use the base client's request(); the full Twilio class is not needed.
      const domain = new Domain(this as unknown as Twilio, 'https://api.twilio.com');
      const version = new Version(domain, '2010-04-01') as V2010;
      this.resources = new LazyAccountResources(version, this.accountSid);
    }
    return { v2010: { account: this.resources } };
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
