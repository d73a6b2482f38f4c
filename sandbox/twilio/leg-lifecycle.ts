/**
 * Leg lifecycle: a call leg from creation to hang-up. Creates the Call resource, waits out the account's CPS queue
 * (https://www.twilio.com/docs/glossary/cps), rings with the scripted outcome, moves the call status, ends the leg
 * (out of its conference, its linked leg with it) and sends the call-progress status callbacks of the Call resource
 * (`initiated ringing answered completed`, 15003 on failure). Dials REST participant legs into their conference;
 * the TwiML an `app:` leg answers with is run by the interpreter it is handed (twiml-interpreter.ts).
 */
import type { CallRateQueue } from './call-rate';
import { CallSession, type TwimlSource } from './call-session';
import type { ConferenceManager, JoinSettings, LeaveReason } from './conference';
import { CODES } from './errors';
import type { Timeline } from './events';
import type { LegOutcome, LegScript } from './leg-script';
import { newSid } from './sids';
import type { AccountState, CallRecord, CallStatus, ConferenceRecord } from './state';
import { Cancelled, rfc2822, type Scheduler } from './time';
import { appSource, callParams } from './webhook-loading';
import type { WebhookClient } from './webhook-client';

/** Engine timing: everything Twilio measures in seconds is multiplied by `timeScale` (tests run fast). */
export interface VoiceEngineOptions {
  /** How long a dialled person takes to answer, in ms. */
  readonly answerDelayMs: number;
  /** Scale of TwiML/Twilio seconds (`<Pause length>`, ring timeouts) to real time: 0.001 = 1 s lasts 1 ms. */
  readonly timeScale: number;
  /** `media` frames sent on each Media Stream after `start`. */
  readonly mediaFrames: number;
  /** How long `<Say>`/`<Play>` take, in ms. */
  readonly mediaMs: number;
}

/** The account's call legs: creates, rings, moves and ends them, and reports their progress. */
export class LegLifecycle {
  private readonly sessions = new Map<string, CallSession>();

  constructor(
    private readonly state: AccountState,
    private readonly conferences: ConferenceManager,
    private readonly webhooks: WebhookClient,
    private readonly timeline: Timeline,
    private readonly scheduler: Scheduler,
    private readonly options: VoiceEngineOptions,
    private readonly script: LegScript,
    private readonly rate: CallRateQueue,
  ) {}

  /** The running (or ended) leg of `callSid`. */
  get(callSid: string): CallSession | undefined {
    return this.sessions.get(callSid);
  }

  /** Every leg created so far. */
  all(): CallSession[] {
    return [...this.sessions.values()];
  }

  /** Twilio seconds in real ms, at the engine's time scale. */
  scaled(seconds: number): number {
    return seconds * 1000 * this.options.timeScale;
  }

  /** Creates a Call resource and its leg. */
  create(input: {
    from: string;
    to: string;
    direction: CallRecord['direction'];
    status: CallStatus;
    phoneNumberSid?: string;
    parentCallSid?: string;
    statusCallback?: string | null;
    statusCallbackMethod?: string;
    statusCallbackEvents?: string[];
    applicationSid?: string | null;
  }): CallSession {
    const now = new Date();
    const call: CallRecord = {
      sid: newSid('CA'),
      parentCallSid: input.parentCallSid ?? null,
      from: input.from,
      to: input.to,
      direction: input.direction,
      status: input.status,
      phoneNumberSid: input.phoneNumberSid ?? null,
      applicationSid: input.applicationSid ?? null,
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
      answeredBy: null,
      callerName: null,
      statusCallback: input.statusCallback ?? null,
      statusCallbackMethod: input.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: new Set(input.statusCallbackEvents?.length ? input.statusCallbackEvents : ['completed']),
      callToken: null,
      callbackSequence: 0,
      queueTime: '0',
    };
    this.state.calls.set(call.sid, call);
    const session = new CallSession(call);
    this.sessions.set(call.sid, session);
    this.timeline.emit({
      type: 'call-created',
      callSid: call.sid,
      from: call.from,
      to: call.to,
      direction: call.direction,
    });
    return session;
  }

  /** Forgets a leg whose create was refused (it never existed for the account). */
  discard(callSid: string): void {
    this.sessions.delete(callSid);
    this.state.calls.delete(callSid);
  }

  setStatus(session: CallSession, status: CallStatus): void {
    if (session.call.status === status) return;
    session.call.status = status;
    session.call.dateUpdated = new Date();
    if (status === 'in-progress') session.call.startTime = new Date();
    this.timeline.emit({ type: 'call-status', callSid: session.call.sid, status });
  }

  /**
   * Rings a leg: the scripted outcome after the answer delay. `no-answer` rings out after `Timeout` plus the
   * 5 s Twilio adds (Participant resource, `Timeout`: "We always add a 5-second timeout buffer to outgoing
   * calls, so value of 10 would result in an actual timeout that was closer to 15 seconds"), in scaled time.
   */
  async ring(
    session: CallSession,
    timeoutSeconds: number,
    signal?: AbortSignal,
    outcome: LegOutcome = this.script.takeOutcome(session.call.to) ?? 'answer',
  ): Promise<LegOutcome> {
    this.setStatus(session, 'ringing');
    this.callback(session, 'ringing');
    if (outcome === 'no-answer') await this.scheduler.sleep(this.scaled(timeoutSeconds + 5), signal);
    else await this.scheduler.sleep(this.options.answerDelayMs, signal);
    return outcome;
  }

  /** Puts an API-created call into the account's CPS queue; returns its `queue_time` in (Twilio) ms. */
  enqueue(session: CallSession): number {
    const queueMs = this.rate.reserve();
    session.call.queueTime = String(queueMs);
    return queueMs;
  }

  /** Waits out the queue time (scaled like every Twilio second); a hang-up or cancel ends the wait. */
  async waitInQueue(session: CallSession, queueMs: number): Promise<void> {
    if (queueMs > 0) await this.scheduler.sleep(this.scaled(queueMs / 1000), session.verb.signal);
  }

  /**
   * `TimeLimit` (Call resource: "The maximum duration of the call in seconds"): the leg hangs up that long after it
   * was answered (when the clock starts is UNCONFIRMED; `<Dial timeLimit>` counts from the answer too), in scaled time.
   */
  endAfter(session: CallSession, seconds: number): void {
    this.scheduler.sleep(this.scaled(seconds), session.lifetime.signal).then(
      () => void this.finish(session, 'completed'),
      () => undefined,
    );
  }

  /** The conference dropped a REST leg (kicked, conference ended): the leg hangs up. */
  onRemovedFromConference(session: CallSession, reason: LeaveReason): void {
    if (session.ended || session.call.direction === 'inbound') return;
    if (session.call.direction === 'outbound-api')
      void this.finish(session, session.answered ? 'completed' : reason === 'failed' ? 'failed' : 'canceled', reason);
  }

  /** Ends a leg: final status, out of its conference, stream stopped, status callback sent. */
  async finish(session: CallSession, status: CallStatus, leaveReason: LeaveReason = 'hangup'): Promise<void> {
    if (session.ended) return session.callbacks;
    session.ended = true;
    session.leaveReason = status === 'completed' ? leaveReason : 'failed';
    session.verb.abort();
    session.lifetime.abort();
    session.call.endTime = new Date();
    // Out of the conference first, so that whoever sees the final call status also sees the participant gone.
    this.conferences.leave(session.call.sid, session.leaveReason, status);
    this.setStatus(session, status);
    this.callback(session, 'completed');
    session.resolveDone();
    const linked = session.linkedSid === undefined ? undefined : this.sessions.get(session.linkedSid);
    if (linked && !linked.ended) {
      // One end of a call to an own number hung up (or never connected): the other end goes with it.
      const unanswered = ['busy', 'failed', 'no-answer'].includes(status) ? status : 'canceled';
      void this.finish(linked, linked.answered || session.answered ? 'completed' : unanswered);
    }
    return session.callbacks;
  }

  /** Queues a call-progress callback (StatusCallback of the leg) when subscribed to `event`. */
  callback(session: CallSession, event: 'initiated' | 'ringing' | 'answered' | 'completed'): void {
    const call = session.call;
    if (!call.statusCallback || !call.statusCallbackEvents.has(event)) return;
    call.callbackSequence += 1;
    // Each event reports its own status; only `completed` carries the final one (completed, busy, canceled...).
    const callStatus =
      event === 'initiated'
        ? 'initiated'
        : event === 'ringing'
          ? 'ringing'
          : event === 'answered'
            ? 'in-progress'
            : call.status;
    const params: Record<string, string> = {
      ...callParams(this.state.accountSid, call),
      CallStatus: callStatus,
      CallbackSource: 'call-progress-events',
      SequenceNumber: String(call.callbackSequence - 1),
      Timestamp: rfc2822(new Date()),
    };
    if (event === 'completed') {
      const seconds =
        call.startTime && call.endTime ? Math.round((call.endTime.getTime() - call.startTime.getTime()) / 1000) : 0;
      Object.assign(params, { CallDuration: String(seconds), Duration: String(Math.ceil(seconds / 60)) });
    }
    const url = call.statusCallback;
    session.callbacks = session.callbacks.then(() =>
      this.webhooks.deliverCallback(
        { purpose: 'call-status', url, method: call.statusCallbackMethod, params, callSid: call.sid },
        (response) => {
          // A call-progress callback is delivered once (no retry unless the URL's `#rc=` asks); a failure is 15003,
          // which Twilio's page logs as a warning.
          if (response.status === null || response.status >= 400)
            this.timeline.alert({
              code: CODES.callProgressCallbackError,
              message: `Call status callback (${event}) got ${response.status ?? response.error}`,
              callSid: call.sid,
              url,
            });
        },
      ),
    );
  }

  /** A REST participant leg: rings, then answers (app legs: once their TwiML loads) and joins the conference. */
  async ringParticipant(
    session: CallSession,
    conference: ConferenceRecord,
    settings: JoinSettings,
    timeoutSeconds: number,
    queueMs: number,
    /** Runs the leg's TwiML (the interpreter's `run`): an `app:` leg answers once its document loads. */
    run: (session: CallSession, source: TwimlSource, onAnswered: () => boolean) => Promise<void>,
  ): Promise<void> {
    const callSid = session.call.sid;
    try {
      await this.waitInQueue(session, queueMs);
      if (session.ended) return;
      // Call resource, StatusCallbackEvent `initiated`: Twilio removes the call from the queue and starts dialling.
      this.callback(session, 'initiated');
      this.conferences.setStatus(callSid, 'connecting');
      this.conferences.setStatus(callSid, 'ringing');
      // An App answers once its TwiML loads; a script can still make the leg busy, fail or ring out.
      const scripted = this.script.takeOutcome(session.call.to);
      const behaviour =
        session.call.applicationSid && scripted === undefined
          ? 'answer'
          : await this.ring(session, timeoutSeconds, session.verb.signal, scripted);
      if (session.ended) return;
      if (behaviour !== 'answer') {
        await this.finish(session, behaviour, 'failed');
        return;
      }
      const leg = { onRemoved: (reason: LeaveReason) => this.onRemovedFromConference(session, reason) };
      const joinConference = (): boolean => {
        const joined = this.conferences.join(conference, callSid, settings, leg);
        if (!joined) void this.finish(session, 'completed');
        return joined !== undefined;
      };
      if (session.call.applicationSid) {
        const app = this.state.applications.get(session.call.applicationSid);
        if (!app?.voiceUrl) {
          this.timeline.alert({
            code: CODES.httpRetrievalFailure,
            message: `Application ${session.call.applicationSid} has no VoiceUrl`,
            callSid,
          });
          await this.finish(session, 'failed', 'failed');
          return;
        }
        if (session.call.status !== 'ringing') {
          this.setStatus(session, 'ringing');
          this.callback(session, 'ringing');
        }
        await run(session, appSource(app, session.appQuery), joinConference);
        return;
      }
      session.answered = true;
      this.setStatus(session, 'in-progress');
      this.callback(session, 'answered');
      joinConference();
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
    }
  }
}
