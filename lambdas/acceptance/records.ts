/**
 * What the acceptance call reads and does, as ports: Twilio's records (REST), the stack's participants API and a
 * clock. The run (run.ts) only talks to these interfaces, so the same code runs from the CLI (`npm run verify`),
 * from the sandbox and, later, from a scheduled canary function; tests give it the sandbox's emulators.
 */

/** The voice configuration of the stack's number (IncomingPhoneNumbers). */
export interface NumberConfig {
  readonly sid: string;
  readonly phoneNumber: string;
  readonly voiceUrl: string | null;
  readonly voiceMethod: string | null;
  readonly voiceFallbackUrl: string | null;
  readonly voiceApplicationSid: string | null;
  readonly trunkSid: string | null;
}

/** The voice configuration of the TwiML App the agent is dialled through. */
export interface AppConfig {
  readonly sid: string;
  readonly voiceUrl: string | null;
  readonly voiceFallbackUrl: string | null;
}

/** A call leg (Calls resource); Twilio's dates have one-second resolution. */
export interface CallLeg {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: string;
  readonly status: string;
  readonly parentCallSid: string | null;
  readonly dateCreated: Date | null;
  readonly startTime: Date | null;
  readonly endTime: Date | null;
}

/** A conference (Conferences resource). */
export interface ConferenceInfo {
  readonly sid: string;
  readonly friendlyName: string;
  readonly status: string;
  readonly dateCreated: Date | null;
}

/** A conference participant (Participants resource). */
export interface ParticipantInfo {
  readonly callSid: string;
  readonly label: string | null;
  readonly status: string;
  readonly dateCreated: Date | null;
}

/** A Debugger alert (Monitor v1 Alerts). */
export interface AlertInfo {
  readonly sid: string;
  readonly errorCode: string;
  readonly logLevel: string;
  readonly alertText: string;
  readonly resourceSid: string | null;
  readonly requestUrl: string | null;
  readonly dateGenerated: Date | null;
  readonly moreInfo: string | null;
}

/** The test call as the Calls API creates it. */
export interface CallRequest {
  readonly to: string;
  readonly from: string;
  readonly twiml: string;
  /** `TimeLimit`: Twilio ends the call this many seconds after it starts, whatever happens to this process. */
  readonly timeLimitSeconds: number;
  /** `Timeout`: how long it may ring. */
  readonly timeoutSeconds: number;
}

/** A Twilio REST request that failed: Twilio's HTTP status and error code, or a network failure (status 0). */
export class TwilioRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'TwilioRequestError';
  }
}

/** Twilio's records the acceptance call reads and the calls it places and ends. Errors: {@link TwilioRequestError}. */
export interface TwilioRecords {
  /** The account's number with this E.164 value, or undefined. */
  findNumber(phoneNumber: string): Promise<NumberConfig | undefined>;
  /** A TwiML App, or undefined when the account has none with this SID. */
  fetchApp(sid: string): Promise<AppConfig | undefined>;
  createCall(request: CallRequest): Promise<CallLeg>;
  fetchCall(sid: string): Promise<CallLeg>;
  /** Calls with this `To` and `From`, newest first: `limit` of them (default 20). */
  listCalls(filter: { readonly to: string; readonly from: string; readonly limit?: number }): Promise<CallLeg[]>;
  /** Conferences with this friendly name, newest first. */
  findConferences(friendlyName: string): Promise<ConferenceInfo[]>;
  listParticipants(conferenceSid: string): Promise<ParticipantInfo[]>;
  /** `Status=completed`: hangs the leg up whatever its state. */
  hangUp(sid: string): Promise<CallLeg>;
  /** The account's alerts generated on or after `since` (Monitor filters by date only). */
  listAlerts(since: Date): Promise<AlertInfo[]>;
}

/** The stack's participants API, with its bearer token. */
export interface ParticipantsApi {
  /** `GET /conferences/{conference}/participants`: the HTTP status and, on 200, the participants' labels. */
  list(conference: string): Promise<{ readonly status: number; readonly labels: readonly (string | null)[] }>;
}

/** Time, injectable: tests and the sandbox run on real time too, but nothing else reads the clock. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The clock of the process. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
