/**
 * The Twilio emulator of the local sandbox: a real REST server on 127.0.0.1 for the `twilio` client, a voice
 * engine that calls webhooks signed as Twilio signs them and runs their TwiML, conferences with status
 * callbacks, and Media Streams over WebSockets.
 *
 * @example
 * const emu = await startTwilioEmulator();
 * emu.addIncomingNumber('+15550001111', { voiceUrl: 'http://127.0.0.1:3000/twilio/voice/inbound' });
 * const { callSid } = await emu.placeInboundCall({ from: '+15557654321', to: '+15550001111' });
 * await emu.waitFor((e) => e.type === 'stream-started', 5000);
 * await emu.stop();
 */
import { audioPaths, type Listener } from './audio';
import { CallRateQueue, DEFAULT_CALLS_PER_SECOND } from './call-rate';
import { ConferenceManager } from './conference';
import { DeliveryScript } from './delivery-script';
import type { DebuggerAlert, EmulatorEvent, RecordedRestRequest, RecordedWebhook } from './events';
import { Timeline } from './events';
import { FaultInjector } from './faults';
import type { RestContext } from './resources/common';
import { LegScript } from './leg-script';
import { createNumberRecord, type NumberSeed } from './resources/incoming-numbers';
import { RestServer } from './rest-server';
import { isSid, newSid } from './sids';
import {
  AccountState,
  type CallRecord,
  type ConferenceRecord,
  type IncomingNumberRecord,
  type ParticipantRecord,
} from './state';
import { Scheduler, scaledClock } from './time';
import { VoiceEngine, type AnswerBehaviour } from './voice-engine';
import { WebhookClient } from './webhook-client';

export type { AnswerBehaviour } from './voice-engine';
export type { HeardSource, HoldAudioStatus, Listener } from './audio';
export type { DebuggerAlert, EmulatorEvent, RecordedRestRequest, RecordedWebhook } from './events';
export type { FaultSpec } from './faults';
export type { CreateRejection, LegOutcome, LegScript } from './leg-script';
export type { DeliveryScript, StatusCallbackPurpose } from './delivery-script';
export { DEFAULT_CALLS_PER_SECOND } from './call-rate';
export type { CallRecord, ConferenceRecord, IncomingNumberRecord, ParticipantRecord } from './state';
export { FaultInjector } from './faults';

/** Options of startTwilioEmulator; every one has a default. */
export interface TwilioEmulatorOptions {
  /** `AC...`; a random one by default. */
  readonly accountSid?: string;
  /** The Auth Token (REST password and webhook signing key); random by default. */
  readonly authToken?: string;
  /** Receives one line per event (e.g. `console.log`); silent by default. */
  readonly log?: (line: string) => void;
  /** How long a dialled person takes to answer, in ms (default 10). */
  readonly answerDelayMs?: number;
  /** Real milliseconds per Twilio millisecond for pauses and ring timeouts (default 0.001). */
  readonly timeScale?: number;
  /** `media` frames sent after a Media Stream's `start` (default 3). */
  readonly mediaFrames?: number;
  /** How long `<Say>`/`<Play>` take, in ms (default 5). */
  readonly mediaMs?: number;
  /** Webhook time limits (Twilio: 10 s to connect, 15 s in all). */
  readonly webhookTimeoutMs?: number;
  readonly webhookConnectTimeoutMs?: number;
  /**
   * The account's rate for calls created through the REST API (Participants and Calls creates; `<Dial>` legs are
   * not limited): Twilio's default is 1 (https://www.twilio.com/docs/glossary/cps), up to 30 self-served with a
   * Business Profile. Extra creates queue and report `queue_time`; the wait itself runs at `timeScale`.
   * `Infinity` turns the queue off. Default 1.
   */
  readonly callsPerSecond?: number;
  /**
   * The clock the calls-per-second queue reads arrivals on, in Twilio ms. Default: real time at `timeScale`, the
   * clock its waits are slept on. A frozen clock (`() => 0`) makes creates arrive at one Twilio instant: a burst
   * whose `queue_time`s are exact (0, 1000, 2000 ... at 1 cps), whatever the machine's pace.
   */
  readonly queueClock?: () => number;
}

/** A running emulator. */
export interface TwilioEmulator {
  /** `http://127.0.0.1:<port>`: give it to createTwilioClient({ baseUrl }) or a RequestClient that rewrites. */
  readonly baseUrl: string;
  readonly accountSid: string;
  /** The primary Auth Token now (it changes when a secondary one is promoted). */
  readonly authToken: string;
  /**
   * Creates the secondary Auth Token (Twilio: Console or Accounts v1 `POST /v1/AuthTokens/Secondary`): it
   * authenticates REST requests at once; webhooks stay signed with the primary.
   */
  createSecondaryAuthToken(): string;
  /**
   * Promotes the secondary Auth Token (Twilio: `POST /v1/AuthTokens/Promote`): from now on webhooks are signed with
   * it and the old primary is deleted (REST requests with it get 401 / 20003).
   */
  promoteSecondaryAuthToken(): void;
  /** Scripts REST responses per operation (429, 500, 16030, delays, resets). */
  readonly faults: FaultInjector;
  /**
   * Scripts how dialled legs end (per destination, e.g. `script.nextLeg('app:AP…', 'busy')`, or `'*'`) and which
   * creates Twilio refuses (`script.rejectCreate('+1555…', 21215)`).
   */
  readonly script: LegScript;
  /** The account's calls-per-second rate for API-created calls (Infinity: no queue). */
  readonly callsPerSecond: number;
  /** Real milliseconds per Twilio millisecond (`<Pause>`, ring timeouts, `TimeLimit`). */
  readonly timeScale: number;
  /** Scripts status-callback deliveries: `deliveries.duplicate('conference-status')`, `deliveries.delay('call-status', 50)`. */
  readonly deliveries: DeliveryScript;
  /** Every REST request with its form and response body (no credentials). */
  readonly requests: readonly RecordedRestRequest[];
  /** Every webhook sent, with its parameters, signature and answer. */
  readonly webhooks: readonly RecordedWebhook[];
  /** Twilio Debugger alerts (11200, 12100, 12200, ...). */
  readonly alerts: readonly DebuggerAlert[];
  /** Every event so far, in order. */
  readonly events: readonly EmulatorEvent[];
  /** Numbers released with DELETE (the stack must never release one). */
  readonly releasedNumbers: readonly IncomingNumberRecord[];
  /** Numbers bought with POST IncomingPhoneNumbers. */
  readonly purchasedNumbers: readonly IncomingNumberRecord[];
  /** Seeds a number the account owns (real numbers are bought outside the stack). */
  addIncomingNumber(e164: string, options?: NumberSeed): IncomingNumberRecord;
  /** Verifies a caller ID for `From` besides the account's numbers. */
  addVerifiedCallerId(e164: string): void;
  /** Creates an API key for REST auth (username = sid, password = secret). */
  addApiKey(): { sid: string; secret: string };
  /** A caller dials one of the account's numbers. */
  placeInboundCall(input: { from: string; to: string }): Promise<{ callSid: string }>;
  /** The caller (or callee) of a call hangs up. */
  hangup(callSid: string): Promise<void>;
  /** Scripts how calls to `to` (E.164, client:, sip:) are answered. */
  answerBehaviour(to: string, behaviour: AnswerBehaviour): void;
  /** A call by SID. */
  call(callSid: string): CallRecord | undefined;
  /** Every conference, newest last. */
  conferences(): ConferenceRecord[];
  /** Participants of a conference (by CF SID, or the latest conference with that name). */
  participants(conference: string): ParticipantRecord[];
  /**
   * Who hears whom now in a conference (by CF SID or latest with that name): each connected participant with the
   * participants, hold audio or wait music it hears (muting, hold and coaching applied).
   */
  audio(conference: string): Listener[];
  /** Subscribes to events; returns an unsubscribe function. */
  on(event: 'event', listener: (event: EmulatorEvent) => void): () => void;
  /** Resolves with the first event (past or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor<E extends EmulatorEvent = EmulatorEvent>(
    predicate: (event: EmulatorEvent) => boolean,
    timeoutMs?: number,
  ): Promise<E>;
  /** Resolves when `condition()` holds (checked on every event); rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs?: number, description?: string): Promise<void>;
  /**
   * Resolves when every queued status callback has been delivered and every webhook sent has its answer (also one
   * whose call has hung up since: the request is not aborted, its answer is dropped).
   */
  settle(): Promise<void>;
  /** Closes every server, socket and timer. */
  stop(): Promise<void>;
}

function describe(event: EmulatorEvent): string {
  const { type, at, ...rest } = event;
  return `[twilio +${String(at).padStart(5)}ms] ${type} ${JSON.stringify(rest)}`;
}

/** Twilio's seconds last a real millisecond unless a test asks otherwise. */
const DEFAULT_TIME_SCALE = 0.001;

/** Starts an emulator on a free port of 127.0.0.1. */
export async function startTwilioEmulator(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const accountSid = options.accountSid ?? newSid('AC');
  if (!isSid(accountSid, 'AC')) throw new Error('accountSid must be AC followed by 32 hex characters');
  const authToken = options.authToken ?? newSid('AC').slice(2);
  const state = new AccountState(accountSid, authToken);
  const timeline = new Timeline();
  const scheduler = new Scheduler();
  const faults = new FaultInjector();
  const deliveries = new DeliveryScript();
  const webhooks = new WebhookClient(
    state,
    timeline,
    {
      connectMs: options.webhookConnectTimeoutMs ?? 10000,
      totalMs: options.webhookTimeoutMs ?? 15000,
    },
    scheduler,
    deliveries,
  );
  const conferenceManager = new ConferenceManager(state, timeline, webhooks);
  const script = new LegScript();
  const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
  const rate = new CallRateQueue(options.callsPerSecond ?? DEFAULT_CALLS_PER_SECOND, {
    clock: options.queueClock ?? scaledClock(timeScale),
  });
  const engine = new VoiceEngine(
    state,
    conferenceManager,
    webhooks,
    timeline,
    scheduler,
    {
      answerDelayMs: options.answerDelayMs ?? 10,
      timeScale,
      mediaFrames: options.mediaFrames ?? 3,
      mediaMs: options.mediaMs ?? 5,
    },
    script,
    rate,
  );
  const ctx: RestContext = {
    state,
    conferences: conferenceManager,
    engine,
    accountUri: `/2010-04-01/Accounts/${accountSid}`,
    alerts: timeline.alerts,
  };
  const server = new RestServer(ctx, timeline, faults, scheduler);
  const baseUrl = await server.start();
  if (options.log) {
    const log = options.log;
    timeline.on((event) => log(describe(event)));
  }
  const waiters = new Set<() => void>();
  let stopped = false;
  const conferenceRecord = (conference: string): ConferenceRecord | undefined =>
    state.conferences.get(conference) ??
    [...state.conferences.values()].reverse().find((c) => c.friendlyName === conference);

  const waitUntil = (condition: () => boolean, timeoutMs = 5000, description = 'condition'): Promise<void> =>
    new Promise((resolve, reject) => {
      if (condition()) return resolve();
      const cleanup = () => {
        clearTimeout(timer);
        unsubscribe();
        waiters.delete(cancel);
      };
      const cancel = () => {
        cleanup();
        reject(new Error(`emulator stopped while waiting for ${description}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${description}; last events:\n${timeline.events.slice(-15).map(describe).join('\n')}`,
          ),
        );
      }, timeoutMs);
      const unsubscribe = timeline.on(() => {
        if (condition()) {
          cleanup();
          resolve();
        }
      });
      waiters.add(cancel);
    });

  return {
    baseUrl,
    accountSid,
    get authToken() {
      return state.authToken;
    },
    createSecondaryAuthToken() {
      if (state.secondaryAuthToken !== undefined) throw new Error('a secondary Auth Token exists already');
      state.secondaryAuthToken = newSid('AC').slice(2);
      return state.secondaryAuthToken;
    },
    promoteSecondaryAuthToken() {
      if (state.secondaryAuthToken === undefined) throw new Error('no secondary Auth Token to promote');
      state.authToken = state.secondaryAuthToken;
      state.secondaryAuthToken = undefined;
    },
    faults,
    script,
    callsPerSecond: rate.callsPerSecond,
    timeScale,
    deliveries,
    requests: timeline.requests,
    webhooks: timeline.webhooks,
    alerts: timeline.alerts,
    events: timeline.events,
    releasedNumbers: state.releasedNumbers,
    purchasedNumbers: state.purchasedNumbers,
    addIncomingNumber(e164, seed) {
      const existing = state.numberByE164(e164);
      if (existing) return existing;
      const record = createNumberRecord(e164, seed);
      state.numbers.set(record.sid, record);
      return record;
    },
    addVerifiedCallerId(e164) {
      state.verifiedCallerIds.add(e164);
    },
    addApiKey() {
      const sid = newSid('SK');
      const secret = newSid('SK').slice(2);
      state.apiKeys.set(sid, secret);
      return { sid, secret };
    },
    async placeInboundCall(input) {
      const { callSid } = engine.placeInboundCall(input);
      return { callSid };
    },
    hangup: (callSid) => engine.hangup(callSid),
    answerBehaviour: (to, behaviour) => engine.answerBehaviour(to, behaviour),
    call: (callSid) => state.calls.get(callSid),
    conferences: () => [...state.conferences.values()],
    participants(conference) {
      const record = conferenceRecord(conference);
      return record ? [...record.participants.values()] : [];
    },
    audio(conference) {
      const record = conferenceRecord(conference);
      return record ? audioPaths(record) : [];
    },
    on: (_event, listener) => timeline.on(listener),
    async waitFor<E extends EmulatorEvent>(predicate: (event: EmulatorEvent) => boolean, timeoutMs = 5000): Promise<E> {
      let found: EmulatorEvent | undefined;
      await waitUntil(
        () => {
          found ??= timeline.events.find(predicate);
          return found !== undefined;
        },
        timeoutMs,
        'a matching event',
      );
      return found as E;
    },
    waitUntil,
    async settle() {
      await conferenceManager.settle();
      await engine.settle();
      await webhooks.settle();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const cancel of [...waiters]) cancel();
      scheduler.stop();
      await engine.stop();
      webhooks.stop();
      await server.stop();
      timeline.clear();
    },
  };
}
