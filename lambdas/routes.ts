/**
 * The one route table of the stack. The Pulumi program declares an API Gateway route per entry and the local
 * sandbox's API Gateway emulator serves exactly these, so the two cannot drift.
 */

/**
 * The handler modules, one esbuild bundle each (`dist/<name>/index.js`); how they map onto deployed Lambda functions
 * is the function layout (infra/layout.ts).
 */
export type HandlerName = 'inbound' | 'agent' | 'events' | 'participants';

/** How a route authenticates its caller. */
export type RouteAuth = 'twilio-signature' | 'bearer-token';

/** One HTTP API route. `path` uses API Gateway's `{param}` syntax. */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly handler: HandlerName;
  readonly auth: RouteAuth;
  readonly description: string;
}

/** Paths Twilio calls; other handlers build callback URLs from them. */
export const TWILIO_PATHS = {
  inbound: '/twilio/voice/inbound',
  agent: '/twilio/voice/agent',
  agentFallback: '/twilio/voice/agent-fallback',
  agentEnded: '/twilio/voice/agent-ended',
  events: '/twilio/conference/events',
  legStatus: '/twilio/calls/status',
} as const;

/** Paths of the authenticated participants API. */
export const API_PATHS = {
  participants: '/conferences/{conference}/participants',
  participant: '/conferences/{conference}/participants/{participant}',
  transfers: '/conferences/{conference}/transfers',
  transferCompletion: '/conferences/{conference}/transfers/complete',
  transferCancellation: '/conferences/{conference}/transfers/cancel',
  supervisors: '/conferences/{conference}/supervisors',
  supervisor: '/conferences/{conference}/supervisors/{participant}',
} as const;

/** Every route of the stack. */
export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: TWILIO_PATHS.inbound,
    handler: 'inbound',
    auth: 'twilio-signature',
    description: "The phone number's voice webhook: puts the caller into a conference.",
  },
  {
    method: 'POST',
    path: TWILIO_PATHS.agent,
    handler: 'agent',
    auth: 'twilio-signature',
    description: "The TwiML App's Voice URL: connects the AI agent with its context.",
  },
  {
    method: 'POST',
    path: TWILIO_PATHS.agentFallback,
    handler: 'agent',
    auth: 'twilio-signature',
    description: "The TwiML App's fallback URL: apologises and hangs up the agent leg.",
  },
  {
    method: 'POST',
    path: TWILIO_PATHS.agentEnded,
    handler: 'events',
    auth: 'twilio-signature',
    description:
      "The agent TwiML's <Connect action>: the stream or session ended; follows the agent's handoff to a human, else ends the leg.",
  },
  {
    method: 'POST',
    path: TWILIO_PATHS.legStatus,
    handler: 'events',
    auth: 'twilio-signature',
    description: 'Status callbacks of the legs the stack dials: recovers a caller left alone, stops orphan legs.',
  },
  {
    method: 'POST',
    path: TWILIO_PATHS.events,
    handler: 'events',
    auth: 'twilio-signature',
    description: 'Conference and participant status callbacks: adds the agent when the caller joins.',
  },
  {
    method: 'POST',
    path: API_PATHS.participants,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Adds a participant (the AI agent by default, or a phone, sip: or client: target).',
  },
  {
    method: 'GET',
    path: API_PATHS.participants,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Lists who is in the conference now: label, call SID, status, hold, muted.',
  },
  {
    method: 'PATCH',
    path: API_PATHS.participant,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Holds, unholds, mutes or unmutes a participant.',
  },
  {
    method: 'DELETE',
    path: API_PATHS.participant,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Removes a participant by label or call SID.',
  },
  {
    method: 'POST',
    path: API_PATHS.transfers,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Starts a cold or warm transfer to a human.',
  },
  {
    method: 'POST',
    path: API_PATHS.transferCompletion,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Completes a warm transfer: unholds the caller and removes the AI agent.',
  },
  {
    method: 'POST',
    path: API_PATHS.transferCancellation,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Cancels a warm transfer: removes the human and takes the caller off hold, back with the AI agent.',
  },
  {
    method: 'POST',
    path: API_PATHS.supervisors,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Adds a supervisor who listens (muted), whispers to the agent or a human (coaching), or barges in.',
  },
  {
    method: 'PATCH',
    path: API_PATHS.supervisor,
    handler: 'participants',
    auth: 'bearer-token',
    description: 'Switches a supervisor between listening, whispering and barging in.',
  },
];

/** The API Gateway route key (`METHOD /path`) of a route. */
export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Every handler name, in deployment order. */
export const HANDLERS: readonly HandlerName[] = ['inbound', 'agent', 'events', 'participants'];

/**
 * The handlers only Twilio calls (every route of theirs is verified by `X-Twilio-Signature`): the ones on a call's
 * way to its agent, which the combined function layout serves from one function.
 */
export const TWILIO_FACING_HANDLERS: readonly HandlerName[] = HANDLERS.filter((h) =>
  ROUTES.filter((r) => r.handler === h).every((r) => r.auth === 'twilio-signature'),
);

/**
 * Matches a concrete request path against a route path template.
 * @returns the path parameters (decoded), or undefined when the path does not match.
 * @example matchPath('/conferences/{conference}/participants', '/conferences/conf-1/participants') // { conference: 'conf-1' }
 */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const templateParts = template.split('/');
  const pathParts = path.split('/');
  if (templateParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < templateParts.length; i++) {
    const t = templateParts[i];
    const p = pathParts[i];
    const param = /^\{(\w+)\}$/.exec(t);
    if (param) {
      if (p === '') return undefined;
      try {
        params[param[1]] = decodeURIComponent(p);
      } catch {
        return undefined;
      }
    } else if (t !== p) {
      return undefined;
    }
  }
  return params;
}
