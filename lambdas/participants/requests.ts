/**
 * Parses the participants API's JSON bodies into typed commands, once, at the edge. Every refusal is a 400
 * that names the field and says why; nothing here calls Twilio.
 */
import { isAgentLabel } from '../shared/agent-labels';
import { dialTargetKind, isAllowedTarget } from '../shared/dial-target';
import { ContextError, validateContext, type AgentContext } from '../shared/agent-context';
import { MAX_CALL_TOKEN_CHARS } from '../shared/call-state';
import type { DialConfig } from '../shared/config';
import { ApiError } from '../shared/errors';
import { isApiLabel, isCallSid, isConferenceRef, isE164, isParticipantRef } from '../shared/identifiers';
import type { CallerId, TransferRequest } from '../shared/transfer';

/** The largest body accepted, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A target that is a person: phone number, SIP URI or Twilio Client identity. */
export type HumanTarget = { readonly kind: 'phone' | 'sip' | 'client'; readonly address: string };

export type AddCommand = {
  readonly kind: 'add';
  readonly from: string;
  readonly muted?: boolean;
  readonly endConferenceOnExit?: boolean;
  readonly timeout?: number;
} & (
  | {
      readonly target: 'agent';
      readonly context: AgentContext;
      /** The label asked for; none: the first free one of the agent's series (`ai-agent`, `ai-agent-2`, …). */
      readonly label?: string;
    }
  | { readonly target: HumanTarget; readonly label: string }
);

export interface UpdateCommand {
  readonly kind: 'update';
  readonly hold?: boolean;
  readonly muted?: boolean;
}

export interface TransferCommand extends TransferRequest {
  readonly kind: 'transfer';
  readonly target: HumanTarget;
  /** Cold transfers: remove the agent when the human answers (default) or right after dialling them. */
  readonly removeAgent: 'on-answer' | 'immediately';
}

export interface CompleteTransferCommand {
  readonly kind: 'complete-transfer';
}

export interface CancelTransferCommand {
  readonly kind: 'cancel-transfer';
  /** The label the transfer gave the human (default `human`). */
  readonly label: string;
}

/**
 * What a supervisor does: listens (muted, heard by nobody), whispers (heard only by the participant `coach`
 * names: a label or call SID, the agent's label for `"agent"`) or barges in (heard by everyone).
 */
export type SupervisorMode =
  | { readonly mode: 'listen' }
  | { readonly mode: 'whisper'; readonly coach: string }
  | { readonly mode: 'barge' };

export type AddSupervisorCommand = {
  readonly kind: 'add-supervisor';
  readonly target: HumanTarget;
  readonly label: string;
  readonly from: string;
  readonly timeout?: number;
} & SupervisorMode;

export type SupervisorModeCommand = { readonly kind: 'supervisor-mode' } & SupervisorMode;

function bad(field: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', message, field);
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObject(body: string, contentType: string | undefined): Record<string, unknown> {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    throw new ApiError(413, 'body_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  if (body.trim() === '') return {};
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'invalid_json', 'The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw bad(key.slice(0, 64), `Unknown field "${key.slice(0, 64)}"; allowed: ${allowed.join(', ')}`);
  }
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw bad(field, `${field} must be true or false`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(field, `${field} must be a string`);
  return value;
}

function optionalTimeout(body: Record<string, unknown>): number | undefined {
  const value = body.timeout;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 5 || value > 600) {
    throw bad('timeout', 'timeout must be a whole number of seconds from 5 to 600');
  }
  return value;
}

function label(body: Record<string, unknown>, fallback: string): string;
function label(body: Record<string, unknown>, fallback: undefined): string | undefined;
function label(body: Record<string, unknown>, fallback: string | undefined): string | undefined {
  const value = optionalString(body, 'label') ?? fallback;
  if (value === undefined) return undefined;
  if (!isApiLabel(value))
    throw bad(
      'label',
      isCallSid(value) ? 'label must not look like a Call SID' : 'label must be 1-128 letters, digits, _ . : or -',
    );
  return value;
}

/**
 * Whether a label is the caller's or one of the agent's series: a person labelled so would be taken for them by the
 * recovery, which reads who is who from labels.
 */
function isStackLabel(value: string, dial: DialConfig): boolean {
  return value === dial.callerLabel || isAgentLabel(value, dial.agentLabel);
}

function differentLabel(dial: DialConfig): string {
  return `label must differ from the caller's and the agents' labels (${dial.callerLabel}, ${dial.agentLabel}, ${dial.agentLabel}-2, …)`;
}

function from(body: Record<string, unknown>, dial: DialConfig): string {
  const value = optionalString(body, 'from') ?? dial.fromNumber;
  if (!isE164(value)) throw bad('from', 'from must be an E.164 number such as +15551234567');
  return value;
}

/** Parses a human target and checks it against the configured allow-list. */
export function parseHumanTarget(value: unknown, field: string, dial: DialConfig): HumanTarget {
  if (typeof value !== 'string')
    throw bad(field, `${field} must be a string: an E.164 number, a sip: URI or a client: identity`);
  const kind = dialTargetKind(value);
  if (kind === undefined)
    throw bad(field, `${field} must be an E.164 number (+15551234567), a sip: URI or a client: identity`);
  const target: HumanTarget = { kind, address: value };
  if (!isAllowedTarget(dial.allowedTargets, target.address)) {
    throw new ApiError(
      403,
      'target_not_allowed',
      `${field} is not on this stack's list of allowed dial targets`,
      field,
    );
  }
  return target;
}

function context(value: unknown, allowlist: readonly string[]): AgentContext {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('context', 'context must be an object of string values');
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [name, item] of entries) {
    if (typeof item !== 'string') throw bad(`context.${name.slice(0, 64)}`, 'context values must be strings');
  }
  const result = Object.fromEntries(entries) as Record<string, string>;
  try {
    validateContext(result);
  } catch (error) {
    if (error instanceof ContextError) throw bad(error.field.slice(0, 72), error.message);
    throw error;
  }
  // The agent handler passes on only allow-listed names: a key it would drop is refused here, where the caller
  // can still see and fix it, instead of vanishing between the API's 201 and the agent.
  for (const name of Object.keys(result)) {
    if (!allowlist.includes(name)) {
      throw bad(
        `context.${name.slice(0, 64)}`,
        `context.${name.slice(0, 64)} would not reach the agent: allowed context names are ${allowlist.join(', ') || '(none)'} (AGENT_CONTEXT_ALLOWLIST)`,
      );
    }
  }
  return result;
}

/** `POST /conferences/{conference}/participants`. */
export function parseAddCommand(
  body: Record<string, unknown>,
  dial: DialConfig,
  contextAllowlist: readonly string[],
): AddCommand {
  onlyFields(body, ['target', 'context', 'label', 'from', 'muted', 'endConferenceOnExit', 'timeout']);
  const common = {
    kind: 'add' as const,
    from: from(body, dial),
    muted: optionalBoolean(body, 'muted'),
    endConferenceOnExit: optionalBoolean(body, 'endConferenceOnExit'),
    timeout: optionalTimeout(body),
  };
  if (body.target === undefined || body.target === 'agent') {
    return {
      ...common,
      target: 'agent',
      context: context(body.context, contextAllowlist),
      label: label(body, undefined),
    };
  }
  if (body.context !== undefined) throw bad('context', 'context is only for the agent target');
  const humanLabel = label(body, 'human');
  if (isStackLabel(humanLabel, dial)) throw bad('label', differentLabel(dial));
  return { ...common, target: parseHumanTarget(body.target, 'target', dial), label: humanLabel };
}

/** `PATCH /conferences/{conference}/participants/{participant}`. */
export function parseUpdateCommand(body: Record<string, unknown>): UpdateCommand {
  onlyFields(body, ['hold', 'muted']);
  const hold = optionalBoolean(body, 'hold');
  const muted = optionalBoolean(body, 'muted');
  if (hold === undefined && muted === undefined) throw bad('hold', 'Give hold and/or muted');
  return { kind: 'update', hold, muted };
}

/** `POST /conferences/{conference}/transfers`. */
export function parseTransferCommand(body: Record<string, unknown>, dial: DialConfig): TransferCommand {
  onlyFields(body, ['type', 'target', 'label', 'from', 'timeout', 'removeAgent', 'callerId']);
  const type = body.type;
  if (type !== 'cold' && type !== 'warm') throw bad('type', 'type must be "cold" or "warm"');
  if (body.target === undefined) throw bad('target', 'target is required');
  const removeAgent = body.removeAgent ?? 'on-answer';
  if (removeAgent !== 'on-answer' && removeAgent !== 'immediately')
    throw bad('removeAgent', 'removeAgent must be "on-answer" or "immediately"');
  if (type === 'warm' && body.removeAgent !== undefined)
    throw bad('removeAgent', 'removeAgent applies to cold transfers; a warm transfer removes the agent on completion');
  const transferLabel = label(body, 'human');
  if (isStackLabel(transferLabel, dial)) throw bad('label', differentLabel(dial));
  return {
    kind: 'transfer',
    type,
    target: parseHumanTarget(body.target, 'target', dial),
    label: transferLabel,
    from: from(body, dial),
    timeout: optionalTimeout(body),
    removeAgent,
    callerId: callerId(body.callerId),
  };
}

/** The coach keyword for the AI agent; any other value names a participant by label or call SID. */
export const COACH_AGENT = 'agent';

/** Parses `mode` and `coach`; `supervisor` is the supervisor's own label or call SID (nobody coaches themself). */
function supervisorMode(body: Record<string, unknown>, dial: DialConfig, supervisor: string): SupervisorMode {
  const mode = body.mode ?? 'listen';
  if (mode !== 'listen' && mode !== 'whisper' && mode !== 'barge')
    throw bad('mode', 'mode must be "listen", "whisper" or "barge"');
  if (mode !== 'whisper') {
    if (body.coach !== undefined) throw bad('coach', 'coach is only for mode "whisper"');
    return { mode };
  }
  const coach = optionalString(body, 'coach');
  if (coach === undefined)
    throw bad('coach', `mode "whisper" needs coach: "${COACH_AGENT}", or the label or call SID of a human`);
  if (!isParticipantRef(coach))
    throw bad('coach', 'coach must be "agent", a label (letters, digits, _ . : -) or a call SID (CA...)');
  const coached = coach === COACH_AGENT ? dial.agentLabel : coach;
  // Whispering to the caller would let them hear a voice nobody else hears: not a supervisor's job.
  if (coached === dial.callerLabel)
    throw bad('coach', 'a supervisor whispers to the agent or a human, not to the caller (barge in to talk to them)');
  if (coached === supervisor) throw bad('coach', 'a supervisor cannot whisper to themself');
  return { mode, coach: coached };
}

/** `POST /conferences/{conference}/supervisors`. */
export function parseAddSupervisorCommand(body: Record<string, unknown>, dial: DialConfig): AddSupervisorCommand {
  onlyFields(body, ['target', 'mode', 'coach', 'label', 'from', 'timeout']);
  if (body.target === undefined) throw bad('target', "target is required: the supervisor's number, sip: or client:");
  const supervisorLabel = label(body, 'supervisor');
  if (isStackLabel(supervisorLabel, dial)) throw bad('label', differentLabel(dial));
  return {
    kind: 'add-supervisor',
    target: parseHumanTarget(body.target, 'target', dial),
    label: supervisorLabel,
    from: from(body, dial),
    timeout: optionalTimeout(body),
    ...supervisorMode(body, dial, supervisorLabel),
  };
}

/** `PATCH /conferences/{conference}/supervisors/{participant}`; `participant` is the parsed path value. */
export function parseSupervisorModeCommand(
  body: Record<string, unknown>,
  dial: DialConfig,
  participant: string,
): SupervisorModeCommand {
  onlyFields(body, ['mode', 'coach']);
  if (body.mode === undefined) throw bad('mode', 'mode is required: "listen", "whisper" or "barge"');
  // The caller and the agent are no supervisors: making either a coach would silence them for everyone else.
  if (isStackLabel(participant, dial))
    throw bad('participant', 'participant must be a supervisor, not the caller or the agent');
  return { kind: 'supervisor-mode', ...supervisorMode(body, dial, participant) };
}

/** `callerId`: the caller's number and the inbound call's `CallToken`, to present the caller's number to the human. */
function callerId(value: unknown): CallerId | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('callerId', 'callerId must be an object {"number", "token"}');
  onlyFields(value as Record<string, unknown>, ['number', 'token']);
  const { number, token } = value as Record<string, unknown>;
  if (typeof number !== 'string' || !isE164(number))
    throw bad('callerId.number', "callerId.number must be the caller's E.164 number");
  // The token is a credential for the caller's identity: the message never repeats it.
  if (typeof token !== 'string' || token === '' || token.length > MAX_CALL_TOKEN_CHARS || /[\s]/.test(token))
    throw bad(
      'callerId.token',
      `callerId.token must be the inbound call's CallToken (1-${MAX_CALL_TOKEN_CHARS} characters, no spaces)`,
    );
  return { number, token };
}

/** `POST /conferences/{conference}/transfers/complete`. */
export function parseCompleteTransferCommand(body: Record<string, unknown>): CompleteTransferCommand {
  onlyFields(body, []);
  return { kind: 'complete-transfer' };
}

/** `POST /conferences/{conference}/transfers/cancel`. */
export function parseCancelTransferCommand(body: Record<string, unknown>, dial: DialConfig): CancelTransferCommand {
  onlyFields(body, ['label']);
  const humanLabel = label(body, 'human');
  // Cancelling removes this participant: never the caller or the agent the caller goes back to.
  if (isStackLabel(humanLabel, dial))
    throw bad('label', 'label must be the human of the transfer, not the agent or the caller');
  return { kind: 'cancel-transfer', label: humanLabel };
}

/** Checks the `{conference}` path parameter: a URL-safe FriendlyName or a CF SID. */
export function parseConferencePath(value: string | undefined): string {
  if (!isConferenceRef(value)) {
    throw bad('conference', 'conference must be a conference name (letters, digits, _ . -, up to 128) or a CF SID');
  }
  return value;
}

/** Checks the `{participant}` path parameter: a CA call SID or a label. */
export function parseParticipantPath(value: string | undefined): string {
  if (!isParticipantRef(value)) {
    throw bad('participant', 'participant must be a call SID (CA...) or a label (letters, digits, _ . : -)');
  }
  return value;
}
