/**
 * The TwiML verb interpreter (https://www.twilio.com/docs/voice/twiml): runs a leg's documents verb by verb until
 * the call ends, following `<Redirect>`, verb `action` URLs and REST redirects (Calls update `Twiml`/`Url`), each
 * of which interrupts the running verb as on Twilio. Emulates `<Say>`, `<Play>`, `<Pause>`, `<Gather>` (no input
 * arrives), `<Hangup>`, `<Reject>`, `<Dial><Conference>`, `<Dial><Number|Client|Sip>` and `<Connect>`
 * (twiml-connect.ts); any other verb is skipped with a 12200 warning. Documents come from webhook-loading.ts;
 * answering and ending the leg are leg-lifecycle.ts's.
 */
import type { CallSession, TwimlSource } from './call-session';
import type { ConferenceManager, JoinSettings } from './conference';
import { CODES } from './errors';
import type { Timeline } from './events';
import type { LegLifecycle, VoiceEngineOptions } from './leg-lifecycle';
import type { ParticipantRecord } from './state';
import { Cancelled, type Scheduler } from './time';
import type { ConnectVerb } from './twiml-connect';
import type { XmlElement } from './twiml-parser';
import { actionSource, resolveUrl, type WebhookLoader } from './webhook-loading';

/** What a verb leaves behind: the next document's source, nothing more to run, or on to the next verb. */
type VerbResult = TwimlSource | undefined | 'continue';

/** Runs the TwiML documents of the account's legs. */
export class TwimlInterpreter {
  constructor(
    private readonly legs: LegLifecycle,
    private readonly loader: WebhookLoader,
    private readonly connect: ConnectVerb,
    private readonly conferences: ConferenceManager,
    private readonly timeline: Timeline,
    private readonly scheduler: Scheduler,
    private readonly options: VoiceEngineOptions,
  ) {}

  /**
   * Runs documents until the call ends; a document that cannot be loaded fails the call. The first document that
   * loads answers the leg; `onAnswered` may then stop the run by returning false.
   */
  async run(session: CallSession, source: TwimlSource, onAnswered?: () => boolean): Promise<void> {
    let next: TwimlSource | undefined = source;
    try {
      while (next && !session.ended) {
        const response = await this.loader.load(session, next);
        if (session.ended) return;
        if (!response) {
          await this.legs.finish(session, session.answered ? 'completed' : 'failed');
          return;
        }
        if (!session.answered) {
          session.answered = true;
          this.legs.setStatus(session, 'in-progress');
          this.legs.callback(session, 'answered');
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
      if (!session.ended) await this.legs.finish(session, 'completed');
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
      let next: VerbResult = 'continue';
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

  private async executeVerb(session: CallSession, verb: XmlElement, signal: AbortSignal): Promise<VerbResult> {
    const a = verb.attributes;
    switch (verb.name) {
      case 'Say':
      case 'Play':
        for (let i = 0; i < Math.max(1, Number(a.loop ?? 1)); i++)
          await this.scheduler.sleep(this.options.mediaMs, signal);
        return 'continue';
      case 'Pause':
        await this.scheduler.sleep(this.legs.scaled(Number(a.length ?? 1)), signal);
        return 'continue';
      case 'Hangup':
        await this.legs.finish(session, 'completed');
        return undefined;
      case 'Reject':
        await this.legs.finish(session, a.reason === 'busy' ? 'busy' : 'failed');
        return undefined;
      case 'Redirect':
        return {
          kind: 'url',
          url: resolveUrl(session, verb.text.trim()),
          method: a.method ?? 'POST',
          purpose: 'redirect',
        };
      case 'Gather': {
        for (const child of verb.children) await this.executeVerb(session, child, signal);
        // No caller input arrives in the emulator: Gather times out and TwiML continues.
        await this.scheduler.sleep(this.legs.scaled(Number(a.timeout ?? 5)), signal);
        if (a.action && a.actionOnEmptyResult === 'true') return actionSource(session, a.action, a.method, {});
        return 'continue';
      }
      case 'Dial':
        return this.dial(session, verb, signal);
      case 'Connect':
        return this.connect.run(session, verb, signal);
      default:
        this.timeline.alert({
          code: CODES.schemaValidation,
          message: `<${verb.name}> is valid TwiML but not emulated; skipped`,
          callSid: session.call.sid,
        });
        return 'continue';
    }
  }

  private async dial(session: CallSession, dial: XmlElement, signal: AbortSignal): Promise<VerbResult> {
    const noun = dial.children[0];
    const started = Date.now();
    let dialStatus: string;
    if (noun?.name === 'Conference') dialStatus = await this.dialConference(session, noun, signal);
    else dialStatus = await this.dialPerson(session, dial, noun, signal);
    if (session.ended) return undefined;
    if (dial.attributes.action) {
      return actionSource(session, dial.attributes.action, dial.attributes.method, {
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
      statusCallback: a.statusCallback ? resolveUrl(session, a.statusCallback) : null,
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
    const child = this.legs.create({
      from: dial.attributes.callerId ?? session.call.from,
      to,
      direction: 'outbound-dial',
      status: 'ringing',
      parentCallSid: session.call.sid,
      statusCallback: nounAttributes.statusCallback ? resolveUrl(session, nounAttributes.statusCallback) : null,
      statusCallbackMethod: nounAttributes.statusCallbackMethod ?? 'POST',
      statusCallbackEvents: (nounAttributes.statusCallbackEvent ?? '').split(/\s+/).filter(Boolean),
    });
    this.legs.callback(child, 'initiated');
    const behaviour = await this.legs
      .ring(child, Number(dial.attributes.timeout ?? 30), signal)
      .catch(() => 'canceled' as const);
    if (behaviour !== 'answer') {
      await this.legs.finish(child, behaviour === 'canceled' ? 'canceled' : behaviour);
      return behaviour === 'canceled' ? 'canceled' : behaviour;
    }
    child.answered = true;
    this.legs.setStatus(child, 'in-progress');
    this.legs.callback(child, 'answered');
    const parentGone = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([child.done, parentGone]);
    if (!child.ended) await this.legs.finish(child, 'completed');
    return 'completed';
  }
}
