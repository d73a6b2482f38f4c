/**
 * Turns what the sandbox observed (Twilio emulator events and API Gateway invocations) into a Mermaid sequence
 * diagram of the call flow. Pure.
 */
import type { EmulatorEvent } from './twilio';

/** An observation in time order. */
export type Observation =
  | { readonly at: number; readonly kind: 'twilio'; readonly event: EmulatorEvent }
  | {
      readonly at: number;
      readonly kind: 'api';
      readonly method: string;
      readonly path: string;
      readonly handler: string | null;
      readonly status: number;
    };

const ACTORS = [
  'participant Caller',
  'participant Twilio',
  'participant API as API Gateway + Lambda',
  'participant Agent as AI agent',
  'participant Human',
];

function line(o: Observation): string | undefined {
  if (o.kind === 'api')
    return o.handler === 'participants'
      ? `Note over API: participants API ${o.method} ${o.path} -> ${o.status}`
      : undefined;
  const e = o.event;
  switch (e.type) {
    case 'call-created':
      return e.direction === 'inbound'
        ? `Caller->>Twilio: call ${e.to}`
        : `Twilio->>${e.to.startsWith('app:') ? 'Agent' : 'Human'}: dial ${e.to.split('?')[0]}`;
    case 'webhook-request':
      return `Twilio->>API: POST ${new URL(e.url).pathname} (${e.purpose}) -> ${e.status ?? e.error}`;
    case 'rest-request':
      return e.method === 'GET'
        ? undefined
        : `API->>Twilio: ${e.method} ${e.operationId ?? e.path} -> ${e.status}${e.code ? ` (${e.code})` : ''}`;
    case 'conference-join':
      return `Note over Twilio: ${e.label ?? e.callSid} joined ${e.friendlyName}`;
    case 'conference-leave':
      return `Note over Twilio: ${e.label ?? e.callSid} left (${e.reason})`;
    case 'participant-update':
      return `Note over Twilio: ${e.label} hold=${e.hold} muted=${e.muted}`;
    case 'stream-started':
      return `Twilio->>Agent: ${e.kind === 'stream' ? 'start' : 'setup'} customParameters=${JSON.stringify(e.customParameters).replace(/[;#]/g, ' ')}`;
    case 'conference-end':
      return `Note over Twilio: conference ended (${e.reason})`;
    default:
      return undefined;
  }
}

/** The Mermaid source of the observed flow. */
export function flowDiagram(observations: readonly Observation[]): string {
  const body = [...observations]
    .sort((a, b) => a.at - b.at)
    .map(line)
    .filter((l): l is string => l !== undefined);
  return `${['sequenceDiagram', ...ACTORS, ...body].join('\n  ')}\n`;
}
