/** The emulated account's resources: plain records the REST layer serialises and the voice engine mutates. */

/** The voice and SMS webhook settings Applications and IncomingPhoneNumbers share (the same form fields in the spec). */
export interface WebhookSettings {
  apiVersion: string;
  voiceUrl: string | null;
  voiceMethod: string;
  voiceFallbackUrl: string | null;
  voiceFallbackMethod: string;
  statusCallback: string | null;
  statusCallbackMethod: string;
  voiceCallerIdLookup: boolean;
  smsUrl: string | null;
  smsMethod: string;
  smsFallbackUrl: string | null;
  smsFallbackMethod: string;
}

/** A TwiML Application. */
export interface ApplicationRecord extends WebhookSettings {
  sid: string;
  friendlyName: string;
  smsStatusCallback: string | null;
  messageStatusCallback: string | null;
  publicApplicationConnectEnabled: boolean;
  dateCreated: Date;
  dateUpdated: Date;
}

/** What an incoming number can do (the API's `capabilities`). */
export interface NumberCapabilities {
  voice: boolean;
  sms: boolean;
  mms: boolean;
  fax: boolean;
}

/** A phone number the account owns. */
export interface IncomingNumberRecord extends WebhookSettings {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  voiceApplicationSid: string | null;
  smsApplicationSid: string | null;
  trunkSid: string | null;
  voiceReceiveMode: string;
  capabilities: NumberCapabilities;
  emergencyStatus: string;
  emergencyAddressSid: string | null;
  identitySid: string | null;
  addressSid: string | null;
  bundleSid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

/** Call statuses of the Call resource. */
export type CallStatus =
  | 'queued'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'no-answer'
  | 'canceled';

/** A call leg. */
export interface CallRecord {
  sid: string;
  parentCallSid: string | null;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  status: CallStatus;
  phoneNumberSid: string | null;
  applicationSid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date | null;
  endTime: Date | null;
  answeredBy: string | null;
  callerName: string | null;
  statusCallback: string | null;
  statusCallbackMethod: string;
  statusCallbackEvents: Set<string>;
  /** Sequence of call-progress callbacks sent. */
  callbackSequence: number;
  /** Milliseconds an API-created call waited in the account's CPS queue (`queue_time`). */
  queueTime: string;
  /** The `CallToken` Twilio sends with an incoming call's webhooks (null for other legs). */
  callToken: string | null;
}

/** Participant statuses of the Participant resource. */
export type ParticipantStatus = 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';

/** A conference participant (pending legs included: their label is already taken). */
export interface ParticipantRecord {
  callSid: string;
  conferenceSid: string;
  label: string | null;
  status: ParticipantStatus;
  hold: boolean;
  muted: boolean;
  coaching: boolean;
  callSidToCoach: string | null;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  beep: string;
  holdUrl: string | null;
  holdMethod: string;
  /** While held: whether the hold audio is being fetched, plays, or could not be fetched (silence). */
  holdAudio: 'fetching' | 'playing' | 'failed';
  waitUrl: string | null;
  queueTime: string;
  dateCreated: Date;
  dateUpdated: Date;
}

/** A conference. */
export interface ConferenceRecord {
  sid: string;
  friendlyName: string;
  status: 'init' | 'in-progress' | 'completed';
  region: string;
  dateCreated: Date;
  dateUpdated: Date;
  reasonConferenceEnded: string | null;
  callSidEndingConference: string | null;
  /** Fixed by the first participant that brings one (TwiML attribute or ConferenceStatusCallback). */
  statusCallback: string | null;
  statusCallbackMethod: string;
  statusCallbackEvents: Set<string>;
  maxParticipants: number;
  sequence: number;
  participants: Map<string, ParticipantRecord>;
}

/** Everything one emulated account holds. */
export class AccountState {
  readonly applications = new Map<string, ApplicationRecord>();
  readonly numbers = new Map<string, IncomingNumberRecord>();
  readonly calls = new Map<string, CallRecord>();
  readonly conferences = new Map<string, ConferenceRecord>();
  /** Caller IDs verified for the account, besides its own numbers. */
  readonly verifiedCallerIds = new Set<string>();
  /** API keys: SID to secret. */
  readonly apiKeys = new Map<string, string>();
  /** Numbers released with DELETE (the stack must never do this). */
  readonly releasedNumbers: IncomingNumberRecord[] = [];
  /** Numbers bought with POST IncomingPhoneNumbers (the stack must never do this either). */
  readonly purchasedNumbers: IncomingNumberRecord[] = [];

  /**
   * The secondary Auth Token, while one exists. Twilio (Console, or Accounts v1 `SecondaryAuthToken` and
   * `AuthTokenPromotion`, "Auth Token rotation"): a secondary token authenticates REST requests like the primary;
   * webhooks are signed with the primary only; promoting makes the secondary the primary and deletes the old one.
   */
  secondaryAuthToken: string | undefined;

  constructor(
    readonly accountSid: string,
    /** The primary Auth Token: a REST password and the key of every webhook signature. */
    public authToken: string,
  ) {}

  /** The active (not completed) conference with this name, if any. */
  activeConferenceByName(name: string): ConferenceRecord | undefined {
    return [...this.conferences.values()].find((c) => c.friendlyName === name && c.status !== 'completed');
  }

  /** The number record for an E.164 number. */
  numberByE164(e164: string): IncomingNumberRecord | undefined {
    return [...this.numbers.values()].find((n) => n.phoneNumber === e164);
  }

  /** Whether `from` may be used as caller ID: an owned number or a verified caller ID. */
  ownsCallerId(from: string): boolean {
    return this.numberByE164(from) !== undefined || this.verifiedCallerIds.has(from);
  }
}
