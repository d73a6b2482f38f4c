/**
 * The one Twilio REST client factory. Handlers, the Pulumi dynamic provider and the sandbox all build their
 * clients here, so credentials, timeouts and the local base-URL override live in one place.
 *
 * The client runs the official SDK's own 2010-04-01 resource classes (ConferenceListInstance, its
 * participants, Applications, IncomingPhoneNumbers, Calls: their paths, serialisation, paging and
 * RestException) and Monitor v1's Alerts, loaded on first use, over a lean node:http transport. Requiring `twilio` itself costs ~200 ms
 * and 3.6 MB bundled; its base client alone still loads axios (~80 ms), which a cold webhook Lambda would pay.
 */
import os from 'node:os';
import Domain from 'twilio/lib/base/Domain';
import Version from 'twilio/lib/base/Version';
import type V2010 from 'twilio/lib/rest/api/V2010';
import type { ApplicationListInstance } from 'twilio/lib/rest/api/v2010/account/application';
import type { CallListInstance } from 'twilio/lib/rest/api/v2010/account/call';
import type { ConferenceListInstance } from 'twilio/lib/rest/api/v2010/account/conference';
import type { IncomingPhoneNumberListInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber';
import type { AlertListInstance } from 'twilio/lib/rest/monitor/v1/alert';
import type Twilio from 'twilio/lib/rest/Twilio';
import {
  DEFAULT_TWILIO_REQUEST_TIMEOUT_MS,
  NodeHttpTransport,
  type TransportRequest,
  type TransportResponse,
} from './twilio-transport';

/** Credentials and endpoint of a REST client. `username`/`password`: Account SID + Auth Token, or API key + secret. */
export interface TwilioClientOptions {
  readonly accountSid: string;
  readonly username: string;
  readonly password: string;
  /** Sends every request to this base URL instead of https://*.twilio.com (local servers only). */
  readonly baseUrl?: string;
  /** Per-request timeout in milliseconds; defaults to 5000 so a webhook can still answer in time. */
  readonly timeoutMs?: number;
  /**
   * Called when Twilio answers 401 (it processed nothing): resolves a rotated password to send the request once
   * more with (kept for later requests), or undefined to give the 401 back.
   */
  readonly onUnauthorized?: () => Promise<string | undefined>;
}

/** Rewrites `https://<product>.twilio.com/...` to a local base URL, keeping path and query. */
export function rewriteTwilioUri(uri: string, baseUrl: string): string {
  const target = new URL(uri);
  if (!/(^|\.)twilio\.com$/.test(target.hostname)) return uri;
  return baseUrl.replace(/\/+$/, '') + target.pathname + target.search;
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
    this.conferenceList ??= (
      require('twilio/lib/rest/api/v2010/account/conference') as typeof import('twilio/lib/rest/api/v2010/account/conference')
    ).ConferenceListInstance(this.version, this.accountSid);
    return this.conferenceList;
  }
  get applications(): ApplicationListInstance {
    this.applicationList ??= (
      require('twilio/lib/rest/api/v2010/account/application') as typeof import('twilio/lib/rest/api/v2010/account/application')
    ).ApplicationListInstance(this.version, this.accountSid);
    return this.applicationList;
  }
  get incomingPhoneNumbers(): IncomingPhoneNumberListInstance {
    this.numberList ??= (
      require('twilio/lib/rest/api/v2010/account/incomingPhoneNumber') as typeof import('twilio/lib/rest/api/v2010/account/incomingPhoneNumber')
    ).IncomingPhoneNumberListInstance(this.version, this.accountSid);
    return this.numberList;
  }
  get calls(): CallListInstance {
    this.callList ??= (
      require('twilio/lib/rest/api/v2010/account/call') as typeof import('twilio/lib/rest/api/v2010/account/call')
    ).CallListInstance(this.version, this.accountSid);
    return this.callList;
  }
}

/** twilio-node's User-Agent, so requests look to Twilio exactly as the SDK's own do. */
const USER_AGENT = `twilio-node/${(require('twilio/package.json') as { version: string }).version} (${os.platform()} ${os.arch()}) node/${process.version}`;

/** A REST client for one account: `client.api.v2010.account.conferences(...)`, as on the full SDK client. */
export class TwilioRestClient {
  private resources?: AccountResources;
  private alertList?: AlertListInstance;
  private readonly transport: NodeHttpTransport;
  private password: string;

  constructor(private readonly options: TwilioClientOptions) {
    this.transport = new NodeHttpTransport(options.timeoutMs ?? DEFAULT_TWILIO_REQUEST_TIMEOUT_MS);
    this.password = options.password;
  }

  get accountSid(): string {
    return this.options.accountSid;
  }

  /** Same paths as the full SDK client: `client.api.v2010.account.conferences(...)`. */
  get api(): { readonly v2010: { readonly account: AccountResources } } {
    if (!this.resources) {
      // The resource classes only call `request()` on the client they are given.
      const domain = new Domain(this as unknown as Twilio, 'https://api.twilio.com');
      const version = new Version(domain, '2010-04-01') as V2010;
      this.resources = new LazyAccountResources(version, this.options.accountSid);
    }
    return { v2010: { account: this.resources } };
  }

  /**
   * Monitor v1 (monitor.twilio.com), as on the full SDK client: `client.monitor.v1.alerts.list(...)`, the Debugger's
   * alerts. Loaded on first use; no handler on a call's path needs it.
   */
  get monitor(): { readonly v1: { readonly alerts: AlertListInstance } } {
    if (!this.alertList) {
      const domain = new Domain(this as unknown as Twilio, 'https://monitor.twilio.com');
      const alerts = require('twilio/lib/rest/monitor/v1/alert') as typeof import('twilio/lib/rest/monitor/v1/alert');
      // Typed through the alert module alone: importing twilio's `monitor/V1` beside `monitor/v1/alert` (names that
      // differ only in case) breaks Pulumi's ts-node, which then finds neither.
      const version = new Version(domain, 'v1') as unknown as Parameters<typeof alerts.AlertListInstance>[0];
      this.alertList = alerts.AlertListInstance(version);
    }
    return { v1: { alerts: this.alertList } };
  }

  /**
   * What twilio's Domain calls for every request: adds auth and the SDK's headers, applies the base URL. A 401 is
   * sent once more when `onUnauthorized` supplies a rotated password.
   */
  async request(opts: TransportRequest): Promise<TransportResponse> {
    const response = await this.send(opts);
    if (response.statusCode !== 401 || !this.options.onUnauthorized) return response;
    const rotated = await this.options.onUnauthorized();
    if (rotated === undefined) return response;
    this.password = rotated;
    return this.send(opts);
  }

  private send(opts: TransportRequest): Promise<TransportResponse> {
    const method = opts.method.toLowerCase();
    const headers: Record<string, string> = { ...opts.headers, 'User-Agent': USER_AGENT, 'Accept-Charset': 'utf-8' };
    if ((method === 'post' || method === 'put') && !headers['Content-Type'])
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    if (method !== 'delete' && !headers.Accept) headers.Accept = 'application/json';
    return this.transport.request({
      ...opts,
      method,
      uri: this.options.baseUrl ? rewriteTwilioUri(opts.uri, this.options.baseUrl) : opts.uri,
      headers,
      username: this.options.username,
      password: this.password,
    });
  }
}

/**
 * Creates a REST client.
 * @example
 * const client = createTwilioClient({ accountSid, username: accountSid, password: authToken });
 * await client.api.v2010.account.conferences('conf-CA123').participants.create({ from, to });
 */
export function createTwilioClient(options: TwilioClientOptions): TwilioRestClient {
  return new TwilioRestClient(options);
}
