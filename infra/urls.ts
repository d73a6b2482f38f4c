/**
 * The stack's public URLs, derived from the API's base URL and the one route table.
 */
import { API_PATHS, TWILIO_PATHS } from '../lambdas/routes';

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

/** A ready-to-paste request that adds the AI agent to a conference; the token comes from the stack's secret output. */
export function exampleAddAgentRequest(baseUrl: string, stack: string): string {
  const url = participantsEndpoint(baseUrl).replace('{conference}', 'conf-CA0123456789abcdef0123456789abcdef');
  return [
    `TOKEN=$(pulumi stack output --stack ${stack} --show-secrets participantsApiToken)`,
    `curl -sS -X POST '${url}' \\`,
    `  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `  -d '{"context": {"customerId": "42", "language": "en-US"}}'`,
  ].join('\n');
}
