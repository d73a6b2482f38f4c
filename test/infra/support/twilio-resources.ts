/**
 * A stateful stand-in for the two Twilio resources the providers manage (Applications and IncomingPhoneNumbers),
 * mounted on the scripted TwilioStub so tests can also inject faults and read every request.
 */
import {
  type TwilioStub,
  twilioError,
  type RecordedRequest,
  type StubResponse,
} from '../../lambdas/support/twilio-stub';

export const ACCOUNT = `AC${'c'.repeat(32)}`;
export const TOKEN = 'provider-test-auth-token-7e6d5c4b';
const DATE = 'Wed, 25 Nov 2026 20:00:00 +0000';

/** A number's Twilio resource, snake_case as the API returns it. */
export interface NumberRecord {
  sid: string;
  phone_number: string;
  voice_url: string | null;
  voice_method: string;
  voice_fallback_url: string | null;
  voice_fallback_method: string;
  voice_application_sid: string | null;
  trunk_sid: string | null;
}

const FORM_TO_NUMBER: Record<string, keyof NumberRecord> = {
  VoiceUrl: 'voice_url',
  VoiceMethod: 'voice_method',
  VoiceFallbackUrl: 'voice_fallback_url',
  VoiceFallbackMethod: 'voice_fallback_method',
  VoiceApplicationSid: 'voice_application_sid',
  TrunkSid: 'trunk_sid',
};
const FORM_TO_APP: Record<string, string> = {
  FriendlyName: 'friendly_name',
  VoiceUrl: 'voice_url',
  VoiceMethod: 'voice_method',
  VoiceFallbackUrl: 'voice_fallback_url',
  VoiceFallbackMethod: 'voice_fallback_method',
  StatusCallback: 'status_callback',
  StatusCallbackMethod: 'status_callback_method',
};

function numberJson(n: NumberRecord) {
  return {
    account_sid: ACCOUNT,
    api_version: '2010-04-01',
    friendly_name: n.phone_number,
    date_created: DATE,
    date_updated: DATE,
    sms_url: '',
    status_callback: '',
    status_callback_method: 'POST',
    voice_caller_id_lookup: false,
    voice_receive_mode: 'voice',
    status: 'in-use',
    uri: `/2010-04-01/Accounts/${ACCOUNT}/IncomingPhoneNumbers/${n.sid}.json`,
    ...n,
  };
}

/** The REST operations the providers use. */
export type Operation =
  | 'listNumbers'
  | 'fetchNumber'
  | 'updateNumber'
  | 'createApp'
  | 'fetchApp'
  | 'updateApp'
  | 'deleteApp';

/** Twilio's Accounts path prefix of the test account. */
export const BASE_PATH = `/2010-04-01/Accounts/${ACCOUNT}`;
const NUMBER_PATH = new RegExp(`^${BASE_PATH}/IncomingPhoneNumbers/(PN\\w+)\\.json$`);
const APP_PATH = new RegExp(`^${BASE_PATH}/Applications/(AP\\w+)\\.json$`);

/** Numbers and Applications held in memory, served with Twilio's paths and shapes. */
export class TwilioResources {
  readonly numbers = new Map<string, NumberRecord>();
  readonly apps = new Map<string, Record<string, unknown>>();
  private next = 0;

  private readonly faults = new Map<Operation, StubResponse[]>();

  constructor(readonly stub: TwilioStub) {
    const serve = (
      operation: Operation,
      method: string,
      path: RegExp,
      respond: (req: RecordedRequest) => StubResponse,
    ) => stub.on(method, path, (req) => this.faults.get(operation)?.shift() ?? respond(req));
    serve('listNumbers', 'GET', new RegExp(`^${BASE_PATH}/IncomingPhoneNumbers\\.json$`), (req) =>
      this.listNumbers(req),
    );
    serve('fetchNumber', 'GET', NUMBER_PATH, (req) =>
      this.withNumber(req, (n) => ({ status: 200, body: numberJson(n) })),
    );
    serve('updateNumber', 'POST', NUMBER_PATH, (req) => this.withNumber(req, (n) => this.update(n, req)));
    serve('createApp', 'POST', new RegExp(`^${BASE_PATH}/Applications\\.json$`), (req) => this.createApp(req));
    serve('fetchApp', 'GET', APP_PATH, (req) => this.withApp(req, (a) => ({ status: 200, body: a })));
    serve('updateApp', 'POST', APP_PATH, (req) => this.withApp(req, (a) => this.updateApp(a, req)));
    serve('deleteApp', 'DELETE', APP_PATH, (req) =>
      this.withApp(req, (a) => {
        this.apps.delete(String(a.sid));
        return { status: 204 };
      }),
    );
  }

  /** The next requests of `operation` get these answers, in order; later ones are served normally. */
  failNext(operation: Operation, ...responses: StubResponse[]): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...responses]);
  }

  /** Seeds a number the account owns. */
  addNumber(phoneNumber: string, settings: Partial<NumberRecord> = {}): NumberRecord {
    const n: NumberRecord = {
      sid: `PN${String(++this.next).padStart(32, '0')}`,
      phone_number: phoneNumber,
      voice_url: 'https://old.example.com/voice',
      voice_method: 'POST',
      voice_fallback_url: '',
      voice_fallback_method: 'POST',
      voice_application_sid: null,
      trunk_sid: null,
      ...settings,
    };
    this.numbers.set(n.sid, n);
    return n;
  }

  private listNumbers(req: RecordedRequest): StubResponse {
    // Twilio's PhoneNumber filter matches partially: emulate that, so an exact-match check is needed.
    const filter = req.query.get('PhoneNumber') ?? '';
    const matches = [...this.numbers.values()].filter((n) => n.phone_number.includes(filter.replace(/\*/g, '')));
    return {
      status: 200,
      body: {
        incoming_phone_numbers: matches.map(numberJson),
        page: 0,
        page_size: 50,
        first_page_uri: `${BASE_PATH}/IncomingPhoneNumbers.json?PageSize=50&Page=0`,
        next_page_uri: null,
        previous_page_uri: null,
        start: 0,
        end: matches.length,
        uri: `${BASE_PATH}/IncomingPhoneNumbers.json`,
      },
    };
  }

  private withNumber(req: RecordedRequest, act: (n: NumberRecord) => StubResponse): StubResponse {
    const n = this.numbers.get(NUMBER_PATH.exec(req.path)![1]);
    return n ? act(n) : twilioError(404, 20404, 'The requested resource was not found');
  }

  private update(n: NumberRecord, req: RecordedRequest): StubResponse {
    for (const [field, value] of Object.entries(req.form)) {
      const key = FORM_TO_NUMBER[field];
      if (key) (n as unknown as Record<string, unknown>)[key] = value === '' && /sid$/.test(key) ? null : value;
    }
    return { status: 200, body: numberJson(n) };
  }

  private createApp(req: RecordedRequest): StubResponse {
    const sid = `AP${String(++this.next).padStart(32, '0')}`;
    const app: Record<string, unknown> = {
      sid,
      account_sid: ACCOUNT,
      api_version: '2010-04-01',
      date_created: DATE,
      date_updated: DATE,
      voice_caller_id_lookup: false,
      uri: `${BASE_PATH}/Applications/${sid}.json`,
      friendly_name: null,
      voice_url: null,
      voice_method: 'POST',
      voice_fallback_url: null,
      voice_fallback_method: 'POST',
      status_callback: null,
      status_callback_method: 'POST',
    };
    this.apps.set(sid, app);
    return this.updateApp(app, req, 201);
  }

  private withApp(req: RecordedRequest, act: (a: Record<string, unknown>) => StubResponse): StubResponse {
    const app = this.apps.get(APP_PATH.exec(req.path)![1]);
    return app ? act(app) : twilioError(404, 20404, 'The requested resource was not found');
  }

  private updateApp(app: Record<string, unknown>, req: RecordedRequest, status = 200): StubResponse {
    for (const [field, value] of Object.entries(req.form)) if (FORM_TO_APP[field]) app[FORM_TO_APP[field]] = value;
    return { status, body: app };
  }
}
