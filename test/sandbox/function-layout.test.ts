/**
 * The function layouts through the sandbox: the API Gateway emulator runs the bundles of the functions the layout
 * plans (infra/layout.ts), each in its own container, started cold, reading the Auth Token from the local Secrets
 * Manager as deployed. The first call after a deployment meets one cold container in the combined layout (the
 * default) and three in the split one, one after another on its way to the agent, and its webhooks read the Auth
 * Token once (the combined function's modules share one secret cache) or three times; a second call meets none.
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

describe.each([
  ['the default (combined)', {}, ['twilio'], 1, 1],
  ['split', { functionLayout: 'split' }, ['inbound', 'events', 'agent'], 3, 3],
] as const)('in the %s layout', (_name, config, functions, coldStarts, authTokenReads) => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ quiet: true, config, secretsManager: true });
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it(`when the first call reaches its agent, its webhooks were served by ${functions.join(', ')}, meeting ${coldStarts} cold container(s) and reading the Auth Token ${authTokenReads} time(s), then a second call none`, async () => {
    // Arrange
    const store = sandbox.secretsManager!;
    const reads = () => store.store.fetchesOf(store.twilioAuthTokenArn, 'AWSCURRENT');

    // Act
    const first = await callToAgent(sandbox, '+15557654321');
    const readsByFirst = reads();
    const second = await callToAgent(sandbox, '+15557654322');

    // Assert
    const toAgent = first.filter((i) => i.handler !== null);
    expect(toAgent.every((i) => i.status < 400)).toBe(true);
    expect(new Set(toAgent.map((i) => i.functionName))).toEqual(new Set(functions));
    expect(new Set(toAgent.map((i) => i.handler))).toEqual(new Set(['inbound', 'events', 'agent']));
    const cold = toAgent.filter((i) => i.coldStart);
    expect(cold.map((i) => i.functionName).sort()).toEqual([...functions].sort());
    expect(cold).toHaveLength(coldStarts);
    expect(readsByFirst).toBe(authTokenReads);
    expect(second.filter((i) => i.coldStart)).toEqual([]);
    expect(reads()).toBe(authTokenReads);
    expect(sandbox.api.logs().filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
