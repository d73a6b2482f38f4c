/**
 * The call-flow diagram the sandbox writes: each message after its cause, each named for who sent it, text that
 * Mermaid reads literally. Table tests on the pure renderer, then the diagram of a real main-scenario run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { flowDiagram, type Observation } from '../../sandbox/flow-diagram';
import { runMainScenario } from '../../sandbox/scenario';
import type { EmulatorEvent } from '../../sandbox/twilio';
import { parseMermaid } from '../docs/support/mermaid';

const EVENTS_KEY = `SK${'e'.repeat(32)}`;
const ACCOUNT = `AC${'a'.repeat(32)}`;
type EventInput = EmulatorEvent extends infer E ? (E extends { at: number } ? Omit<E, 'at'> : never) : never;
const twilio = (at: number, event: EventInput): Observation =>
  ({ kind: 'twilio', at, event: { ...event, at } }) as Observation;
const createParticipant = (at: number, ms: number, credentialSid: string) =>
  twilio(at, {
    type: 'rest-request',
    method: 'POST',
    path: '/2010-04-01/Accounts/AC/Conferences/conf-1/Participants.json',
    operationId: 'CreateParticipant',
    status: 201,
    ms,
    credentialSid,
  });
const messages = (source: string) =>
  source
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => !/^(sequenceDiagram|participant )/.test(l) && l);

describe('flowDiagram', () => {
  it('when a REST request is answered after the dial it caused, it draws the request, then the dial, then the answer', () => {
    // Arrange: the emulator reports the request when it answers (t=12), 5 ms after it arrived
    const observations = [
      twilio(10, {
        type: 'call-created',
        callSid: 'CA2',
        from: '+1555',
        to: 'app:AP1?caller=x',
        direction: 'outbound-api',
      }),
      createParticipant(12, 5, EVENTS_KEY),
    ];

    // Act
    const lines = messages(flowDiagram(observations, { [EVENTS_KEY]: 'events' }));

    // Assert
    expect(lines).toEqual([
      'FnEvents->>Twilio: POST CreateParticipant',
      'Twilio->>AI: dials app:AP1',
      'Twilio-->>FnEvents: 201',
    ]);
  });

  it.each([
    ['a function’s API key', EVENTS_KEY, 'FnEvents'],
    ['the Auth Token (the Pulumi providers)', ACCOUNT, 'Providers'],
  ])('when a REST request authenticated with %s, it names that sender', (_situation, credentialSid, sender) => {
    // Act
    const lines = messages(flowDiagram([createParticipant(5, 1, credentialSid)], { [EVENTS_KEY]: 'events' }));

    // Assert
    expect(lines[0]).toBe(`${sender}->>Twilio: POST CreateParticipant`);
  });

  it.each([
    ['a Twilio webhook', 'POST /twilio/conference/events', 'events', 'Twilio->>FnEvents', 'FnEvents-->>Twilio'],
    [
      'a participants API call',
      'POST /conferences/{conference}/transfers',
      'participants',
      'You->>FnParticipants',
      'FnParticipants-->>You',
    ],
  ] as const)(
    'when %s reaches a function, it is drawn from its caller and answered back',
    (_s, key, handler, ask, answer) => {
      // Arrange
      const [method, template] = key.split(' ');
      const observation: Observation = {
        kind: 'api',
        startedAt: 1,
        endedAt: 2,
        method,
        path: template.replace('{conference}', 'conf-1'),
        routeKey: key,
        handler,
        status: 201,
      };

      // Act
      const lines = messages(flowDiagram([observation]));

      // Assert
      expect(lines).toEqual([`${ask}: ${method} ${observation.path}`, `${answer}: 201`]);
    },
  );

  it('when a message carries ; or #, Mermaid reads it literally', () => {
    // Arrange
    const observation = twilio(1, {
      type: 'stream-started',
      callSid: 'CA1',
      streamSid: 'MZ1',
      url: 'ws://x',
      kind: 'stream',
      customParameters: { ticket: 'a;b#c' },
    });

    // Act
    const source = flowDiagram([observation]);

    // Assert
    expect(source).toContain('{"ticket":"a#59;b#35;c"}');
    expect(parseMermaid([source])).toEqual([{ ok: true, diagramType: 'sequence' }]);
  });
});

describe('the diagram of a main-scenario run', () => {
  let dir: string;
  let lines: string[];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flow-'));
    const result = await runMainScenario({ print: () => undefined, diagramDir: dir });
    lines = messages(readFileSync(result.diagramFile!, 'utf8'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const index = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));

  it.each([
    [
      'the events function’s participant create',
      /^FnEvents->>Twilio: POST CreateParticipant$/,
      'the agent’s dial',
      /^Twilio->>AI: dials app:AP/,
    ],
    [
      'the agent’s dial',
      /^Twilio->>AI: dials app:AP/,
      'the agent webhook',
      /^Twilio->>FnAgent: POST \/twilio\/voice\/agent$/,
    ],
    [
      'the transfer request',
      /^You->>FnParticipants: POST .*\/transfers$/,
      'the caller’s hold',
      /^FnParticipants->>Twilio: POST UpdateParticipant$/,
    ],
    [
      'the human’s participant create',
      /^FnParticipants->>Twilio: POST CreateParticipant$/,
      'the human’s dial',
      /^Twilio->>Human: dials \+/,
    ],
    [
      'the agent’s removal',
      /^FnParticipants->>Twilio: DELETE DeleteParticipant$/,
      'the agent leaving (removed, not the drop of the bad-day step)',
      /^Note over Twilio: ai-agent left \(kicked\)/,
    ],
  ])('draws %s before %s', (_cause, causePattern, _effect, effectPattern) => {
    // Act
    const cause = index(causePattern);
    const effect = index(effectPattern);

    // Assert
    expect(cause).toBeGreaterThanOrEqual(0);
    expect(effect).toBeGreaterThan(cause);
  });

  it('names the Pulumi providers, not a function, as the sender of the teardown', () => {
    // Assert
    expect(lines).toContain('Providers->>Twilio: POST UpdateIncomingPhoneNumber');
    expect(lines).toContain('Providers->>Twilio: DELETE DeleteApplication');
    expect(lines.filter((l) => /^Fn\w+->>Twilio: .*(IncomingPhoneNumber|Application)/.test(l))).toEqual([]);
  });
});
