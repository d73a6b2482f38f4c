/**
 * The context that travels with the agent: encoded into the Participants API's `To=app:AP...?k=v`, and read
 * back from the query string Twilio appends to the TwiML App's Voice URL.
 */

/** Twilio advises at most 800 bytes of custom parameters on an `app:` leg. */
export const MAX_CONTEXT_BYTES = 800;
/** `<Parameter>` names and values must each stay under 500 characters. */
export const MAX_PARAMETER_CHARS = 499;
const CONTEXT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

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

/**
 * The Participants API `To` for the agent's TwiML App with its context.
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
