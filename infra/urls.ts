/**
 * The stack's public URLs, derived from the API's base URL and the one route table.
 */
import { API_PATHS, TWILIO_PATHS } from '../lambdas/routes';
import { readContextAllowlist } from '../lambdas/shared/config';
import type { StackSettings } from './stack-config';

/** The webhook URLs Twilio is given. */
export interface WebhookUrls {
  readonly inbound: string;
  readonly agent: string;
  readonly agentFallback: string;
  readonly events: string;
}

/** Webhook URLs under `baseUrl` (no trailing slash needed). */
export function webhookUrls(baseUrl: string): WebhookUrls {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    inbound: base + TWILIO_PATHS.inbound,
    agent: base + TWILIO_PATHS.agent,
    agentFallback: base + TWILIO_PATHS.agentFallback,
    events: base + TWILIO_PATHS.events,
  };
}

/** The participants endpoint (a URL template: `{conference}` is a conference name or CF SID). */
export function participantsEndpoint(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '') + API_PATHS.participants;
}

/** The shell function the {@link addAgentCommand} output defines. */
export const ADD_AGENT_FUNCTION = 'add_agent';

/**
 * Example values of the context names a person would send by hand. The other default names (`caller`,
 * `callerCallSid`, `conference`) are the call's own, which the stack fills in for the agent it adds.
 */
const EXAMPLE_CONTEXT: Readonly<Record<string, string>> = { customerId: '42', ticket: 'T-42', language: 'en-US' };

/** A word for the shell, quoted so nothing in it is expanded. */
function shellQuoted(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Shell code (bash or zsh) to `eval` that defines `add_agent <conference>`: it adds an AI agent to that live call
 * through the participants API, with example values for the context names on the stack's allow-list (the
 * participants function's own, read by its reader; none when no name has an example), and reads the token from the
 * stack's secret output when it runs, so the token is never in the output. An agent is usually in the call already
 * (the stack adds one when the caller joins): the API labels the new one `<agentLabel>-2`.
 */
export function addAgentCommand(baseUrl: string, settings: Pick<StackSettings, 'stack' | 'environment'>): string {
  // No comments in it: an interactive zsh without interactive_comments would run `#` as a command. The stack name
  // is validated (letters, digits, _ . -): no quoting needed.
  const { stack } = settings;
  const contextAllowlist = readContextAllowlist(settings.environment.participants);
  const [before, after] = participantsEndpoint(baseUrl).split('{conference}');
  const context = Object.fromEntries(
    contextAllowlist.filter((name) => name in EXAMPLE_CONTEXT).map((name) => [name, EXAMPLE_CONTEXT[name]]),
  );
  const body = JSON.stringify(Object.keys(context).length > 0 ? { context } : {});
  const fn = ADD_AGENT_FUNCTION;
  return [
    `${fn}() {`,
    `  if [ $# -ne 1 ]; then echo "usage: ${fn} <conference>: a live call's conference name (conf-CA...) or CF SID" >&2; return 2; fi`,
    '  local token',
    `  token=$(pulumi stack output --stack ${stack} --show-secrets participantsApiToken) || return`,
    `  curl -sS -w '\\n' -X POST ${shellQuoted(before)}"$1"${shellQuoted(after)} \\`,
    `    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \\`,
    `    -d ${shellQuoted(body)}`,
    '}',
  ].join('\n');
}
