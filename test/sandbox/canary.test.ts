/**
 * The canary's built bundle (dist/canary) against the sandbox, as EventBridge Scheduler invokes it: a Lambda container
 * with the environment the Pulumi program gives it, its two secrets read by ARN from the sandbox's Secrets Manager,
 * the acceptance call placed through the Twilio emulator and the participants API through the API Gateway emulator.
 * What CloudWatch would extract from its log (EMF) is asserted, and no call it placed is left up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';
import type { Invocation, LambdaContainer } from '../../sandbox/api-gateway/lambda-container';
import { scheduledEvent, startCanary } from '../../sandbox/canary';
import { type Datapoint, datapointsIn } from '../support/emf';
import { callsPlaced, liveCalls } from './support/live-calls';

// A run waits in real time: the agent's 5 s hold, the hang-up; a slow CI machine needs more.
jest.setTimeout(120_000);

/** A port nobody listens on: the agent's WebSocket host is down. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A sandbox whose stack runs the canary: Twilio seconds in real time, no CPS queue, secrets in Secrets Manager. */
function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    quiet: true,
    secretsManager: true,
    twilio: { timeScale: 1, callsPerSecond: Number.POSITIVE_INFINITY },
    ...options,
    config: { canarySchedule: 'rate(15 minutes)', ...options.config },
  });
}

/** The metrics CloudWatch extracts from the canary's log (read as the EMF spec says, test/support/emf.ts). */
function metricsOf(canary: LambdaContainer): Datapoint[] {
  return datapointsIn(canary.logs);
}

/** The canary's log lines as JSON (its structured log and its EMF lines). */
const linesOf = (canary: LambdaContainer): Record<string, unknown>[] =>
  canary.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

/**
 * Invokes the canary and waits for its last log line (its lines reach the container through the worker's stdout
 * a moment after the invocation answered): every run ends with a line "canary run ...", written after its metrics.
 */
async function run(canary: LambdaContainer): Promise<Invocation> {
  const invocation = await canary.invoke(scheduledEvent());
  const deadline = Date.now() + 10_000;
  while (!linesOf(canary).some((l) => String(l.message).startsWith('canary run ')) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return invocation;
}

describe('the canary bundle against the sandbox, when the stack is healthy', () => {
  let s: Sandbox;
  let canary: LambdaContainer;
  const others: LambdaContainer[] = [];
  let invocation: Invocation;
  let before: number;
  beforeAll(async () => {
    s = await sandbox();
    canary = startCanary(s);
    before = Date.now();
    invocation = await run(canary);
  });
  afterAll(async () => {
    await Promise.all([canary, ...others].map((c) => c?.stop()));
    await s?.stop();
  });

  it('a scheduled run passes: CanarySuccess 1 and the time to agent, timestamped at its start, under the stack’s Service', async () => {
    // Assert
    expect(invocation).toMatchObject({ ok: true, result: { outcome: 'passed' } });
    const metrics = metricsOf(canary);
    expect(metrics.map((m) => [m.namespace, m.name, m.dimensions])).toEqual([
      ['VoiceAiConference', 'CanarySuccess', { Service: 'voiceai-sandbox' }],
      ['VoiceAiConference', 'CanaryTimeToAgent', { Service: 'voiceai-sandbox' }],
    ]);
    expect(metrics[0].value).toBe(1);
    expect(metrics[1]).toMatchObject({ unit: 'Milliseconds', value: expect.any(Number) });
    for (const m of metrics) {
      expect(m.timestamp).toBeGreaterThanOrEqual(before);
      expect(m.timestamp).toBe(metrics[0].timestamp);
    }
    expect(callsPlaced(s)).toBe(1);
    expect(await liveCalls(s)).toEqual([]);
  });

  it('it logged the step table without a secret or a CallToken', () => {
    // Assert
    const log = canary.logs.join('\n');
    const passed = linesOf(canary).find((l) => l.message === 'canary run passed') as { steps: string[] };
    expect(passed.steps).toHaveLength(10);
    expect(passed.steps.join('\n')).toMatch(/✓ the AI agent joins the conference/);
    expect(passed).toMatchObject({ scheduledTime: expect.stringMatching(/Z$/), executionId: expect.any(String) });
    for (const secret of [s.apiToken, s.twilio.authToken]) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/callToken|CallToken|parentCallInfoToken/);
  });

  it('once the cap of test calls a day is reached, the next run dials nothing and reports CanarySkipped', async () => {
    // Arrange
    const capped = startCanary(s, { overrides: { CANARY_MAX_CALLS_PER_DAY: '1' } });
    others.push(capped);

    // Act
    const skipped = await run(capped);

    // Assert
    expect(skipped).toMatchObject({ ok: true, result: { outcome: 'skipped', testCallsInLastDay: 1 } });
    expect(metricsOf(capped).map((m) => [m.name, m.value])).toEqual([['CanarySkipped', 1]]);
    expect(callsPlaced(s)).toBe(1);
  });

  it('when its configuration is broken, a run dials nothing and still reports CanarySuccess 0', async () => {
    // Arrange
    const broken = startCanary(s, { overrides: { CANARY_FROM_NUMBER: 'not-a-number' } });
    others.push(broken);

    // Act
    const failed = await run(broken);

    // Assert
    expect(failed).toMatchObject({
      ok: true,
      result: { outcome: 'failed', step: 'setup', cause: expect.stringMatching(/^Configuration CANARY_FROM_NUMBER/) },
    });
    expect(metricsOf(broken).map((m) => [m.name, m.value])).toEqual([['CanarySuccess', 0]]);
    expect(callsPlaced(s)).toBe(1);
  });
});

describe('the canary bundle against the sandbox, when the agent’s WebSocket is unreachable', () => {
  let s: Sandbox | undefined;
  let canary: LambdaContainer | undefined;
  afterAll(async () => {
    await canary?.stop();
    await s?.stop();
  });

  it('the run fails, naming Twilio’s 31902 about the agent (its WebSocket refused): CanarySuccess 0, and no call is left up', async () => {
    // Arrange
    s = await sandbox({ agentStreamUrl: `ws://127.0.0.1:${await closedPort()}/agent` });
    canary = startCanary(s);

    // Act
    const invocation = await run(canary);

    // Assert
    expect(invocation).toMatchObject({
      ok: true,
      // The emulated stack gives up on the agent and ends the call within one 500 ms read of the run (DEFAULT_TIMES):
      // the step it names depends on what those reads caught; the cause is Twilio's alert about the agent.
      result: {
        outcome: 'failed',
        step: expect.any(String),
        cause: expect.stringMatching(/31902 Stream - WebSocket - Connection Refused/),
      },
    });
    // CanaryTimeToAgent too when a read caught the agent connected before its leg failed.
    const success = metricsOf(canary).filter((m) => m.name === 'CanarySuccess');
    expect(success.map((m) => m.value)).toEqual([0]);
    expect(callsPlaced(s)).toBe(1);
    expect(await liveCalls(s)).toEqual([]);
  });
});
