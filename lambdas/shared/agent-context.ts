/**
 * The context that travels with the agent, and Twilio's limits on it: the custom parameters of an `app:` leg, handed
 * to the agent as `<Parameter>`s. The URLs that carry it are `call-state.ts`.
 */

/** Twilio advises at most 800 bytes of custom parameters on an `app:` leg. */
export const MAX_CONTEXT_BYTES = 800;
/** `<Parameter>` names and values must each stay under 500 characters. */
export const MAX_PARAMETER_CHARS = 499;
const CONTEXT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Context key/values, in the order they should be sent. */
export type AgentContext = Readonly<Record<string, string>>;

/** Why a context cannot be sent; `field` names the offending key. */
export class ContextError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContextError';
  }
}

/** The query string for a context (`encodeURIComponent` on names and values, so `&`, `=`, `?`, `#` survive). */
export function encodeContext(context: AgentContext): string {
  return Object.entries(context)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

/** Checks a context against Twilio's limits; throws {@link ContextError} naming the first offending key. */
export function validateContext(context: AgentContext): void {
  for (const [name, value] of Object.entries(context)) {
    if (!CONTEXT_NAME.test(name)) {
      throw new ContextError(`context.${name}`, 'context names must be 1-64 letters, digits, _ . or -');
    }
    if (typeof value !== 'string') throw new ContextError(`context.${name}`, 'context values must be strings');
    if (value.length > MAX_PARAMETER_CHARS) {
      throw new ContextError(`context.${name}`, `context values must be at most ${MAX_PARAMETER_CHARS} characters`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this check's purpose.
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
      throw new ContextError(`context.${name}`, 'context values must not contain control characters');
    }
  }
  const bytes = Buffer.byteLength(encodeContext(context), 'utf8');
  if (bytes > MAX_CONTEXT_BYTES) {
    throw new ContextError(
      'context',
      `context is ${bytes} bytes URL-encoded; Twilio allows at most ${MAX_CONTEXT_BYTES}`,
    );
  }
}

/**
 * The largest part of `context` that Twilio accepts, for context the stack did not choose (caller IDs, names
 * from Twilio's callbacks): values are admitted in `priority` order (then the rest) while the whole still passes
 * {@link validateContext}; the result keeps the original order. The names dropped are returned for logging.
 */
export function fitContext(
  context: AgentContext,
  priority: readonly string[] = [],
): { context: AgentContext; dropped: string[] } {
  const names = Object.keys(context);
  const order = [...priority.filter((n) => names.includes(n)), ...names.filter((n) => !priority.includes(n))];
  const kept = new Set<string>();
  const dropped: string[] = [];
  const pick = (set: Set<string>) => Object.fromEntries(names.filter((n) => set.has(n)).map((n) => [n, context[n]]));
  for (const name of order) {
    try {
      validateContext(pick(new Set([...kept, name])));
      kept.add(name);
    } catch (error) {
      if (!(error instanceof ContextError)) throw error;
      dropped.push(name);
    }
  }
  return { context: pick(kept), dropped };
}
