/**
 * The voice engine: call legs, their webhooks and the TwiML they run. Inbound calls fetch the number's voice
 * URL; REST participant legs ring, answer (or not, as scripted) and join their conference; `app:` legs fetch
 * the TwiML App's voice URL with the custom parameters on its query string. TwiML runs verb by verb and can be
 * interrupted by a hang-up or a REST redirect, as on Twilio.
 */
import type { CallRateQueue } from './call-rate';
import { issueCallToken } from './call-token';
import { connectActionParams } from './connect-action';
import { CODES, TwilioApiError } from './errors';
import type { ConferenceManager, JoinSettings, LeaveReason } from './conference';
import type { Timeline, WebhookPurpose } from './events';
import type { LegOutcome, LegScript } from './leg-script';
import { openStream, streamFailureCode, type StreamEnd, type StreamSession } from './media-stream';
import { newSid } from './sids';
import type { AccountState, CallRecord, CallStatus, ConferenceRecord, ParticipantRecord } from './state';
import { Cancelled, rfc2822, type Scheduler } from './time';
import { parametersOf, parseTwiml, TwimlError, type XmlElement } from './twiml-parser';
import type { WebhookClient } from './webhook-client';

/** How a dialled person (phone, client, sip) responds (kept for `emu.answerBehaviour`; see leg-script.ts). */
export type AnswerBehaviour = LegOutcome;

/** Engine timing: everything Twilio measures in seconds is multiplied by `timeScale` (tests run fast). */
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

/** Where a document comes from: a webhook (with a fallback) or inline TwiML. */
type TwimlSource =
  | {
      kind: 'url';
      url: string;
      method: string;
      purpose: WebhookPurpose;
      params?: Record<string, string>;
      fallback?: { url: string; method: string; purpose: WebhookPurpose };
    }
  | { kind: 'twiml'; xml: string };

/** One running call leg. */
class CallSession {
  ended = false;
  verb = new AbortController();
  pending?: TwimlSource;
  documentUrl?: string;
  answered = false;
  callbacks: Promise<void> = Promise.resolve();
  readonly done: Promise<void>;
  resolveDone!: () => void;
  /** Custom parameters of an `app:` leg, as sent (raw query string). */
  appQuery?: string;
  /** Why the leg leaves its conference when it ends (a REST hang-up counts as a kick). */
  leaveReason: LeaveReason = 'hangup';
  /** Aborted when the leg ends (timers that live as long as the call: `TimeLimit`). */
  readonly lifetime = new AbortController();
  /** Resolves when the leg is answered (its first TwiML document ran). */
  readonly answeredOnce: Promise<void>;
  resolveAnswered!: () => void;
  /**
   * The other leg of a call the account placed to one of its own numbers: the API-created leg and the inbound leg
   * it caused end together.
   */
  linkedSid?: string;

  constructor(readonly call: CallRecord) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.answeredOnce = new Promise((resolve) => (this.resolveAnswered = resolve));
  }
}

const APP_TARGET = /^app:(AP[0-9a-fA-F]{32})(?:\?([\s\S]*))?$/;

/** Parses `app:APxxx?k=v` into the App SID and the raw custom-parameter query. */
export function parseAppTarget(to: string): { appSid: string; query: string } | undefined {
  const match = APP_TARGET.exec(to);
  return match ? { appSid: match[1], query: match[2] ?? '' } : undefined;
}

/**
 * Appends custom parameters to a voice URL as Twilio does: names and values kept as sent, characters a URL
 * cannot carry (spaces, non-ASCII) percent-encoded, existing escapes left alone, before any `#fragment`.
 */
export function appendCustomParameters(url: string, rawQuery: string): string {
  if (!rawQuery) return url;
  const encoded = rawQuery.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (c) =>
    encodeURIComponent(c),
  );
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : url.slice(hash);
  return base + (base.includes('?') ? '&' : '?') + encoded + fragment;
}

function secondsSince(startedAt: number): number {
  return Math.round((Date.now() - startedAt) / 1000);
}

function countryOf(address: string): string {
  return address.startsWith('+1') ? 'US' : address.startsWith('+44') ? 'GB' : '';
}

/** Runs every call leg of the account. */
export class VoiceEngine {
  private readonly sessions = new Map<string, CallSession>();
  private readonly streams = new Set<StreamSession>();

  constructor(
    private readonly state: AccountState,
    private readonly conferences: ConferenceManager,
    private readonly webhooks: WebhookClient,
    private readonly timeline: Timeline,
    private readonly scheduler: Scheduler,
    private readonly options: VoiceEngineOptions,
    /** Scripted leg outcomes and create refusals. */
    readonly script: LegScript,
    /** The account's CPS queue for API-created calls. */
    private readonly rate: CallRateQueue,
  ) {}

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
    const session = this.createSession({
      from: input.from,
      to: input.to,
      direction: 'inbound',
      phoneNumberSid: number.sid,
      status: 'ringing',
    });
    session.call.callToken = issueCallToken(session.call, session.call.dateCreated);
    let source: TwimlSource | undefined;
    const app = number.voiceApplicationSid ? this.state.applications.get(number.voiceApplicationSid) : undefined;
    if (number.trunkSid) source = undefined;
    else if (app?.voiceUrl)
      source = this.urlSource(
        app.voiceUrl,
        app.voiceMethod,
        'app-voice-url',
        app.voiceFallbackUrl,
        app.voiceFallbackMethod,
        'app-voice-fallback',
      );
    else if (!number.voiceApplicationSid && number.voiceUrl)
      source = this.urlSource(
        number.voiceUrl,
        number.voiceMethod,
        'voice-url',
        number.voiceFallbackUrl,
        number.voiceFallbackMethod,
        'voice-fallback',
      );
    if (app) session.call.applicationSid = app.sid;
    if (!source) {
      this.timeline.alert({
        code: CODES.httpRetrievalFailure,
        message: `Number ${number.sid} has no voice URL to call`,
        callSid: session.call.sid,
      });
      void this.finish(session, 'failed');
    } else {
      void this.run(session, source);
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
    const session = this.createSession({
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
        onRemoved: (reason) => this.onRemovedFromConference(session, reason),
      });
    } catch (error) {
      this.sessions.delete(session.call.sid);
      this.state.calls.delete(session.call.sid);
      throw error;
    }
    const queueMs = this.enqueue(session);
    participant.queueTime = String(queueMs);
    // The create response shows the participant as queued, before the leg starts ringing.
    const snapshot = { ...participant };
    return {
      created: snapshot,
      dial: () => void this.ringParticipant(session, conference, input.settings, input.timeoutSeconds, queueMs),
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
    const session = this.createSession({
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
          ? this.urlSource(
              app.voiceUrl ?? '',
              app.voiceMethod,
              'app-voice-url',
              app.voiceFallbackUrl,
              app.voiceFallbackMethod,
              'app-voice-fallback',
            )
          : this.urlSource(
              input.url ?? '',
              input.method ?? 'POST',
              'voice-url',
              input.fallbackUrl ?? null,
              input.fallbackMethod ?? 'POST',
              'voice-fallback',
            );
    const queueMs = this.enqueue(session);
    const created = { ...session.call };
    const dial = async (): Promise<void> => {
      try {
        await this.waitInQueue(session, queueMs);
        this.callback(session, 'initiated');
        const scripted = this.script.takeOutcome(input.to);
        const behaviour =
          scripted === undefined && this.state.numberByE164(input.to)
            ? await this.ringOwnNumber(session)
            : await this.ring(session, input.timeoutSeconds, undefined, scripted ?? 'answer');
        if (session.ended) return;
        if (behaviour !== 'answer') return void (await this.finish(session, behaviour));
        await this.run(session, source, () => {
          if (input.timeLimitSeconds !== undefined) this.endAfter(session, input.timeLimitSeconds);
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
    this.setStatus(session, 'ringing');
    this.callback(session, 'ringing');
    const { callSid } = this.placeInboundCall({ from: session.call.from, to: session.call.to });
    const inbound = this.sessions.get(callSid)!;
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

  /**
   * `TimeLimit` (Call resource: "The maximum duration of the call in seconds"): the leg hangs up that long after it
   * was answered (when the clock starts is UNCONFIRMED; `<Dial timeLimit>` counts from the answer too), in scaled time.
   */
  private endAfter(session: CallSession, seconds: number): void {
    this.scheduler.sleep(this.scaled(seconds), session.lifetime.signal).then(
      () => void this.finish(session, 'completed'),
      () => undefined,
    );
  }

  /** Hangs a call up (the caller or callee puts the phone down). */
  hangup(callSid: string): Promise<void> {
    const session = this.sessions.get(callSid);
    if (!session) return Promise.resolve();
    return this.finish(session, session.answered ? 'completed' : 'canceled');
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
    const session = this.sessions.get(callSid);
    if (!session || session.ended) return 'not-in-progress';
    if (changes.status === 'completed' || changes.status === 'canceled') {
      void this.finish(session, session.answered ? 'completed' : 'canceled', 'kicked');
      return 'ok';
    }
    if (changes.twiml !== undefined) session.pending = { kind: 'twiml', xml: changes.twiml };
    else if (changes.url !== undefined)
      session.pending = this.urlSource(
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
    return this.sessions.get(callSid)?.ended === false;
  }

  /** Resolves when every leg has ended and every call callback was sent. */
  async settle(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.callbacks));
  }

  /** Ends every leg (on stop). */
  async stop(): Promise<void> {
    for (const session of this.sessions.values()) {
      session.ended = true;
      session.verb.abort();
      session.resolveDone();
    }
    // Every WebSocket is closed before stop() returns: no open handle survives the emulator.
    await Promise.all(
      [...this.streams].map((stream) => {
        stream.stop();
        return stream.ended;
      }),
    );
  }

  private createSession(input: {
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

  private urlSource(
    url: string,
    method: string,
    purpose: WebhookPurpose,
    fallbackUrl: string | null,
    fallbackMethod: string,
    fallbackPurpose: WebhookPurpose,
  ): TwimlSource {
    return {
      kind: 'url',
      url,
      method,
      purpose,
      ...(fallbackUrl && { fallback: { url: fallbackUrl, method: fallbackMethod, purpose: fallbackPurpose } }),
    };
  }

  private setStatus(session: CallSession, status: CallStatus): void {
    if (session.call.status === status) return;
    session.call.status = status;
    session.call.dateUpdated = new Date();
    if (status === 'in-progress') session.call.startTime = new Date();
    this.timeline.emit({ type: 'call-status', callSid: session.call.sid, status });
  }

  /** Twilio's standard voice request parameters for this leg. */
  private callParams(session: CallSession): Record<string, string> {
    const call = session.call;
    const params: Record<string, string> = {
      AccountSid: this.state.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: call.sid,
      CallStatus: call.status,
      Called: call.to,
      Caller: call.from,
      Direction: call.direction,
      From: call.from,
      To: call.to,
      // Voice Webhooks, incoming call: Twilio adds the CallToken a forwarded call (or participant) may pass on.
      ...(call.callToken !== null && { CallToken: call.callToken }),
    };
    if (call.direction === 'inbound') {
      for (const [prefix, address] of [
        ['From', call.from],
        ['Caller', call.from],
        ['To', call.to],
        ['Called', call.to],
      ] as const) {
        Object.assign(params, {
          [`${prefix}City`]: '',
          [`${prefix}State`]: '',
          [`${prefix}Zip`]: '',
          [`${prefix}Country`]: countryOf(address),
        });
      }
    }
    if (call.applicationSid) params.ApplicationSid = call.applicationSid;
    if (call.parentCallSid) params.ParentCallSid = call.parentCallSid;
    return params;
  }

  /** Fetches and checks a TwiML document, trying the fallback URL on failure; undefined when both fail. */
  private async load(session: CallSession, source: TwimlSource): Promise<XmlElement | undefined> {
    const callSid = session.call.sid;
    if (source.kind === 'twiml') {
      try {
        return this.parse(session, source.xml, undefined);
      } catch (error) {
        return this.twimlFailure(session, error, undefined);
      }
    }
    const attempt = async (
      url: string,
      method: string,
      purpose: WebhookPurpose,
      extra: Record<string, string>,
    ): Promise<XmlElement | { code: number; url: string }> => {
      const response = await this.webhooks.send({
        purpose,
        url,
        method,
        params: { ...this.callParams(session), ...source.params, ...extra },
        callSid,
      });
      if (response.status === null) {
        const code = response.error === 'timeout' ? CODES.httpConnectionFailure : CODES.httpRetrievalFailure;
        this.timeline.alert({
          code,
          message: `${method} ${url} failed: ${response.error}`,
          callSid,
          url,
          method,
        });
        return { code, url };
      }
      if (response.status < 200 || response.status >= 300) {
        this.timeline.alert({
          code: CODES.httpRetrievalFailure,
          message: `${method} ${url} answered HTTP ${response.status}`,
          callSid,
          url,
          method,
        });
        return { code: CODES.httpRetrievalFailure, url };
      }
      if (
        !/(^|\/)(xml|[\w.+-]+\+xml|html)(;|$)|^text\/(xml|html)|^application\/xml/i.test(response.contentType.trim())
      ) {
        this.timeline.alert({
          code: CODES.invalidContentType,
          message: `${url} answered Content-Type ${response.contentType || '(none)'}, not XML`,
          callSid,
          url,
        });
        return { code: CODES.invalidContentType, url };
      }
      try {
        return this.parse(session, response.body, response.requestedUrl);
      } catch (error) {
        if (!(error instanceof TwimlError)) throw error;
        this.timeline.alert({ code: error.code, message: error.message, callSid, url });
        return { code: error.code, url };
      }
    };
    const first = await attempt(source.url, source.method, source.purpose, {});
    if (!('code' in first)) return first;
    if (!source.fallback || session.ended) return undefined;
    const second = await attempt(source.fallback.url, source.fallback.method, source.fallback.purpose, {
      ErrorCode: String(first.code),
      ErrorUrl: first.url,
    });
    return 'code' in second ? undefined : second;
  }

  private parse(session: CallSession, xml: string, url: string | undefined): XmlElement {
    const document = parseTwiml(xml);
    for (const warning of document.warnings)
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: warning,
        callSid: session.call.sid,
        ...(url && { url }),
      });
    if (url) session.documentUrl = url;
    return document.response;
  }

  private twimlFailure(session: CallSession, error: unknown, url: string | undefined): undefined {
    if (!(error instanceof TwimlError)) throw error;
    this.timeline.alert({
      code: error.code,
      message: error.message,
      callSid: session.call.sid,
      ...(url && { url }),
    });
    return undefined;
  }

  /** Runs documents until the call ends; a document that cannot be loaded fails the call. */
  private async run(session: CallSession, source: TwimlSource, onAnswered?: () => boolean): Promise<void> {
    let next: TwimlSource | undefined = source;
    try {
      while (next && !session.ended) {
        const response = await this.load(session, next);
        if (session.ended) return;
        if (!response) {
          await this.finish(session, session.answered ? 'completed' : 'failed');
          return;
        }
        if (!session.answered) {
          session.answered = true;
          this.setStatus(session, 'in-progress');
          this.callback(session, 'answered');
          session.resolveAnswered();
          if (onAnswered && !onAnswered()) return;
        }
        if (session.pending) {
          next = session.pending;
          session.pending = undefined;
          continue;
        }
        next = await this.execute(session, response);
      }
      if (!session.ended) await this.finish(session, 'completed');
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
    }
  }

  /** Executes one document; returns the next document's source (Redirect, action, REST update) or undefined. */
  private async execute(session: CallSession, response: XmlElement): Promise<TwimlSource | undefined> {
    const callSid = session.call.sid;
    for (const verb of response.children) {
      if (session.ended) return undefined;
      session.verb = new AbortController();
      const signal = session.verb.signal;
      this.timeline.emit({
        type: 'twiml-executed',
        callSid,
        verb: verb.name,
        detail: { ...verb.attributes, ...(verb.text.trim() && { text: verb.text.trim() }) },
      });
      let next: TwimlSource | undefined | 'continue' = 'continue';
      try {
        next = await this.executeVerb(session, verb, signal);
      } catch (error) {
        if (!(error instanceof Cancelled)) throw error;
      }
      if (session.ended) return undefined;
      if (session.pending) {
        const pending = session.pending;
        session.pending = undefined;
        return pending;
      }
      if (next !== 'continue') return next;
    }
    return undefined;
  }

  private scaled(seconds: number): number {
    return seconds * 1000 * this.options.timeScale;
  }

  private resolveUrl(session: CallSession, url: string): string {
    return session.documentUrl ? new URL(url, session.documentUrl).toString() : url;
  }

  private async executeVerb(
    session: CallSession,
    verb: XmlElement,
    signal: AbortSignal,
  ): Promise<TwimlSource | undefined | 'continue'> {
    const a = verb.attributes;
    switch (verb.name) {
      case 'Say':
      case 'Play':
        for (let i = 0; i < Math.max(1, Number(a.loop ?? 1)); i++)
          await this.scheduler.sleep(this.options.mediaMs, signal);
        return 'continue';
      case 'Pause':
        await this.scheduler.sleep(this.scaled(Number(a.length ?? 1)), signal);
        return 'continue';
      case 'Hangup':
        await this.finish(session, 'completed');
        return undefined;
      case 'Reject':
        await this.finish(session, a.reason === 'busy' ? 'busy' : 'failed');
        return undefined;
      case 'Redirect':
        return {
          kind: 'url',
          url: this.resolveUrl(session, verb.text.trim()),
          method: a.method ?? 'POST',
          purpose: 'redirect',
        };
      case 'Gather': {
        for (const child of verb.children) await this.executeVerb(session, child, signal);
        // No caller input arrives in the emulator: Gather times out and TwiML continues.
        await this.scheduler.sleep(this.scaled(Number(a.timeout ?? 5)), signal);
        if (a.action && a.actionOnEmptyResult === 'true') return this.action(session, a.action, a.method, {});
        return 'continue';
      }
      case 'Dial':
        return this.dial(session, verb, signal);
      case 'Connect':
        return this.connect(session, verb, signal);
      default:
        this.timeline.alert({
          code: CODES.schemaValidation,
          message: `<${verb.name}> is valid TwiML but not emulated; skipped`,
          callSid: session.call.sid,
        });
        return 'continue';
    }
  }

  private action(
    session: CallSession,
    url: string,
    method: string | undefined,
    params: Record<string, string>,
  ): TwimlSource {
    return { kind: 'url', url: this.resolveUrl(session, url), method: method ?? 'POST', purpose: 'action', params };
  }

  private async dial(
    session: CallSession,
    dial: XmlElement,
    signal: AbortSignal,
  ): Promise<TwimlSource | undefined | 'continue'> {
    const noun = dial.children[0];
    const started = Date.now();
    let dialStatus: string;
    if (noun?.name === 'Conference') dialStatus = await this.dialConference(session, noun, signal);
    else dialStatus = await this.dialPerson(session, dial, noun, signal);
    if (session.ended) return undefined;
    if (dial.attributes.action) {
      return this.action(session, dial.attributes.action, dial.attributes.method, {
        DialCallStatus: dialStatus,
        DialCallDuration: String(Math.round((Date.now() - started) / 1000)),
      });
    }
    return 'continue';
  }

  /** `<Dial><Conference>`: joins the conference and stays until the participant leaves or the conference ends. */
  private dialConference(session: CallSession, noun: XmlElement, signal: AbortSignal): Promise<string> {
    const a = noun.attributes;
    const conference = this.conferences.findOrCreate(noun.text.trim());
    const settings: JoinSettings = {
      label: a.participantLabel ?? null,
      startConferenceOnEnter: a.startConferenceOnEnter !== 'false',
      endConferenceOnExit: a.endConferenceOnExit === 'true',
      muted: a.muted === 'true',
      beep: a.beep ?? 'true',
      waitUrl: a.waitUrl ?? null,
      statusCallback: a.statusCallback ? this.resolveUrl(session, a.statusCallback) : null,
      statusCallbackMethod: a.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: (a.statusCallbackEvent ?? '').split(/\s+/).filter(Boolean),
      ...(a.maxParticipants && { maxParticipants: Number(a.maxParticipants) }),
    };
    return new Promise<string>((resolve) => {
      const callSid = session.call.sid;
      let participant: ParticipantRecord | undefined;
      try {
        participant = this.conferences.join(conference, callSid, settings, { onRemoved: () => resolve('completed') });
      } catch (error) {
        this.timeline.alert({
          code: (error as { code?: number }).code ?? CODES.participantAddFailed,
          message: `Could not join ${conference.friendlyName}: ${(error as Error).message}`,
          callSid,
        });
        resolve('failed');
        return;
      }
      if (!participant) return resolve('completed');
      // A hang-up or a REST redirect takes the leg out of the conference.
      signal.addEventListener(
        'abort',
        () => this.conferences.leave(callSid, session.ended ? session.leaveReason : 'kicked'),
        { once: true },
      );
    });
  }

  /** `<Dial><Number|Client|Sip>`: a child leg that rings, answers as scripted, and is bridged until one side ends. */
  private async dialPerson(
    session: CallSession,
    dial: XmlElement,
    noun: XmlElement | undefined,
    signal: AbortSignal,
  ): Promise<string> {
    const to = noun
      ? noun.name === 'Client'
        ? `client:${(noun.children.find((c) => c.name === 'Identity')?.text ?? noun.text).trim()}`
        : noun.text.trim()
      : dial.text.trim();
    if (!noun || !['Number', 'Client', 'Sip'].includes(noun.name)) {
      if (noun) {
        this.timeline.alert({
          code: CODES.schemaValidation,
          message: `<Dial><${noun.name}> is not emulated`,
          callSid: session.call.sid,
        });
        return 'failed';
      }
    }
    // TwiML <Number>/<Client>/<Sip> (https://www.twilio.com/docs/voice/twiml/number#statuscallbackevent): the dialled
    // leg reports `initiated ringing answered completed` to the noun's statusCallback (`completed` by default).
    // <Dial> legs do not wait in the CPS queue (glossary "CPS": "<Dial> calls are not limited by CPS").
    const nounAttributes = noun?.attributes ?? {};
    const child = this.createSession({
      from: dial.attributes.callerId ?? session.call.from,
      to,
      direction: 'outbound-dial',
      status: 'ringing',
      parentCallSid: session.call.sid,
      statusCallback: nounAttributes.statusCallback ? this.resolveUrl(session, nounAttributes.statusCallback) : null,
      statusCallbackMethod: nounAttributes.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: (nounAttributes.statusCallbackEvent ?? '').split(/\s+/).filter(Boolean),
    });
    this.callback(child, 'initiated');
    const behaviour = await this.ring(child, Number(dial.attributes.timeout ?? 30), signal).catch(
      () => 'canceled' as const,
    );
    if (behaviour !== 'answer') {
      await this.finish(child, behaviour === 'canceled' ? 'canceled' : behaviour);
      return behaviour === 'canceled' ? 'canceled' : behaviour;
    }
    child.answered = true;
    this.setStatus(child, 'in-progress');
    this.callback(child, 'answered');
    const parentGone = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([child.done, parentGone]);
    if (!child.ended) await this.finish(child, 'completed');
    return 'completed';
  }

  /**
   * Rings a leg: the scripted outcome after the answer delay. `no-answer` rings out after `Timeout` plus the
   * 5 s Twilio adds (Participant resource, `Timeout`: "We always add a 5-second timeout buffer to outgoing
   * calls, so value of 10 would result in an actual timeout that was closer to 15 seconds"), in scaled time.
   */
  private async ring(
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
  private enqueue(session: CallSession): number {
    const queueMs = this.rate.reserve();
    session.call.queueTime = String(queueMs);
    return queueMs;
  }

  /** Waits out the queue time (scaled like every Twilio second); a hang-up or cancel ends the wait. */
  private async waitInQueue(session: CallSession, queueMs: number): Promise<void> {
    if (queueMs > 0) await this.scheduler.sleep(this.scaled(queueMs / 1000), session.verb.signal);
  }

  /** `<Connect><Stream|ConversationRelay>`: opens the WebSocket and waits until one side closes it. */
  private async connect(
    session: CallSession,
    connect: XmlElement,
    signal: AbortSignal,
  ): Promise<TwimlSource | undefined | 'continue'> {
    const noun = connect.children[0];
    if (!noun || (noun.name !== 'Stream' && noun.name !== 'ConversationRelay')) {
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: `<Connect><${noun?.name ?? ''}> is not emulated`,
        callSid: session.call.sid,
      });
      return 'continue';
    }
    const url = noun.attributes.url;
    const target = /^wss?:\/\//.test(url) ? new URL(url) : undefined;
    const loopback = target && ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname);
    // Twilio accepts wss:// only; plain ws:// is allowed here for local agents on loopback.
    if (!target || (target.protocol !== 'wss:' && !loopback)) {
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: `<${noun.name}> url must be wss://, got ${url}`,
        callSid: session.call.sid,
      });
      await this.finish(session, 'completed');
      return undefined;
    }
    if (target.search)
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: `<${noun.name}> url must not carry a query string; use <Parameter>`,
        callSid: session.call.sid,
      });
    const customParameters = parametersOf(noun);
    for (const [name, value] of Object.entries(customParameters)) {
      if (name.length >= 500 || value.length >= 500)
        this.timeline.alert({
          code: CODES.schemaValidation,
          message: `<Parameter ${name.slice(0, 40)}> is 500 characters or more`,
          callSid: session.call.sid,
        });
    }
    const openedAt = Date.now();
    const stream = openStream(
      {
        kind: noun.name === 'Stream' ? 'stream' : 'conversation-relay',
        url,
        accountSid: this.state.accountSid,
        authToken: this.state.authToken,
        callSid: session.call.sid,
        from: session.call.from,
        to: session.call.to,
        direction: session.call.direction,
        applicationSid: session.call.applicationSid,
        customParameters,
        mediaFrames: this.options.mediaFrames,
      },
      this.timeline,
    );
    this.streams.add(stream);
    void stream.ended.then(() => this.streams.delete(stream));
    const aborted = new Promise<'aborted'>((resolve) =>
      signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    );
    const outcome: StreamEnd | 'aborted' = await Promise.race([stream.ended, aborted]);
    const connectAction = connect.attributes.action;
    if (outcome === 'aborted') {
      stream.stop();
      await stream.ended;
      // TwiML <Connect> (https://www.twilio.com/docs/voice/twiml/connect): "When the <Connect> verb ends, Twilio
      // sends an HTTP request to this URL". A leg that hung up still reports it; its answer has nothing to run on.
      if (session.ended && connectAction)
        this.notifyAfterHangup(
          session,
          this.action(
            session,
            connectAction,
            connect.attributes.method,
            connectActionParams(noun.name, stream.streamSid, 'call-ended', secondsSince(openedAt)),
          ),
        );
      return undefined;
    }
    if (outcome.by === 'error') {
      this.timeline.alert({
        code: streamFailureCode(noun.name === 'Stream' ? 'stream' : 'conversation-relay', outcome.failure),
        message: `WebSocket ${url} failed: ${outcome.message}`,
        callSid: session.call.sid,
        url,
      });
    }
    // TwiML <Connect>: with an action URL Twilio requests it and runs the TwiML it returns; without one, "<Connect>
    // will finish and Twilio will move on to the next TwiML verb ... If there is no further verb, Twilio will end
    // the phone call."
    if (connectAction)
      return this.action(
        session,
        connectAction,
        connect.attributes.method,
        connectActionParams(noun.name, stream.streamSid, outcome, secondsSince(openedAt)),
      );
    return 'continue';
  }

  /** Requests a URL after the leg ended (its answer is not run), in order with the leg's other callbacks. */
  private notifyAfterHangup(session: CallSession, source: TwimlSource): void {
    if (source.kind !== 'url') return;
    session.callbacks = session.callbacks.then(async () => {
      await this.webhooks.send({
        purpose: source.purpose,
        url: source.url,
        method: source.method,
        params: { ...this.callParams(session), ...source.params },
        callSid: session.call.sid,
      });
    });
  }

  /** A REST participant leg: rings, then answers (app legs: once their TwiML loads) and joins the conference. */
  private async ringParticipant(
    session: CallSession,
    conference: ConferenceRecord,
    settings: JoinSettings,
    timeoutSeconds: number,
    queueMs: number,
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
        const url = appendCustomParameters(app.voiceUrl, session.appQuery ?? '');
        const fallback = app.voiceFallbackUrl
          ? appendCustomParameters(app.voiceFallbackUrl, session.appQuery ?? '')
          : null;
        await this.run(
          session,
          this.urlSource(
            url,
            app.voiceMethod,
            'app-voice-url',
            fallback,
            app.voiceFallbackMethod,
            'app-voice-fallback',
          ),
          joinConference,
        );
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

  /** The conference dropped a REST leg (kicked, conference ended): the leg hangs up. */
  private onRemovedFromConference(session: CallSession, reason: LeaveReason): void {
    if (session.ended || session.call.direction === 'inbound') return;
    if (session.call.direction === 'outbound-api')
      void this.finish(session, session.answered ? 'completed' : reason === 'failed' ? 'failed' : 'canceled', reason);
  }

  /** Ends a leg: final status, out of its conference, stream stopped, status callback sent. */
  private async finish(session: CallSession, status: CallStatus, leaveReason: LeaveReason = 'hangup'): Promise<void> {
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
  private callback(session: CallSession, event: 'initiated' | 'ringing' | 'answered' | 'completed'): void {
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
      ...this.callParams(session),
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
}
