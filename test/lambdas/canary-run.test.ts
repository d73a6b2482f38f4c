/**
 * The canary's own decisions around the acceptance call, on scripted ports and a fake clock: the daily cap counted
 * in Twilio's call log, a call log that cannot be read, and what a schedule's input may put in the log. The run
 * itself is the acceptance call's (test/acceptance, test/sandbox/acceptance-call.test.ts); the bundle end to end is
 * test/sandbox/canary.test.ts.
 */
import type { CallLeg, TwilioRecords } from '../../lambdas/acceptance/records';
import { TwilioRequestError } from '../../lambdas/acceptance/records';
import { callLogLimit, DAY_MS, testCallsInLastDay } from '../../lambdas/canary/cap';
import { runCanary, scheduleContext } from '../../lambdas/canary/canary';
import type { CanaryConfig } from '../../lambdas/shared/config';
import { Logger } from '../../lambdas/shared/log';
import { MetricsWriter } from '../../lambdas/shared/metrics';
import { datapointsIn } from '../support/emf';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const NUMBER = '+15550001111';

const CONFIG: CanaryConfig = {
  stack: 'prod',
  phoneNumber: NUMBER,
  from: NUMBER,
  apiBaseUrl: 'https://api.example.com',
  twimlAppSid: `AP${'0'.repeat(32)}`,
  conferencePrefix: 'conf-',
  callerLabel: 'caller',
  agentLabel: 'ai-agent',
  agentMode: 'stream',
  maxCallsPerDay: 3,
  twilio: {
    accountSid: `AC${'0'.repeat(32)}`,
    username: `AC${'0'.repeat(32)}`,
    password: { kind: 'value', value: 't' },
  },
  apiToken: { kind: 'value', value: 'a' },
};

/** A leg of the call log, created `ago` ms before NOW. */
const leg = (direction: string, ago: number): CallLeg => ({
  sid: `CA${Math.random().toString(16).slice(2)}`,
  from: NUMBER,
  to: NUMBER,
  direction,
  status: 'completed',
  parentCallSid: null,
  dateCreated: new Date(NOW - ago),
  startTime: new Date(NOW - ago),
  endTime: new Date(NOW - ago + 20_000),
});

/** Ports where Twilio holds `calls` and anything beyond the call log fails the test. */
function ports(listCalls: TwilioRecords['listCalls']) {
  const emf: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const limits: (number | undefined)[] = [];
  const unexpected = async (): Promise<never> => {
    throw new Error('no Twilio here beyond the call log');
  };
  const twilio: TwilioRecords = {
    findNumber: unexpected,
    fetchApp: unexpected,
    createCall: unexpected,
    fetchCall: unexpected,
    listCalls: (filter) => {
      limits.push(filter.limit);
      return listCalls(filter);
    },
    findConferences: unexpected,
    listParticipants: unexpected,
    hangUp: unexpected,
    listAlerts: unexpected,
  };
  return {
    /** What CloudWatch would extract from the EMF lines written: [name, value]. */
    metrics: () => datapointsIn(emf).map((d) => [d.name, d.value]),
    lines,
    limits,
    io: {
      twilio,
      api: { list: unexpected },
      clock: { now: () => NOW, sleep: async () => undefined },
      metrics: new MetricsWriter(
        'voiceai-prod',
        (line) => emf.push(line),
        () => NOW,
      ),
      log: new Logger((line) => lines.push(JSON.parse(line)), 'debug'),
    },
  };
}

describe('testCallsInLastDay', () => {
  it.each([
    ['no calls', [], 0],
    [
      'three test calls, each with its inbound leg',
      [0, 1, 2].flatMap((h) => [leg('outbound-api', h * 3600_000), leg('inbound', h * 3600_000)]),
      3,
    ],
    [
      'a test call just inside 24 hours and one just outside',
      [leg('outbound-api', DAY_MS - 1000), leg('outbound-api', DAY_MS)],
      1,
    ],
    ['only inbound legs (calls to the number from the canary’s number, not placed by the API)', [leg('inbound', 0)], 0],
  ])('when the log holds %s, it counts %i', (_case, calls, count) => {
    // Act / Assert
    expect(testCallsInLastDay(calls as CallLeg[], NOW)).toBe(count);
  });

  it.each([
    [1, 4],
    [100, 202],
  ])(
    'when the cap is %i, it reads %i calls of the log: each test call is there twice, and one more is enough',
    (cap, limit) => {
      // Act / Assert
      expect(callLogLimit(cap)).toBe(limit);
    },
  );
});

describe('runCanary', () => {
  it('when Twilio’s log shows the cap reached in the last 24 hours, it dials nothing and reports CanarySkipped', async () => {
    // Arrange
    const { io, metrics, lines, limits } = ports(async () =>
      [1, 2, 3].flatMap((h) => [leg('outbound-api', h * 3600_000), leg('inbound', h * 3600_000)]),
    );

    // Act
    const outcome = await runCanary(CONFIG, io);

    // Assert
    expect(outcome).toEqual({ outcome: 'skipped', testCallsInLastDay: 3 });
    expect(metrics()).toEqual([['CanarySkipped', 1]]);
    expect(limits).toEqual([callLogLimit(3)]);
    expect(lines.at(-1)).toMatchObject({
      level: 'warn',
      message: 'canary run skipped: the daily cap of test calls is reached',
      testCallsInLastDay: 3,
      maxCallsPerDay: 3,
    });
  });

  it('when Twilio’s call log cannot be read, it dials nothing and reports a failed run (CanarySuccess 0)', async () => {
    // Arrange
    const { io, metrics, lines } = ports(async () => {
      throw new TwilioRequestError('Authenticate', 401, 20003);
    });

    // Act
    const outcome = await runCanary(CONFIG, io);

    // Assert
    expect(outcome).toEqual({
      outcome: 'failed',
      step: 'callLog',
      cause: "could not read Twilio's call log to keep the daily cap: Authenticate",
      timeToAgentMs: null,
    });
    expect(metrics()).toEqual([['CanarySuccess', 0]]);
    expect(lines.at(-1)).toMatchObject({ level: 'error', message: 'canary run failed before dialling' });
  });

  it('when the log is under the cap, it goes on to the acceptance call (whose first request here fails it)', async () => {
    // Arrange
    const { io, metrics } = ports(async () => [leg('outbound-api', 3600_000), leg('outbound-api', DAY_MS + 60_000)]);

    // Act
    const outcome = await runCanary(CONFIG, io);

    // Assert
    expect(outcome).toMatchObject({ outcome: 'failed', step: 'credentials' });
    expect(metrics()).toEqual([['CanarySuccess', 0]]);
  });
});

describe('scheduleContext', () => {
  it.each([
    [
      { scheduledTime: '2026-12-01T12:00:00Z', executionId: 'a1b2-c3' },
      { scheduledTime: '2026-12-01T12:00:00Z', executionId: 'a1b2-c3' },
    ],
    [{ scheduledTime: '<script>', executionId: 42 }, {}],
    [{ scheduledTime: 'x'.repeat(101) }, {}],
    [null, {}],
    ['a string', {}],
  ])('when the schedule’s input is %j, the log gets %j', (event, expected) => {
    // Act / Assert
    expect(scheduleContext(event)).toEqual(expected);
  });
});
