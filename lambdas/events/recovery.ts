/**
 * Carries out the decisions of `policy.ts` on Twilio: dials the agent or the fallback target with a signed status
 * callback that carries the call's recovery state, reads who is in the conference, ends legs and calls, and
 * records the metrics each decision returns.
 */
import type { DialConfig, RecoveryConfig } from '../shared/config';
import { encodeLegState, LEG_STATUS_EVENTS, type LegState } from '../shared/call-state';
import type { ConferenceOperations, ParticipantSummary } from '../shared/conference-ops';
import { isGone, isTwilioFailure, isUnavailableFailure, TWILIO } from '../shared/errors';
import type { Logger } from '../shared/log';
import type { MetricsWriter } from '../shared/metrics';
import { fallbackMessageTwiml } from '../shared/twiml';
import { type Action, type Decision, FALLBACK_LABEL, type Live, onCreateFailed, roleOf } from './policy';

/** Statuses of a participant still in the conference or on the way into it. */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['queued', 'connecting', 'ringing', 'connected']);

/** What the recovery needs besides the REST operations. */
export interface RecoverySettings {
  readonly dial: DialConfig;
  readonly recovery: RecoveryConfig;
  /** The leg status route's URL (the state query is appended per leg). */
  readonly legStatusUrl: string;
}

/** One call's recovery: decisions in, Twilio operations and metrics out. */
export class CallRecovery {
  constructor(
    private readonly ops: ConferenceOperations,
    private readonly settings: RecoverySettings,
    private readonly log: Logger,
    private readonly metrics: MetricsWriter,
  ) {}

  /**
   * Who is in the conference now, leaving out `exceptCallSid` (the leg a signal is about). A conference that
   * ended (or never existed under that SID) is `ended`.
   */
  async live(conferenceSid: string, exceptCallSid?: string): Promise<Live> {
    const participants = await this.activeParticipants(conferenceSid);
    if (participants === 'ended') return 'ended';
    const labels = this.labels();
    const active = participants.filter((p) => p.callSid !== exceptCallSid);
    const caller = active.find((p) => roleOf(p.label, labels) === 'caller');
    const count = (role: string) => active.filter((p) => roleOf(p.label, labels, p) === role).length;
    return {
      callerPresent: caller !== undefined,
      callerOnHold: caller?.hold === true,
      agents: count('agent'),
      fallbacks: count('fallback'),
      humans: count('human'),
    };
  }

  /** The participants in the conference or on their way in; `ended` when Twilio has no such conference. */
  private async activeParticipants(conferenceSid: string): Promise<ParticipantSummary[] | 'ended'> {
    try {
      return (await this.ops.listParticipants(conferenceSid)).filter((p) => ACTIVE_STATUSES.has(p.status));
    } catch (error) {
      if (isGone(error)) return 'ended';
      throw error;
    }
  }

  private labels(): { caller: string; agent: string } {
    return { caller: this.settings.dial.callerLabel, agent: this.settings.dial.agentLabel };
  }

  /**
   * Records a decision's metrics and carries out its actions for the call `state` describes. `legCallSid` is the
   * leg the signal was about (for `hang-up-leg`).
   */
  async apply(decision: Decision, state: LegState, legCallSid?: string): Promise<void> {
    this.log.info('recovery decision', {
      reason: decision.reason,
      actions: decision.actions.map((a) => a.do),
      leg: state.leg,
      attempt: state.attempt,
    });
    for (const point of decision.metrics) this.metrics.record(point);
    for (const action of decision.actions) await this.act(action, state, legCallSid);
  }

  private async act(action: Action, state: LegState, legCallSid: string | undefined): Promise<void> {
    const { conferenceSid, callerCallSid } = state;
    const { dial, recovery } = this.settings;
    switch (action.do) {
      case 'dial-agent':
        return this.dial({ ...state, leg: 'agent', attempt: action.attempt });
      case 'dial-fallback':
        return this.dial({ ...state, leg: 'fallback' });
      case 'end-call':
        await this.ops.updateCall(
          callerCallSid,
          action.with === 'voicemail' && recovery.fallbackVoicemailUrl !== undefined
            ? { url: recovery.fallbackVoicemailUrl }
            : { twiml: fallbackMessageTwiml(recovery.fallbackMessage) },
        );
        return;
      case 'hang-up-leg':
        if (legCallSid !== undefined) await this.ops.updateCall(legCallSid, { status: action.status });
        return;
      case 'hang-up-caller':
        await this.ops.updateCall(callerCallSid, { status: 'completed' });
        return;
      case 'unhold-caller':
        await this.ops.updateParticipant(conferenceSid, dial.callerLabel, { hold: false }).catch((error: unknown) => {
          if (!isGone(error)) throw error;
        });
        return;
      case 'remove-stack-legs': {
        // Every agent leg (the one the stack added and any added through the participants API) and the fallback.
        const participants = await this.activeParticipants(conferenceSid);
        if (participants === 'ended') return;
        const labels = this.labels();
        for (const p of participants) {
          const role = roleOf(p.label, labels);
          if (role === 'agent' || role === 'fallback') await this.ops.removeParticipant(conferenceSid, p.callSid, true);
        }
        return;
      }
    }
  }

  /**
   * Dials the leg `state` names into the conference, with a status callback carrying `state`. A create that fails
   * for good goes on to the next rung at once (the caller is waiting; nothing else would signal it).
   */
  async dial(state: LegState): Promise<void> {
    const { dial, recovery } = this.settings;
    const request = {
      from: dial.fromNumber,
      timeout: dial.joinTimeoutSeconds,
      beep: 'false' as const,
      startConferenceOnEnter: true,
      endConferenceOnExit: false,
      statusCallback: `${this.settings.legStatusUrl}?${encodeLegState(state)}`,
      statusCallbackEvent: LEG_STATUS_EVENTS,
    };
    try {
      if (state.leg === 'agent') {
        const outcome = await this.ops.addAgent(state.conferenceSid, dial.twimlAppSid, state.context, {
          ...request,
          label: dial.agentLabel,
        });
        if (!outcome.added) {
          // A repeated or late signal: the agent is already there or on its way (the label guard, 16026).
          this.log.info('agent already present', { attempt: state.attempt });
          return;
        }
        if (outcome.queueTimeMs !== undefined) this.metrics.put('AgentQueueTime', outcome.queueTimeMs);
        this.log.info('agent added', {
          attempt: state.attempt,
          agentCallSid: outcome.participant.callSid,
          queueTimeMs: outcome.queueTimeMs,
        });
      } else {
        const outcome = await this.ops.addParticipant(state.conferenceSid, {
          ...request,
          label: FALLBACK_LABEL,
          to: recovery.fallbackTarget as string,
        });
        this.log.info('fallback target dialled', { fallbackCallSid: outcome.callSid });
      }
    } catch (error) {
      if (isTwilioFailure(error) && error.code === TWILIO.duplicateLabel) {
        this.log.info('fallback target already in the conference', {});
        return;
      }
      const cause = createFailureCause(error);
      if (cause === undefined) throw error;
      if (cause === 'conference-ended')
        this.log.warn('conference ended before the agent joined', {
          conferenceSid: state.conferenceSid,
          twilioCode: isTwilioFailure(error) ? error.code : undefined,
        });
      else
        this.log.warn('leg create failed', {
          leg: state.leg,
          attempt: state.attempt,
          cause,
          twilioCode: isTwilioFailure(error) ? error.code : undefined,
        });
      await this.apply(onCreateFailed(state, cause, recovery), state);
    }
  }
}

/** How a create failed, for the policy; undefined for an error that is not Twilio's (a bug: let it surface). */
export function createFailureCause(error: unknown): 'rejected' | 'unavailable' | 'conference-ended' | undefined {
  if (isGone(error)) return 'conference-ended';
  if (isUnavailableFailure(error)) return 'unavailable';
  if (isTwilioFailure(error)) return 'rejected';
  return undefined;
}
