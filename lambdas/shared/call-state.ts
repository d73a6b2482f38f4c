/**
 * The state a call carries in the URLs the stack gives Twilio, written and read here only. Twilio signs the whole URL
 * it requests, query included, so the state comes back as the stack wrote it: no database. Each kind of URL has one
 * encoder (typed values in) and one decoder (typed values out, or nothing when the query is not one the stack wrote):
 *
 * - the conference's status callback (inbound -> events): the caller's number, call and CallToken;
 * - a cold transfer's completion (the human's leg -> events): the agents to remove when the human answers;
 * - a leg's status callback (agent or fallback leg -> events): the call's recovery state;
 * - the agent's `app:` address (Participants API `To`), read back from the TwiML App's Voice URL;
 * - the agent TwiML's `<Connect action>` (agent -> events): the call's context when the session ends.
 *
 * The encodings differ on purpose and must not change: Twilio's signature covers the exact bytes of each URL.
 */
import { type AgentContext, encodeContext, MAX_PARAMETER_CHARS, validateContext } from './agent-context';
import { isCallSid, isConferenceRef, isConferenceSid, isTwilioLabel } from './identifiers';

/**
 * Names the stack itself puts on the agent's URL besides the caller's context. `callToken` is the inbound call's
 * `CallToken`, carried so a handoff can present the caller's number: a secret, handed to the agent only when a
 * deployer puts it on the allow-list, and never reported as dropped. `handoff` marks the session in which the
 * agent briefs the human of a warm handoff: always handed on, since the agent must know it is briefing.
 */
export const STACK_PARAMETERS = { callToken: 'callToken', handoff: 'handoff' } as const;

/**
 * The longest `CallToken` the stack carries. Tokens in Twilio's inbound webhooks are URL-encoded JSON of about
 * 0.4 KB, or 1-2 KB with a SHAKEN PASSporT in `identityHeaderTokens`; a longer one is dropped (the human then
 * sees the stack's number) so the callback URLs carrying it stay far inside API Gateway's 10,240-byte limit on
 * the request line and headers.
 */
export const MAX_CALL_TOKEN_CHARS = 2048;

/** The most agent attempts a leg's state may count (the recovery's own limit is lower). */
export const MAX_ATTEMPTS = 10;

/** A `CallToken` the stack carries: 1 to {@link MAX_CALL_TOKEN_CHARS} characters; else undefined. */
export function carriedCallToken(token: string | null | undefined): string | undefined {
  return token !== null && token !== undefined && token !== '' && token.length <= MAX_CALL_TOKEN_CHARS
    ? token
    : undefined;
}

// --- The conference's status callback and a cold transfer's completion (both on the events route) ---

/** The caller's side of a call, on the conference's status callback. */
export interface CallerState {
  readonly caller: string;
  readonly callerCallSid: string;
  /** The inbound call's CallToken (a secret: never logged). */
  readonly callToken?: string;
}

/** The agents to remove once a cold transfer's human answers. */
export interface ColdTransferState {
  readonly conferenceSid: string;
  readonly agentLabel: string;
}

/** What the events route's query carries: the caller's side of the call, or a cold transfer to finish. */
export type EventsQuery =
  | ({ readonly action: 'conference' } & Partial<CallerState>)
  | ({ readonly action: 'complete-cold-transfer' } & ColdTransferState);

const COLD_TRANSFER = 'complete-cold-transfer';

/** The query of the conference's status callback. */
export function encodeCallerState(state: CallerState): string {
  return encodeContext({
    caller: state.caller,
    callerCallSid: state.callerCallSid,
    ...(state.callToken !== undefined && { [STACK_PARAMETERS.callToken]: state.callToken }),
  });
}

/** The query that asks the events route to remove the agents once a cold transfer's human answers. */
export function encodeColdTransfer(state: ColdTransferState): string {
  const { conferenceSid, agentLabel } = state;
  return new URLSearchParams({ action: COLD_TRANSFER, conferenceSid, agentLabel }).toString();
}

/** Reads the events route's query; anything that is not a well-formed cold transfer is a conference callback. */
export function decodeEventsQuery(rawQueryString: string): EventsQuery {
  const query = new URLSearchParams(rawQueryString);
  if (query.get('action') === COLD_TRANSFER) {
    const conferenceSid = query.get('conferenceSid') ?? '';
    const agentLabel = query.get('agentLabel') ?? '';
    if (isConferenceSid(conferenceSid) && isTwilioLabel(agentLabel))
      return { action: COLD_TRANSFER, conferenceSid, agentLabel };
  }
  const callerCallSid = query.get('callerCallSid');
  return {
    action: 'conference',
    caller: query.get('caller') ?? undefined,
    callerCallSid: isCallSid(callerCallSid) ? callerCallSid : undefined,
    callToken: carriedCallToken(query.get(STACK_PARAMETERS.callToken)),
  };
}

// --- A leg's status callback ---

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
 * `initiated`: `ringing` or `answered` follow while the leg can still be stopped, and each `initiated` would cost
 * an invocation that could hold the combined function's warm container as the agent webhook arrives.
 */
export const LEG_STATUS_EVENTS = ['ringing', 'answered', 'completed'] as const;

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
  const conferenceSid = query.get('conferenceSid');
  const callerCallSid = query.get('callerCallSid');
  const joined = query.get('callerJoinedAt');
  if (leg !== 'agent' && leg !== 'fallback') return undefined;
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPTS) return undefined;
  if (!isConferenceSid(conferenceSid) || !isCallSid(callerCallSid)) return undefined;
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

// --- The agent's `app:` address and the TwiML App's Voice URL ---

/**
 * The Participants API `To` for the agent's TwiML App with its context; Twilio appends the query to the App's
 * Voice URL. Throws `ContextError` for a context over Twilio's limits (`validateContext`).
 * @example agentAddress('AP123', { caller: '+15551234567' }) // 'app:AP123?caller=%2B15551234567'
 */
export function agentAddress(appSid: string, context: AgentContext): string {
  validateContext(context);
  const query = encodeContext(context);
  return query ? `app:${appSid}?${query}` : `app:${appSid}`;
}

/** Result of reading the custom parameters Twilio appended to the TwiML App's URL. */
export interface ReceivedContext {
  readonly parameters: { name: string; value: string }[];
  /** Names dropped: not on the allow-list, or over Twilio's `<Parameter>` limits. */
  readonly dropped: { name: string; reason: 'not-allowed' | 'too-long' | 'duplicate' }[];
}

/** Reads the allowed context parameters from the raw query string of the agent webhook, in the order sent. */
export function readContext(rawQueryString: string, allowlist: readonly string[]): ReceivedContext {
  const allowed = new Set(allowlist);
  const parameters: { name: string; value: string }[] = [];
  const dropped: ReceivedContext['dropped'] = [];
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    if (name === STACK_PARAMETERS.callToken && !allowed.has(name)) continue;
    if (!allowed.has(name) && name !== STACK_PARAMETERS.handoff)
      dropped.push({ name: name.slice(0, 64), reason: 'not-allowed' });
    else if (seen.has(name)) dropped.push({ name, reason: 'duplicate' });
    else if (value.length > MAX_PARAMETER_CHARS) dropped.push({ name, reason: 'too-long' });
    else {
      seen.add(name);
      parameters.push({ name, value });
    }
  }
  return { parameters, dropped };
}

// --- The agent TwiML's `<Connect action>` ---

/** The call's own names the `<Connect action>` route needs, besides the agent's parameters. */
const CALL_NAMES = ['conference', 'callerCallSid', 'caller', STACK_PARAMETERS.callToken, STACK_PARAMETERS.handoff];

/**
 * The query of the agent's `<Connect action>` URL: the parameters handed to the agent and the call's own names
 * (conference, caller, CallToken, handoff marker) from the query Twilio signed, so the end of the session is handled
 * with the call's context; nothing the allow-list dropped.
 */
export function connectActionQuery(
  rawQueryString: string,
  parameters: readonly { name: string; value: string }[],
): string {
  const query = new URLSearchParams(rawQueryString);
  const kept: Record<string, string> = {};
  for (const { name, value } of parameters) kept[name] = value;
  for (const name of CALL_NAMES) {
    const value = query.get(name);
    if (value !== null && !(name in kept)) kept[name] = value;
  }
  return encodeContext(kept);
}

/** The call an agent leg served, from the `<Connect action>` query. */
export interface AgentCall {
  readonly conference: string;
  readonly callerCallSid: string;
  readonly caller?: string;
  readonly callToken?: string;
  /** The agent's context, for a retry or the fallback's recovery state (the handoff marker left out). */
  readonly context: AgentContext;
}

/** What the `<Connect action>` query says: whether the session was a warm handoff's briefing, and the call. */
export interface AgentEndedQuery {
  readonly briefing: boolean;
  /** Undefined when the query lacks a well-formed conference and caller's call. */
  readonly call?: AgentCall;
}

/** Reads the `<Connect action>` query. */
export function decodeAgentEnded(rawQueryString: string): AgentEndedQuery {
  const query = new URLSearchParams(rawQueryString);
  const briefing = query.get(STACK_PARAMETERS.handoff) === 'warm';
  const conference = query.get('conference');
  const callerCallSid = query.get('callerCallSid');
  if (!isConferenceRef(conference) || !isCallSid(callerCallSid)) return { briefing };
  const context: Record<string, string> = {};
  for (const [name, value] of query) if (name !== STACK_PARAMETERS.handoff) context[name] = value;
  return {
    briefing,
    call: {
      conference,
      callerCallSid,
      caller: query.get('caller') ?? undefined,
      callToken: carriedCallToken(query.get(STACK_PARAMETERS.callToken)),
      context,
    },
  };
}

/** The agent's Voice URL query for the warm handoff's briefing: the session's own query, marked as the briefing. */
export function briefingQuery(rawQueryString: string): string {
  return `${rawQueryString}&${STACK_PARAMETERS.handoff}=warm`;
}
