/**
 * What the stack does when a signal says the caller might be left alone: the recovery ladder (the agent again
 * with the same context, then the fallback target, then the fallback message or voicemail and a deliberate end)
 * and the metrics each decision reports. Pure: the signal, the state carried in the signed callback URL and the
 * live conference (read from Twilio) go in, actions and metric values come out; `recovery.ts` carries them out.
 *
 * A decision depends only on its inputs and on who is in the conference now, so a duplicated or late callback
 * changes nothing: a leg the stack would dial twice is refused by its label (Twilio error 16026), and a signal
 * about a leg that no longer matters finds someone with the caller and does nothing.
 */
import { isAgentLabel } from '../shared/agent-labels';
import type { RecoveryConfig } from '../shared/config';
import type { FallbackKind, MetricPoint } from '../shared/metrics';
import type { LegKind, LegState } from '../shared/call-state';

/** The label of the fallback target's participant. */
export const FALLBACK_LABEL = 'fallback';

/** A leg's `CallStatus` as status callbacks report it (`answered` arrives as `in-progress`). */
export type CallStatus =
  | 'queued'
  | 'initiated'
  | 'ringing'
  | 'in-progress'
  | 'completed'
  | 'busy'
  | 'failed'
  | 'no-answer'
  | 'canceled';

const FINAL: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
const CALL_STATUSES: ReadonlySet<string> = new Set([...FINAL, 'queued', 'initiated', 'ringing', 'in-progress']);

/** Parses a `CallStatus` value. */
export function parseCallStatus(value: string | undefined): CallStatus | undefined {
  return value !== undefined && CALL_STATUSES.has(value) ? (value as CallStatus) : undefined;
}

/** Who a participant is to the stack, by label and by how it is heard. */
export type Role = 'caller' | 'agent' | 'fallback' | 'human' | 'supervisor';

/**
 * A participant's role from its label and how it is heard. Every label of the agent's series (`ai-agent`,
 * `ai-agent-2`, …: an agent added through the participants API) is an agent, recovered through its leg's status
 * callback. Anything else the stack did not dial itself is a human (a transfer target, a barging supervisor)
 * unless it is muted or coaching: a listening or whispering supervisor, whom the caller cannot hear, so it keeps
 * nobody company and its comings and goings change nothing.
 */
export function roleOf(
  label: string | null | undefined,
  labels: { caller: string; agent: string },
  heard: { readonly muted?: boolean; readonly coaching?: boolean } = {},
): Role {
  if (label === labels.caller) return 'caller';
  if (isAgentLabel(label, labels.agent)) return 'agent';
  if (label === FALLBACK_LABEL) return 'fallback';
  if (heard.muted === true || heard.coaching === true) return 'supervisor';
  return 'human';
}

/** Who is in the conference now (participants still being dialled count), besides the leg a signal is about. */
export interface LiveConference {
  readonly callerPresent: boolean;
  readonly callerOnHold: boolean;
  readonly agents: number;
  readonly fallbacks: number;
  readonly humans: number;
}

/** The live conference, or `ended` when Twilio has none in progress under that SID. */
export type Live = LiveConference | 'ended';

/** Something the stack does to the call. */
export type Action =
  | { readonly do: 'dial-agent'; readonly attempt: number }
  | { readonly do: 'dial-fallback' }
  /** The caller hears the fallback message (or is sent to voicemail) and the call ends. */
  | { readonly do: 'end-call'; readonly with: 'message' | 'voicemail' }
  /** Ends the leg the signal is about: nobody is left for it to talk to. */
  | { readonly do: 'hang-up-leg'; readonly status: 'canceled' | 'completed' }
  | { readonly do: 'unhold-caller' }
  /** The person the caller talked to has left: the call is over. */
  | { readonly do: 'hang-up-caller' }
  /** The caller left a conference that goes on without them: the stack's own legs leave too. */
  | { readonly do: 'remove-stack-legs' };

/** A decision: what to do, what to report, and why (for the log). */
export interface Decision {
  readonly actions: readonly Action[];
  readonly metrics: readonly MetricPoint[];
  readonly reason: string;
}

const NOTHING = (reason: string): Decision => ({ actions: [], metrics: [], reason });

/** Why a rung of the ladder did not reach the caller. */
export type FailureCause = 'busy' | 'failed' | 'no-answer' | 'canceled' | 'dropped' | 'rejected' | 'unavailable';

/** The next rung after a leg of `leg` kind (agent attempt `attempt`) failed for `cause`. */
export function nextStep(
  leg: LegKind,
  attempt: number,
  cause: FailureCause,
  config: RecoveryConfig,
): Action & { do: 'dial-agent' | 'dial-fallback' | 'end-call' } {
  // A create Twilio rejected (a bad From, an unverified caller ID) fails the same way again, and one it stayed
  // unavailable for has used the retry budget of this webhook already: neither is dialled again.
  if (leg === 'agent' && cause !== 'rejected' && cause !== 'unavailable' && attempt <= config.agentRetries)
    return { do: 'dial-agent', attempt: attempt + 1 };
  if (leg === 'agent' && config.fallbackTarget !== undefined) return { do: 'dial-fallback' };
  return { do: 'end-call', with: config.fallbackVoicemailUrl !== undefined ? 'voicemail' : 'message' };
}

/** One `Fallbacks` count of `kind`: typed so a new kind must join FALLBACK_KINDS, which the alarm adds up. */
function fallbackMetric(kind: FallbackKind): MetricPoint {
  return { name: 'Fallbacks', value: 1, dimensions: { Kind: kind } };
}

function failureMetric(leg: LegKind, cause: FailureCause): MetricPoint {
  return leg === 'agent'
    ? { name: 'AgentJoinFailures', value: 1, dimensions: { Cause: cause } }
    : { name: 'TransferOutcomes', value: 1, dimensions: { Outcome: cause } };
}

/** The actions and metrics of taking a rung for a caller who is alone. */
function take(step: ReturnType<typeof nextStep>, attended: boolean, callerOnHold: boolean): Omit<Decision, 'reason'> {
  const unhold: Action[] = callerOnHold && step.do !== 'end-call' ? [{ do: 'unhold-caller' }] : [];
  if (step.do === 'dial-agent') return { actions: [...unhold, step], metrics: [fallbackMetric('retry')] };
  if (step.do === 'dial-fallback') return { actions: [...unhold, step], metrics: [fallbackMetric('target')] };
  return {
    actions: [step],
    metrics: [fallbackMetric(step.with), ...(attended ? [] : [{ name: 'CallsEndedUnattended', value: 1 } as const])],
  };
}

function othersOf(live: LiveConference): number {
  return live.agents + live.fallbacks + live.humans;
}

/**
 * A leg the stack dialled (agent or fallback) reported a status.
 * @param timestamp the callback's `Timestamp` (ms), for time to agent
 */
export function onLegStatus(
  state: LegState,
  status: CallStatus,
  live: Live,
  config: RecoveryConfig,
  timestamp?: number,
): Decision {
  const callerThere = live !== 'ended' && live.callerPresent;
  if (!FINAL.has(status)) {
    // The caller hung up while this leg was being placed: it must not connect to an empty conference.
    if (!callerThere)
      return {
        actions: [{ do: 'hang-up-leg', status: status === 'in-progress' ? 'completed' : 'canceled' }],
        metrics: [],
        reason: 'the caller has left: the leg is not needed',
      };
    if (status !== 'in-progress') return NOTHING(`leg ${status}`);
    const metrics: MetricPoint[] =
      state.leg === 'fallback'
        ? [{ name: 'TransferOutcomes', value: 1, dimensions: { Outcome: 'answered' } }]
        : state.callerJoinedAt !== undefined && timestamp !== undefined
          ? [{ name: 'TimeToAgent', value: Math.max(0, timestamp - state.callerJoinedAt) }]
          : [];
    return { actions: [], metrics, reason: `${state.leg} answered` };
  }

  const answered = status === 'completed';
  const attended = state.attended || answered;
  if (!callerThere) {
    return {
      actions: [],
      metrics: attended ? [] : [{ name: 'CallsEndedUnattended', value: 1 }],
      reason: 'the call is over',
    };
  }
  const cause: FailureCause = answered ? 'dropped' : (status as FailureCause);
  if (othersOf(live) > 0) {
    // Someone else is with the caller or on the way (a transfer, a newer attempt): nothing to recover.
    return {
      actions: [],
      metrics: answered ? [] : [failureMetric(state.leg, cause)],
      reason: `${state.leg} leg ${status}; the caller is not alone`,
    };
  }
  if (answered && state.leg === 'fallback') {
    return { actions: [{ do: 'hang-up-caller' }], metrics: [], reason: 'the fallback target hung up' };
  }
  const step = nextStep(state.leg, state.attempt, cause, config);
  const taken = take(step, attended, live.callerOnHold);
  return {
    actions: taken.actions,
    metrics: [failureMetric(state.leg, cause), ...taken.metrics],
    reason: `${state.leg} leg ${cause} with the caller alone: ${step.do}`,
  };
}

/** Creating a leg failed: Twilio rejected it, stayed unavailable through the retries, or the conference is gone. */
export function onCreateFailed(
  state: LegState,
  cause: 'rejected' | 'unavailable' | 'conference-ended',
  config: RecoveryConfig,
): Decision {
  if (cause === 'conference-ended')
    return {
      actions: [],
      metrics: state.attended ? [] : [{ name: 'CallsEndedUnattended', value: 1 }],
      reason: 'the conference ended before the leg was placed',
    };
  const step = nextStep(state.leg, state.attempt, cause, config);
  const taken = take(step, state.attended, false);
  return {
    actions: taken.actions,
    metrics: [failureMetric(state.leg, cause), ...taken.metrics],
    reason: `${state.leg} create ${cause}: ${step.do}`,
  };
}

/**
 * The agent asked for a human the stack cannot reach: a malformed handoff, an unknown queue, a target off the
 * allow-list, a transfer Twilio refused. The caller is not handed back to an agent that has just ended its session:
 * the fallback target, else the fallback message (or voicemail).
 */
export function onHandoffFailed(config: RecoveryConfig): Decision {
  // Like a rejected create: the same request would fail again, so the agent is not the next rung.
  const step = nextStep('agent', 1, 'rejected', config);
  const taken = take(step, true, false);
  return {
    actions: taken.actions,
    metrics: [{ name: 'TransferOutcomes', value: 1, dimensions: { Outcome: 'failed' } }, ...taken.metrics],
    reason: `the agent's handoff cannot be followed: ${step.do}`,
  };
}

const NOT_ANSWERED = new Set(['busy', 'no-answer', 'failed', 'canceled']);

/**
 * A human (a transfer target, a supervisor) left the conference. `reason` and `callStatus` are the event's
 * `ReasonParticipantLeft` and `ParticipantCallStatus`.
 */
export function onHumanLeft(reason: string | undefined, callStatus: string | undefined, live: Live): Decision {
  const notAnswered = reason === 'participant_add_failed' || NOT_ANSWERED.has(callStatus ?? '');
  const metrics: MetricPoint[] = notAnswered
    ? [
        {
          name: 'TransferOutcomes',
          value: 1,
          dimensions: { Outcome: NOT_ANSWERED.has(callStatus ?? '') ? (callStatus as string) : 'failed' },
        },
      ]
    : [];
  if (live === 'ended' || !live.callerPresent) return { actions: [], metrics, reason: 'the caller has left' };
  if (othersOf(live) > 0) {
    // A warm transfer whose human never came (or left): back to the agent, who is still there.
    const unhold = live.callerOnHold && live.humans === 0;
    return {
      actions: unhold ? [{ do: 'unhold-caller' }] : [],
      metrics,
      reason: unhold ? 'the human left: the caller is back with the agent' : 'the caller is not alone',
    };
  }
  if (notAnswered) {
    // A transfer that took the agent away and never reached the human: the agent comes back.
    return {
      actions: [...(live.callerOnHold ? [{ do: 'unhold-caller' } as const] : []), { do: 'dial-agent', attempt: 1 }],
      metrics: [...metrics, fallbackMetric('agent')],
      reason: 'the transfer target never answered and nobody is with the caller: the agent comes back',
    };
  }
  return { actions: [{ do: 'hang-up-caller' }], metrics, reason: 'the human ended the conversation' };
}

/** The caller left; `endsConference` is the event's `EndConferenceOnExit` for them. */
export function onCallerLeft(endsConference: boolean): Decision {
  // When the caller's exit ends the conference Twilio drops every leg; otherwise the stack's legs would talk
  // to nobody. Legs still being placed are stopped by their own status callbacks.
  return endsConference
    ? NOTHING('the caller left and the conference ends')
    : { actions: [{ do: 'remove-stack-legs' }], metrics: [], reason: 'the caller left: the stack legs leave too' };
}
