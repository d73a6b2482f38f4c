/**
 * The function layouts through the sandbox: the API Gateway emulator runs the bundles of the functions the layout
 * plans (infra/layout.ts), one worker per function, and records per invocation whether Lambda would have met a
 * cold container (every container of the function busy, one request each). The Auth Token is read from the local
 * Secrets Manager as deployed. On the first call after a deployment, the way to the agent (inbound webhook, the
 * caller's participant-join, the agent webhook) meets a cold container at each of the three functions in the split
 * layout; in the combined one (the default) only the inbound webhook's is sure to be cold (the emulated Twilio dials
 * the agent leg and fetches its TwiML at once, so the agent webhook usually arrives while the caller's
 * participant-join invocation is still returning and meets a second, cold container; on Twilio the app dial
 * separates those two, and the agent leg's status callbacks are what may still collide). The combined function's
 * three handler modules read the Auth Token once in their process; the split layout's three processes once each.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import type { ApiInvocation } from '../../sandbox/api-gateway/server';

/** Places a call and waits for its agent's stream; returns the invocations that call caused. */
async function callToAgent(sandbox: Sandbox, from: string): Promise<ApiInvocation[]> {
  const before = sandbox.api.invocations.length;
  const { callSid } = await sandbox.placeInboundCall({ from });
  await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);
  await sandbox.twilio.hangup(callSid);
  await sandbox.api.idle();
  return sandbox.api.invocations.slice(before);
}

/** The invocations on the way to the agent, in order: inbound webhook, first conference event, agent webhook. */
function wayToAgent(invocations: readonly ApiInvocation[]): ApiInvocation[] {
  return ['POST /twilio/voice/inbound', 'POST /twilio/conference/events', 'POST /twilio/voice/agent'].map(
    (key) => invocations.find((i) => i.routeKey === key)!,
  );
}

describe.each([
  ['the default (combined)', {}, ['twilio', 'twilio', 'twilio'], [true, false], 1],
  ['split', { functionLayout: 'split' }, ['inbound', 'events', 'agent'], [true, true, true], 3],
] as const)('in the %s layout', (_name, config, functions, cold, authTokenReads) => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ quiet: true, config, secretsManager: true });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it(`when the first call reaches its agent, its way there is served by ${functions.join(', ')}, meeting cold containers ${JSON.stringify(cold)}, its processes reading the Auth Token ${authTokenReads} time(s)`, async () => {
    // Arrange
    const store = sandbox.secretsManager!;

    // Act
    const first = await callToAgent(sandbox, '+15557654321');

    // Assert
    expect(first.every((i) => i.status < 400)).toBe(true);
    const way = wayToAgent(first);
    expect(way.map((i) => i.functionName)).toEqual(functions);
    expect(way.map((i) => i.coldStart).slice(0, cold.length)).toEqual(cold);
    expect(store.store.fetchesOf(store.twilioAuthTokenArn, 'AWSCURRENT')).toBe(authTokenReads);
    expect(sandbox.api.logs().filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
