/**
 * Turns what the sandbox observed (Twilio emulator events and API Gateway invocations) into a Mermaid sequence
 * diagram of the call flow. Each message sits where it started, so it follows its cause: a request is drawn when
 * it arrived, its answer when it was given, and what Twilio did while handling a REST request in between. The
 * sender of a REST request to Twilio is told by the credential it authenticated with: each function has its own
 * API key in the sandbox; anything else is the sandbox's Pulumi providers provisioning or restoring Twilio. Pure.
 */
import { ROUTES, routeKey, type HandlerName } from '../lambdas/routes';
import type { EmulatorEvent } from './twilio';

/** An observation. Times are performance.now() values of one process. */
export type Observation =
  | {
      readonly kind: 'twilio';
      /** When the emulator emitted the event (its end, for events with a duration `ms`). */
      readonly at: number;
      readonly event: EmulatorEvent;
    }
  | {
      readonly kind: 'api';
      readonly startedAt: number;
      readonly endedAt: number;
      readonly method: string;
      readonly path: string;
      readonly routeKey: string | null;
      readonly handler: HandlerName | null;
      readonly status: number;
    };

/** The diagram's participants, in the order they are drawn. */
const ACTORS = {
  Caller: 'Caller',
  Twilio: 'Twilio',
  FnInbound: 'Lambda inbound',
  FnAgent: 'Lambda agent',
  FnEvents: 'Lambda events',
  FnParticipants: 'Lambda participants',
  You: 'Your application',
  Providers: 'Pulumi providers (sandbox)',
  AI: 'AI agent',
  Human: 'Human',
} as const;
type Actor = keyof typeof ACTORS;

const FUNCTION_ACTOR: Record<HandlerName, Actor> = {
  inbound: 'FnInbound',
  agent: 'FnAgent',
  events: 'FnEvents',
  participants: 'FnParticipants',
};

interface Message {
  readonly at: number;
  readonly from: Actor;
  readonly to?: Actor;
  readonly arrow?: '->>' | '-->>';
  readonly text: string;
}

/** Message text Mermaid reads literally: `;` ends a statement and `#` starts an entity, so both are entities. */
function literal(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;'));
}

function callerOf(key: string | null): Actor {
  const route = ROUTES.find((r) => routeKey(r) === key);
  return route?.auth === 'twilio-signature' ? 'Twilio' : 'You';
}

function apiMessages(o: Extract<Observation, { kind: 'api' }>): Message[] {
  const from = callerOf(o.routeKey);
  if (!o.handler) return [{ at: o.startedAt, from, text: `${o.method} ${o.path}: no such route, ${o.status}` }];
  const fn = FUNCTION_ACTOR[o.handler];
  return [
    { at: o.startedAt, from, to: fn, arrow: '->>', text: `${o.method} ${o.path}` },
    { at: o.endedAt, from: fn, to: from, arrow: '-->>', text: String(o.status) },
  ];
}

function twilioMessages(at: number, e: EmulatorEvent, senderOf: (credentialSid: string | null) => Actor): Message[] {
  switch (e.type) {
    case 'call-created':
      if (e.direction === 'inbound') return [{ at, from: 'Caller', to: 'Twilio', arrow: '->>', text: `dials ${e.to}` }];
      return [
        {
          at,
          from: 'Twilio',
          to: e.to.startsWith('app:') ? 'AI' : 'Human',
          arrow: '->>',
          text: `dials ${e.to.split('?')[0]}`,
        },
      ];
    case 'rest-request': {
      const start = at - e.ms;
      const sender = senderOf(e.credentialSid);
      return [
        { at: start, from: sender, to: 'Twilio', arrow: '->>', text: `${e.method} ${e.operationId ?? e.path}` },
        { at, from: 'Twilio', to: sender, arrow: '-->>', text: `${e.status}${e.code ? ` (${e.code})` : ''}` },
      ];
    }
    case 'webhook-request':
      return e.status === null || e.error
        ? [{ at, from: 'Twilio', text: `webhook ${e.method} ${e.url} failed: ${e.error ?? 'no answer'}` }]
        : [];
    case 'conference-join':
      return [{ at, from: 'Twilio', text: `${e.label ?? e.callSid} joined ${e.friendlyName}` }];
    case 'conference-leave':
      return [{ at, from: 'Twilio', text: `${e.label ?? e.callSid} left (${e.reason})` }];
    case 'participant-update':
      return [{ at, from: 'Twilio', text: `${e.label ?? e.callSid} hold=${e.hold} muted=${e.muted}` }];
    case 'stream-started':
      return [
        {
          at,
          from: 'Twilio',
          to: 'AI',
          arrow: '->>',
          text: `${e.kind === 'stream' ? 'start' : 'setup'} customParameters=${JSON.stringify(e.customParameters)}`,
        },
      ];
    case 'conference-end':
      return [{ at, from: 'Twilio', text: `conference ended (${e.reason})` }];
    default:
      return [];
  }
}

/**
 * The Mermaid source of the observed flow. `functionCredentials` maps the credential SID each function
 * authenticates its REST calls with to the function; any other credential is the Pulumi providers'.
 */
export function flowDiagram(
  observations: readonly Observation[],
  functionCredentials: Readonly<Record<string, HandlerName>> = {},
): string {
  const senderOf = (credentialSid: string | null): Actor => {
    const fn = credentialSid === null ? undefined : functionCredentials[credentialSid];
    return fn ? FUNCTION_ACTOR[fn] : 'Providers';
  };
  const messages = observations
    .flatMap((o) => (o.kind === 'api' ? apiMessages(o) : twilioMessages(o.at, o.event, senderOf)))
    .map((m, order) => ({ ...m, order }))
    .sort((a, b) => a.at - b.at || a.order - b.order);
  const used = new Set(messages.flatMap((m) => (m.to ? [m.from, m.to] : [m.from])));
  const declarations = (Object.keys(ACTORS) as Actor[])
    .filter((a) => used.has(a))
    .map((a) => (a === ACTORS[a] ? `participant ${a}` : `participant ${a} as ${ACTORS[a]}`));
  const lines = messages.map((m) =>
    m.to ? `${m.from}${m.arrow}${m.to}: ${literal(m.text)}` : `Note over ${m.from}: ${literal(m.text)}`,
  );
  return `${['sequenceDiagram', ...declarations, ...lines].join('\n  ')}\n`;
}
