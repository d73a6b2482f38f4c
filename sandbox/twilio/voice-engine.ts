/**
 * The voice engine: call legs, their webhooks and the TwiML they run. Inbound calls fetch the number's voice
 * URL; REST participant legs ring, answer (or not, as scripted) and join their conference; `app:` legs fetch
 * the TwiML App's voice URL with the custom parameters on its query string. TwiML runs verb by verb and can be
 * interrupted by a hang-up or a REST redirect, as on Twilio.
 *
 * This module is the emulator's entry to them: it starts each kind of leg and wires the rooms that do the work,
 * leg-lifecycle.ts (create, ring, status, hang-up, status callbacks), webhook-loading.ts (fetching a leg's TwiML,
 * fallback URL, 11200/11205/12300) and twiml-interpreter.ts (the verbs; `<Connect>` in twiml-connect.ts).
 */
import type { CallRateQueue } from './call-rate';
import type { CallSession, TwimlSource } from './call-session';
import { issueCallToken } from './call-token';
import type { ConferenceManager, JoinSettings } from './conference';
import { CODES, TwilioApiError } from './errors';
import type { Timeline } from './events';
import { LegLifecycle, type VoiceEngineOptions } from './leg-lifecycle';
import type { LegOutcome, LegScript } from './leg-script';
import type { AccountState, CallRecord, ConferenceRecord, ParticipantRecord } from './state';
import { Cancelled, type Scheduler } from './time';
import { ConnectVerb } from './twiml-connect';
import { TwimlInterpreter } from './twiml-interpreter';
import type { WebhookClient } from './webhook-client';
import { appSource, inboundSource, parseAppTarget, urlSource, WebhookLoader } from './webhook-loading';

/** How a dialled person (phone, client, sip) responds (kept for `emu.answerBehaviour`; see leg-script.ts). */
export type AnswerBehaviour = LegOutcome;

/**
 * A leg created through the REST API, not dialled yet. Twilio answers the create first (status `queued`, with
 * `queue_time`, "an estimated time the call will be queued before it is executed": changelog 2024-03-25,
 * https://twilio.com/en-us/changelog/queue-time-now-returned-when-creating-new-conference-participant) and
 * dials the leg afterwards, through the account's CPS queue (https://www.twilio.com/docs/glossary/cps); so the
 * REST server calls `dial` only once the create answer has been sent.
 */
export interface CreatedLeg<T> {
  /** The resource as the create answer reports it. */
  readonly created: T;
  /** Starts the leg: waits out its queue time, then dials. */
  readonly dial: () => void;
}

/** Runs every call leg of the account. */
export class VoiceEngine {
  private readonly legs: LegLifecycle;
  private readonly twiml: TwimlInterpreter;
  private readonly connect: ConnectVerb;

  constructor(
    private readonly state: AccountState,
    private readonly conferences: ConferenceManager,
    webhooks: WebhookClient,
    private readonly timeline: Timeline,
    scheduler: Scheduler,
    options: VoiceEngineOptions,
    /** Scripted leg outcomes and create refusals. */
    readonly script: LegScript,
    /** The account's CPS queue for API-created calls. */
    rate: CallRateQueue,
  ) {
    this.legs = new LegLifecycle(state, conferences, webhooks, timeline, scheduler, options, script, rate);
    const loader = new WebhookLoader(state, webhooks, timeline);
    this.connect = new ConnectVerb(state, this.legs, loader, timeline, options);
    this.twiml = new TwimlInterpreter(this.legs, loader, this.connect, conferences, timeline, scheduler, options);
  }

  /** Scripts how every call to `to` is answered from now on (default: answer). */
  answerBehaviour(to: string, behaviour: AnswerBehaviour): void {
    this.script.leg(to, behaviour);
  }

  /** Throws the Twilio error a script set for creates to `to`. */
  private assertNotRefused(to: string): void {
    const rejection = this.script.takeRejection(to);
    if (rejection) throw new TwilioApiError(rejection.status, rejection.code, rejection.message);
  }

  /** A caller dials one of the account's numbers: the number's voice URL (or TwiML App) is fetched and run. */
  placeInboundCall(input: { from: string; to: string }): { callSid: string; done: Promise<void> } {
    const number = this.state.numberByE164(input.to);
    if (!number) throw new Error(`${input.to} is not a number of this account (add it with addIncomingNumber)`);
    const session = this.legs.create({
      from: input.from,
      to: input.to,
      direction: 'inbound',
      phoneNumberSid: number.sid,
      status: 'ringing',
    });
    session.call.callToken = issueCallToken(session.call, session.call.dateCreated);
    const app = number.voiceApplicationSid ? this.state.applications.get(number.voiceApplicationSid) : undefined;
    const source = inboundSource(number, app);
    if (app) session.call.applicationSid = app.sid;
    if (!source) {
      this.timeline.alert({
        code: CODES.httpRetrievalFailure,
        message: `Number ${number.sid} has no voice URL to call`,
        callSid: session.call.sid,
      });
      void this.legs.finish(session, 'failed');
    } else {
      void this.twiml.run(session, source);
    }
    return { callSid: session.call.sid, done: session.done };
  }

  /**
   * Creates a REST participant (`To` already validated) in `conference`: reserves its label and its slot in the
   * dial queue now. Returns the participant as the create answer reports it (`queued`, with `queue_time`) and
   * `dial`, which starts the leg: the caller runs it once that answer has been sent.
   */
  dialParticipant(
    conference: ConferenceRecord,
    input: {
      from: string;
      to: string;
      settings: JoinSettings;
      timeoutSeconds: number;
      statusCallback: string | null;
      statusCallbackMethod: string;
      statusCallbackEvents: string[];
    },
  ): CreatedLeg<ParticipantRecord> {
    this.assertNotRefused(input.to);
    const app = parseAppTarget(input.to);
    const session = this.legs.create({
      from: input.from,
      to: app ? `app:${app.appSid}` : input.to,
      direction: 'outbound-api',
      status: 'queued',
      statusCallback: input.statusCallback,
      statusCallbackMethod: input.statusCallbackMethod,
      statusCallbackEvents: input.statusCallbackEvents,
      applicationSid: app?.appSid ?? null,
    });
    if (app) session.appQuery = app.query;
    let participant: ParticipantRecord;
    try {
      participant = this.conferences.reserve(conference, session.call.sid, input.settings, {
        onRemoved: (reason) => this.legs.onRemovedFromConference(session, reason),
      });
    } catch (error) {
      this.legs.discard(session.call.sid);
      throw error;
    }
    const queueMs = this.legs.enqueue(session);
    participant.queueTime = String(queueMs);
    // The create response shows the participant as queued, before the leg starts ringing.
    const snapshot = { ...participant };
    return {
      created: snapshot,
      dial: () =>
        void this.legs.ringParticipant(session, conference, input.settings, input.timeoutSeconds, queueMs, (...run) =>
          this.twiml.run(...run),
        ),
    };
  }

  /**
   * REST Calls create: an outbound-api leg that rings `to`, then runs the given TwiML, Url or Application.
   * Returns the call as the create answer reports it and `dial`, which starts the leg once that answer is sent.
   */
  createCall(input: {
    from: string;
    to: string;
    url?: string;
    method?: string;
    fallbackUrl?: string | null;
    fallbackMethod?: string;
    twiml?: string;
    applicationSid?: string;
    timeoutSeconds: number;
    /** `TimeLimit`: the most seconds the call lasts once answered. */
    timeLimitSeconds?: number;
    statusCallback: string | null;
    statusCallbackMethod: string;
    statusCallbackEvents: string[];
  }): CreatedLeg<CallRecord> {
    this.assertNotRefused(input.to);
    const app = input.applicationSid ? this.state.applications.get(input.applicationSid) : undefined;
    const session = this.legs.create({
      from: input.from,
      to: input.to,
      direction: 'outbound-api',
      status: 'queued',
      statusCallback: input.statusCallback,
      statusCallbackMethod: input.statusCallbackMethod,
      statusCallbackEvents: input.statusCallbackEvents,
      applicationSid: app?.sid ?? null,
    });
    const source: TwimlSource =
      input.twiml !== undefined
        ? { kind: 'twiml', xml: input.twiml }
        : app
          ? appSource(app)
          : urlSource(
              input.url ?? '',
              input.method ?? 'POST',
              'voice-url',
              input.fallbackUrl ?? null,
              input.fallbackMethod ?? 'POST',
              'voice-fallback',
            );
    const queueMs = this.legs.enqueue(session);
    const created = { ...session.call };
    const dial = async (): Promise<void> => {
      try {
        await this.legs.waitInQueue(session, queueMs);
        this.legs.callback(session, 'initiated');
        const scripted = this.script.takeOutcome(input.to);
        const behaviour =
          scripted === undefined && this.state.numberByE164(input.to)
            ? await this.ringOwnNumber(session)
            : await this.legs.ring(session, input.timeoutSeconds, undefined, scripted ?? 'answer');
        if (session.ended) return;
        if (behaviour !== 'answer') return void (await this.legs.finish(session, behaviour));
        await this.twiml.run(session, source, () => {
          if (input.timeLimitSeconds !== undefined) this.legs.endAfter(session, input.timeLimitSeconds);
          return true;
        });
      } catch (error) {
        if (!(error instanceof Cancelled)) throw error;
      }
    };
    return { created, dial: () => void dial() };
  }

  /**
   * A call the account places to one of its own numbers (the stack's acceptance call does): the API-created leg
   * rings, and the number receives it as an inbound call (its own CallSid, direction `inbound`, `From` the caller
   * ID given) that fetches the number's voice URL. The API-created leg is answered when that inbound leg answers
   * and runs its own TwiML; when either leg ends, the other ends too.
   * Twilio documents no restriction on such calls (reference §14); how the two legs relate on Twilio is UNCONFIRMED
   * here: the emulator gives the inbound leg no `parent_call_sid`, so a client finds it by `To`, `From` and direction.
   */
  private async ringOwnNumber(session: CallSession): Promise<LegOutcome> {
    this.legs.setStatus(session, 'ringing');
    this.legs.callback(session, 'ringing');
    const { callSid } = this.placeInboundCall({ from: session.call.from, to: session.call.to });
    const inbound = this.legs.get(callSid)!;
    inbound.linkedSid = session.call.sid;
    session.linkedSid = callSid;
    // A number with nothing to call fails its inbound leg at once, before the two were linked.
    if (inbound.ended && !inbound.answered) return inbound.call.status === 'busy' ? 'busy' : 'failed';
    const signal = session.verb.signal;
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Cancelled());
      signal.addEventListener('abort', () => reject(new Cancelled()), { once: true });
      void inbound.answeredOnce.then(resolve);
    });
    return 'answer';
  }

  /** Hangs a call up (the caller or callee puts the phone down). */
  hangup(callSid: string): Promise<void> {
    const session = this.legs.get(callSid);
    if (!session) return Promise.resolve();
    return this.legs.finish(session, session.answered ? 'completed' : 'canceled');
  }

  /** REST Calls update: Status=completed|canceled, or new TwiML / Url to run instead of the current one. */
  updateCall(
    callSid: string,
    changes: {
      status?: string;
      twiml?: string;
      url?: string;
      method?: string;
      fallbackUrl?: string;
      fallbackMethod?: string;
    },
  ): 'ok' | 'not-in-progress' {
    const session = this.legs.get(callSid);
    if (!session || session.ended) return 'not-in-progress';
    if (changes.status === 'completed' || changes.status === 'canceled') {
      void this.legs.finish(session, session.answered ? 'completed' : 'canceled', 'kicked');
      return 'ok';
    }
    if (changes.twiml !== undefined) session.pending = { kind: 'twiml', xml: changes.twiml };
    else if (changes.url !== undefined)
      session.pending = urlSource(
        changes.url,
        changes.method ?? 'POST',
        'call-update-url',
        changes.fallbackUrl ?? null,
        changes.fallbackMethod ?? 'POST',
        'voice-fallback',
      );
    else return 'ok';
    session.verb.abort();
    return 'ok';
  }

  /** Whether a call still runs. */
  isActive(callSid: string): boolean {
    return this.legs.get(callSid)?.ended === false;
  }

  /** Resolves when every leg has ended and every call callback was sent. */
  async settle(): Promise<void> {
    await Promise.all(this.legs.all().map((s) => s.callbacks));
  }

  /** Ends every leg (on stop). */
  async stop(): Promise<void> {
    for (const session of this.legs.all()) {
      session.ended = true;
      session.verb.abort();
      session.resolveDone();
    }
    // Every WebSocket is closed before stop() returns: no open handle survives the emulator.
    await this.connect.stop();
  }
}
