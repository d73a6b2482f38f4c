/**
 * The state of a call's recovery, carried in the status callback URL of each leg the stack dials. Twilio signs
 * the whole URL it requests, query included, so the state comes back as the stack wrote it: no database.
 */
import type { AgentContext } from '../shared/agent-context';

/** Which rung of the recovery ladder a leg is. */
export type LegKind = 'agent' | 'fallback';

/** What the stack needs to decide the next step when a leg it dialled changes status. */
export interface LegState {
  readonly leg: LegKind;
  /** Agent attempts made so far, this one included (1 for the first agent leg). */
  readonly attempt: number;
  readonly conferenceSid: string;
  readonly callerCallSid: string;
  /** When the caller joined (ms since the epoch, from Twilio's event `Timestamp`), for time to agent. */
  readonly callerJoinedAt?: number;
  /** Whether the agent or a human has talked with the caller on this call already. */
  readonly attended: boolean;
  /** The agent's context, so a retry carries the same one. */
  readonly context: AgentContext;
}

/**
 * The status events every leg the stack dials reports (Twilio: Participant resource, StatusCallbackEvent). Not
 * `initiated`: the recovery only logged it (`ringing` or `answered` follow while the leg can still be stopped), and
 * each one cost an invocation that could hold the combined function's warm container as the agent webhook arrives.
 */
export const LEG_STATUS_EVENTS = ['ringing', 'answered', 'completed'] as const;

const CONFERENCE_SID = /^CF[0-9a-fA-F]{32}$/;
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const CONTEXT_PREFIX = 'ctx.';

/** The query string of a leg's status callback URL. */
export function encodeLegState(state: LegState): string {
  const query = new URLSearchParams({
    leg: state.leg,
    attempt: String(state.attempt),
    conferenceSid: state.conferenceSid,
    callerCallSid: state.callerCallSid,
    attended: state.attended ? '1' : '0',
  });
  if (state.callerJoinedAt !== undefined) query.set('callerJoinedAt', String(state.callerJoinedAt));
  for (const [name, value] of Object.entries(state.context)) query.set(`${CONTEXT_PREFIX}${name}`, value);
  return query.toString();
}

/** Reads a leg's state back from its callback query; undefined when it is not one the stack wrote. */
export function decodeLegState(rawQueryString: string): LegState | undefined {
  const query = new URLSearchParams(rawQueryString);
  const leg = query.get('leg');
  const attempt = Number(query.get('attempt'));
  const conferenceSid = query.get('conferenceSid') ?? '';
  const callerCallSid = query.get('callerCallSid') ?? '';
  const joined = query.get('callerJoinedAt');
  if (leg !== 'agent' && leg !== 'fallback') return undefined;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 10) return undefined;
  if (!CONFERENCE_SID.test(conferenceSid) || !CALL_SID.test(callerCallSid)) return undefined;
  const context: Record<string, string> = {};
  for (const [name, value] of query) {
    if (name.startsWith(CONTEXT_PREFIX)) context[name.slice(CONTEXT_PREFIX.length)] = value;
  }
  return {
    leg,
    attempt,
    conferenceSid,
    callerCallSid,
    callerJoinedAt: joined !== null && /^\d{1,15}$/.test(joined) ? Number(joined) : undefined,
    attended: query.get('attended') === '1',
    context,
  };
}
