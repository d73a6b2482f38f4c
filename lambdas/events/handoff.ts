/**
 * The handoff an AI agent asks for when it ends a ConversationRelay session with `handoffData` (TwiML
 * `<ConversationRelay>`: the `<Connect action>` request carries it as `HandoffData`, a string the agent service
 * chose). Pure: parsed once, defensively, into a typed request, then resolved against the stack's queues and the
 * dial allow-list. Nothing here repeats the agent's data in a problem message: it may hold personal data.
 *
 * The schema (README "The AI asks for a human"):
 *
 * ```json
 * {"reason": "billing dispute", "queue": "billing", "type": "warm"}
 * {"reason": "asked for a person", "target": "+15551230000"}
 * ```
 *
 * - `reason` (required): a non-empty string of at most {@link MAX_REASON_CHARS} characters;
 * - exactly one of `queue` (a name of `HANDOFF_QUEUES`) or `target` (an E.164 number, `sip:` URI or
 *   `client:` identity that matches `ALLOWED_DIAL_TARGETS`);
 * - `type` (optional): `cold` (default) or `warm`;
 * - other members are ignored, so an agent service may add its own (a summary for its logs).
 */
import { QUEUE_NAME } from '../shared/config';
import { dialTargetKind, isAllowedTarget } from '../shared/dial-target';

/** The largest `HandoffData` read, in bytes (ConversationRelay does not bound it; a handoff needs a few dozen). */
export const MAX_HANDOFF_BYTES = 4096;
/** The longest `reason`. */
export const MAX_REASON_CHARS = 200;

/** Where the agent wants the caller to go. */
export type HandoffDestination =
  | { readonly kind: 'queue'; readonly name: string }
  | { readonly kind: 'target'; readonly address: string };

/** A well-formed handoff request. */
export interface HandoffRequest {
  readonly reason: string;
  readonly destination: HandoffDestination;
  readonly type: 'cold' | 'warm';
}

/** What a `<Connect action>`'s `HandoffData` says. */
export type HandoffParse =
  /** The session ended without a handoff (no `HandoffData`, or an empty one). */
  | { readonly kind: 'none' }
  | { readonly kind: 'handoff'; readonly request: HandoffRequest }
  /** Not a handoff the stack can follow; `problem` says why, without the data. */
  | { readonly kind: 'invalid'; readonly problem: string };

const invalid = (problem: string): HandoffParse => ({ kind: 'invalid', problem });

/** Parses a `HandoffData` value. */
export function parseHandoffData(raw: string | undefined): HandoffParse {
  if (raw === undefined || raw.trim() === '') return { kind: 'none' };
  if (Buffer.byteLength(raw, 'utf8') > MAX_HANDOFF_BYTES) return invalid(`longer than ${MAX_HANDOFF_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return invalid('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('not a JSON object');
  const data = value as Record<string, unknown>;
  const { reason, queue, target } = data;
  const type = data.type ?? 'cold';
  if (typeof reason !== 'string' || reason.trim() === '') return invalid('reason missing or not a string');
  if (reason.length > MAX_REASON_CHARS) return invalid(`reason longer than ${MAX_REASON_CHARS} characters`);
  if (type !== 'cold' && type !== 'warm') return invalid('type is neither "cold" nor "warm"');
  if ((queue === undefined) === (target === undefined)) return invalid('give exactly one of queue and target');
  if (queue !== undefined) {
    if (typeof queue !== 'string' || !QUEUE_NAME.test(queue)) return invalid('queue is not a queue name');
    return { kind: 'handoff', request: { reason, type, destination: { kind: 'queue', name: queue } } };
  }
  if (typeof target !== 'string' || dialTargetKind(target) === undefined)
    return invalid('target is not an E.164 number, sip: URI or client: identity');
  return { kind: 'handoff', request: { reason, type, destination: { kind: 'target', address: target } } };
}

/** The dial target of a handoff, or why the stack will not dial it. */
export type ResolvedHandoff =
  | { readonly ok: true; readonly target: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Resolves a handoff's destination: a queue through the configured queues (whose targets passed the allow-list
 * at deployment), a target through the dial allow-list, the same check the participants API applies.
 */
export function resolveHandoff(
  request: HandoffRequest,
  queues: ReadonlyMap<string, string>,
  allowedTargets: readonly string[],
): ResolvedHandoff {
  const { destination } = request;
  if (destination.kind === 'queue') {
    const target = queues.get(destination.name);
    return target === undefined ? { ok: false, problem: 'unknown queue' } : { ok: true, target };
  }
  return isAllowedTarget(allowedTargets, destination.address)
    ? { ok: true, target: destination.address }
    : { ok: false, problem: 'target not on the dial allow-list' };
}
