/**
 * The latency model's arithmetic on cases small enough to work out by hand: the expected numbers below were
 * added up on paper from the inputs in each table row, not computed with the model's own rules. Its inputs are
 * checked only against what the repository keeps: the quotes in each note against the figure's value, the
 * lambda-perf samples transcribed in sources.ts, and the committed bench/results.json; no test here can tell whether
 * a cited page says what the note quotes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { capacityRun } from '../../bench/src/capacity';
import {
  type CallFlowInputs,
  type FunctionLayout,
  type PlatformTimes,
  simulateCalls,
} from '../../bench/src/model/call-flow';
import type { Figure } from '../../bench/src/model/figure';
import { CALL_PATH, measuredInputs } from '../../bench/src/model/measured';
import { provisionedMonthlyUsd, queueAlarmThresholdMs } from '../../bench/src/model/plan';
import { LAMBDA_PERF_NODE22_ARM64, SOURCES, invokeCpuSlowdown, runtimeInit } from '../../bench/src/model/sources';
import type { SandboxRun } from '../../bench/src/protocol';

const THREE: FunctionLayout = {
  name: 'three',
  functionOf: { inbound: 'inbound', events: 'events', agent: 'agent' },
  provisioned: {},
};
const ONE: FunctionLayout = {
  name: 'one',
  functionOf: { inbound: 'twilio', events: 'twilio', agent: 'twilio' },
  provisioned: {},
};

const NO_PLATFORM: PlatformTimes = {
  envCreateMs: 0,
  runtimeInitMs: 0,
  apiGatewayMs: 0,
  webhookNetworkMs: 0,
  conferenceJoinMs: 0,
  restCreateMs: 0,
  twilioTlsSetupMs: 0,
  appDialMs: 0,
  streamConnectMs: 0,
  secretFetchMs: 0,
};

/** Handlers that take no time and read no secret: only the platform and the queue remain. */
function instantHandlers(platform: Partial<PlatformTimes>, callsPerSecond: number): CallFlowInputs {
  const none = { warmMs: 0, firstInvokeExtraMs: 0, lazyModuleLoadMs: 0, secrets: [], createsAgent: false };
  return {
    handlers: { inbound: none, events: { ...none, createsAgent: true }, agent: none },
    moduleLoadMs: { inbound: 0, events: 0, agent: 0, twilio: 0 },
    platform: { ...NO_PLATFORM, ...platform },
    callsPerSecond,
  };
}

/**
 * Hops: webhook network 10, API Gateway 1, conference join 100, REST create 50, app dial 200, stream 30.
 * Handlers: warm 2 each, first-invocation extra 1, secrets: inbound [token], events [token, key], agent [token],
 * 40 ms a secret, TLS to Twilio 7. Cold: environment 5 + runtime 100 + module load at init (inbound 10, events 20,
 * agent 30, combined entry 50); loaded lazily inside the first request instead: inbound 11, events 22, agent 33.
 */
const REALISTIC: CallFlowInputs = {
  handlers: {
    inbound: { warmMs: 2, firstInvokeExtraMs: 1, lazyModuleLoadMs: 11, secrets: ['token'], createsAgent: false },
    events: { warmMs: 2, firstInvokeExtraMs: 1, lazyModuleLoadMs: 22, secrets: ['token', 'key'], createsAgent: true },
    agent: { warmMs: 2, firstInvokeExtraMs: 1, lazyModuleLoadMs: 33, secrets: ['token'], createsAgent: false },
  },
  moduleLoadMs: { inbound: 10, events: 20, agent: 30, twilio: 50 },
  platform: {
    envCreateMs: 5,
    runtimeInitMs: 100,
    apiGatewayMs: 1,
    webhookNetworkMs: 10,
    conferenceJoinMs: 100,
    restCreateMs: 50,
    twilioTlsSetupMs: 7,
    appDialMs: 200,
    streamConnectMs: 30,
    secretFetchMs: 40,
  },
  callsPerSecond: 1,
};

describe('simulateCalls: Twilio calls-per-second queue', () => {
  it('when 10 callers arrive at once at 1 call/s and nothing else takes time, the nth caller waits n-1 seconds', () => {
    // Act
    const { callers } = simulateCalls(instantHandlers({}, 1), THREE, Array(10).fill(0), 'warm');

    // Assert
    expect(callers.map((c) => c.timeToAgentMs)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    expect(callers[9].parts.queue).toBe(9000);
  });

  it.each([
    // callers, calls/s, queue of the last caller (ms)
    [4, 5, 600],
    [30, 30, 966.6666666666667],
    [3, 1, 2000],
  ])('when %i callers arrive at once at %i calls/s, the last one queues %d ms', (n, cps, lastQueue) => {
    // Act
    const { callers } = simulateCalls(instantHandlers({}, cps), THREE, Array(n).fill(0), 'warm');

    // Assert
    expect(callers[n - 1].parts.queue).toBeCloseTo(lastQueue, 6);
  });

  it('when the second caller arrives after the first one left the queue, the second does not queue', () => {
    // Act
    const { callers } = simulateCalls(instantHandlers({}, 1), THREE, [0, 5000], 'warm');

    // Assert
    expect(callers.map((c) => c.parts.queue)).toEqual([0, 0]);
  });

  it('when creates reach Twilio 300 ms apart at 1 call/s, the second waits the 700 ms left of its slot', () => {
    // Act
    const { callers } = simulateCalls(instantHandlers({}, 1), THREE, [0, 300], 'warm');

    // Assert
    expect(callers[1].parts.queue).toBe(700);
  });
});

describe('simulateCalls: one call through the hops', () => {
  it('when everything is warm, the time to agent is the hops plus three warm handlers (33 + 6 + 380 = 419 ms)', () => {
    // Act
    const [caller] = simulateCalls(REALISTIC, THREE, [0], 'warm').callers;

    // Assert: 3 webhooks x (10 + 1), 3 handlers x 2, join 100 + create 50 + dial 200 + stream 30.
    expect(caller.timeToAgentMs).toBe(419);
    expect(caller.parts).toEqual({ lambdaInit: 0, handlers: 6, apiGateway: 3, twilio: 410, queue: 0 });
    expect(caller.coldStarts).toBe(0);
  });

  it('when everything is warm, join-to-agent runs from the caller joining to the agent handler answering (276 ms)', () => {
    // Act
    const [caller] = simulateCalls(REALISTIC, THREE, [0], 'warm').callers;

    // Assert: the caller joins at 10 + 1 + 2 + 100 = 113; the agent handler answers at 419 - 30 (stream) = 389.
    expect(caller.joinToAgentMs).toBe(276);
  });

  it.each([
    // layout, cold starts, lambda init (ms), handler time (ms)
    // three: (5+100+10) + (5+100+20) + (5+100+30) = 375; handlers: 3 warm 6 + 3 first 3 + 4 secrets 160 + TLS 7 = 176
    ['three functions', THREE, 3, 375, 176],
    // one: 5+100+50 = 155; handlers: warm 6 + first 3 + 2 secrets 80 (token read once) + TLS 7 = 96
    ['one function', ONE, 1, 155, 96],
    // one, loading each handler on its first request: as above plus 11 + 22 + 33 = 66 in the handlers
    ['one function, handlers loaded lazily', { ...ONE, lazyHandlerModules: true }, 1, 155, 162],
  ])(
    'when every function is cold (%s), it pays %i cold starts: %d ms of init and %d ms in handlers',
    (_, layout, colds, init, handlers) => {
      // Act
      const [caller] = simulateCalls(REALISTIC, layout, [0], 'idle').callers;

      // Assert
      expect(caller.coldStarts).toBe(colds);
      expect(caller.parts.lambdaInit).toBe(init);
      expect(caller.parts.handlers).toBe(handlers);
      expect(caller.timeToAgentMs).toBe(419 - 6 + init + handlers);
    },
  );

  it('when a function has one provisioned environment, a call into it pays no init but still its first invocation and secrets', () => {
    // Arrange
    const provisioned: FunctionLayout = { ...ONE, provisioned: { twilio: 1 } };

    // Act
    const [caller] = simulateCalls(REALISTIC, provisioned, [0], 'idle').callers;

    // Assert: as the one-function row above without the 155 ms of init.
    expect(caller.coldStarts).toBe(0);
    expect(caller.parts.lambdaInit).toBe(0);
    expect(caller.parts.handlers).toBe(96);
  });
});

describe("simulateCalls: the agent leg's status callback arriving just ahead of its agent webhook (worst case)", () => {
  it.each([
    // name, cold starts, lambda init (ms), handler time (ms), time to agent (ms), layout
    // three: the callback takes the events environment (free since the create was accepted); the agent's own
    // function is cold either way: as in the best case, 375 init, 176 handlers, 413 + 375 + 176 = 964.
    ['three functions', 3, 375, 176, 964, THREE],
    // one, lazy: the callback takes the only environment, so the agent webhook starts a second one: init 155 + 155;
    // handlers: inbound 2+1+11+40 = 54, events 2+1+22+40+7 = 72, agent in the new environment 2+1+33 + token 40 = 76
    // (202 in all); 413 + 310 + 202 = 925 (the best case: 413 + 155 + 162 = 730).
    ['one function, handlers loaded lazily', 2, 310, 202, 925, { ...ONE, lazyHandlerModules: true }],
    // one provisioned environment: the callback holds it, so the agent pays the cold start the provisioning was for:
    // init 155; handlers: inbound 2+1+40 = 43, events 2+1+40+7 = 50, agent 2+1+40 = 43 (136); 413 + 155 + 136 = 704.
    ['one function, one provisioned environment', 1, 155, 136, 704, { ...ONE, provisioned: { twilio: 1 } as const }],
  ])(
    'when every function starts idle (%s), it pays %i cold starts: %d ms of init, %d ms in handlers, %d ms to the agent',
    (_, colds, init, handlers, timeToAgent, layout: FunctionLayout) => {
      // Act
      const [caller] = simulateCalls(REALISTIC, layout, [0], 'idle', 'ahead').callers;

      // Assert
      expect(caller.coldStarts).toBe(colds);
      expect(caller.parts.lambdaInit).toBe(init);
      expect(caller.parts.handlers).toBe(handlers);
      expect(caller.timeToAgentMs).toBe(timeToAgent);
    },
  );
});

describe('simulateCalls: bursts and Lambda environments', () => {
  it('when 3 callers arrive at once on one idle function, 3 environments start and serve their later webhooks warm', () => {
    // Act
    const result = simulateCalls(REALISTIC, ONE, [0, 0, 0], 'idle');

    // Assert
    expect(result.environments).toEqual({ twilio: 3 });
    expect(result.peakConcurrency).toBe(3);
    expect(result.callers.map((c) => c.coldStarts)).toEqual([1, 1, 1]);
  });

  it('when 3 callers arrive at once on three idle functions, each function starts 3 environments', () => {
    // Act
    const result = simulateCalls(REALISTIC, THREE, [0, 0, 0], 'idle');

    // Assert: the agent legs leave the queue a second apart and the first agent environment is busy 178 ms
    // (init 5 + 100 + 30, first invocation 1, warm 2, secret 40), so callers 2 and 3 reuse it.
    expect(result.environments).toEqual({ inbound: 3, events: 3, agent: 1 });
    expect(result.callers.map((c) => c.coldStarts)).toEqual([3, 2, 2]);
  });
});

describe('provisioned concurrency price', () => {
  it.each([
    // layout environments, memory, $/month: envs x GB x 730 h x 3600 s x $0.0000033334
    [{ twilio: 1 }, 1024, 8.7602],
    [{ inbound: 1, events: 1, agent: 1 }, 512, 13.1403],
    [{}, 512, 0],
  ])('when %o is provisioned at %i MB, it costs $%d a month', (provisioned, memoryMb, usd) => {
    // Act
    const cost = provisionedMonthlyUsd({ ...ONE, provisioned }, memoryMb);

    // Assert
    expect(cost).toBeCloseTo(usd, 3);
  });
});

describe('queue alarm threshold', () => {
  it.each([
    // budget, rest of the way, threshold: whole seconds left, rounded down
    [10000, 2051, 7000],
    [10000, 3000, 7000],
    [10000, 3001, 6000],
    [10000, 12000, 0],
  ])(
    'when the budget is %i ms and the rest of the way takes %i ms, the queue may take %i ms',
    (budget, rest, threshold) => {
      // Act / Assert
      expect(queueAlarmThresholdMs(budget, rest)).toBe(threshold);
    },
  );
});

describe('published inputs', () => {
  it('when asked for 256 MB, runtime init is the median of the ten transcribed samples, min to max as range', () => {
    // Act
    const figure = runtimeInit(256);

    // Assert: sorted samples 107.05 107.82 107.99 108.56 110.48 114.12 130.28 135.12 136.58 138.77; 5th = median.
    expect([figure.value, figure.low, figure.high]).toEqual([110.48, 107.05, 138.77]);
    expect(figure.kind).toBe('published');
  });

  it('when asked for a size without samples (300 MB), it uses the nearest benchmarked size (256 MB)', () => {
    // Act / Assert
    expect(runtimeInit(300).value).toBe(110.48);
  });

  it.each([
    [256, 1769 / 256],
    [1769, 1],
    [4096, 1],
  ])('when a function has %i MB, handler code runs %d times slower than one core', (memoryMb, factor) => {
    // Act / Assert
    expect(invokeCpuSlowdown(memoryMb).value).toBeCloseTo(factor, 9);
  });
});

/** The numbers in `text` after `label` (e.g. "averages 123.6, 119.7" -> [123.6, 119.7]), up to the next ")" or ":". */
function numbersAfter(text: string, label: string): number[] {
  const from = text.indexOf(label);
  if (from < 0) throw new Error(`"${label}" is not in: ${text}`);
  const rest = text.slice(from + label.length).split(/[):]/)[0];
  return (rest.match(/\d+(\.\d+)?/g) ?? []).map(Number);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const TRANSCRIBED_SIZES = Object.keys(LAMBDA_PERF_NODE22_ARM64).map(Number);

describe('claims in the notes, against the samples the repo keeps (LAMBDA_PERF_NODE22_ARM64)', () => {
  it('when runtime init quotes the average init of each benchmarked size, each is the mean of its samples', () => {
    // Act
    const quoted = numbersAfter(runtimeInit(512).says, 'averages');

    // Assert
    expect(quoted).toEqual(TRANSCRIBED_SIZES.map((m) => Number(mean(LAMBDA_PERF_NODE22_ARM64[m].initMs).toFixed(1))));
  });

  it('when runtime init calls init flat across memory, the mean init at the largest size is within 20 % of the smallest', () => {
    // Arrange: memory grows 8x from 128 to 1024 MB; a CPU-bound init would shrink about as much.
    const [smallest, largest] = [TRANSCRIBED_SIZES[0], TRANSCRIBED_SIZES[TRANSCRIBED_SIZES.length - 1]];

    // Act
    const ratio = mean(LAMBDA_PERF_NODE22_ARM64[smallest].initMs) / mean(LAMBDA_PERF_NODE22_ARM64[largest].initMs);

    // Assert
    expect(runtimeInit(512).says).toContain('Flat across');
    expect(ratio).toBeGreaterThan(1 / 1.2);
    expect(ratio).toBeLessThan(1.2);
  });

  it('when the CPU share quotes the cold invocation at 128, 256 and 512 MB, each is the transcribed duration', () => {
    // Act
    const quoted = numbersAfter(invokeCpuSlowdown(256).says, 'cold invocation took');

    // Assert: the quote reads "15.3 ms at 128 MB, 5.2 at 256, 3.7 at 512": duration, size, duration, size, ...
    const pairs = [0, 2, 4].map((i) => [quoted[i + 1], quoted[i]]);
    expect(pairs).toEqual(
      [128, 256, 512].map((m) => [m, Number(LAMBDA_PERF_NODE22_ARM64[m].firstInvokeMs.toFixed(1))]),
    );
  });

  it('when the CPU share says the lambda-perf run agrees, the cold invocation at 128 MB is 4x that at 512 MB within 25 %', () => {
    // Act
    const ratio = LAMBDA_PERF_NODE22_ARM64[128].firstInvokeMs / LAMBDA_PERF_NODE22_ARM64[512].firstInvokeMs;

    // Assert: 512 / 128 = 4 times the CPU share.
    expect(ratio).toBeGreaterThan(4 * 0.75);
    expect(ratio).toBeLessThan(4 * 1.25);
  });
});

describe('the sources of the inputs', () => {
  it.each(Object.entries(SOURCES))(
    'when %s is used, its range holds its value and it names a source URL with a note',
    (_, f) => {
      // Assert
      expect(f.low).toBeLessThanOrEqual(f.value);
      expect(f.value).toBeLessThanOrEqual(f.high);
      expect(f.source).toMatch(/^https:\/\//);
      expect(f.says.length).toBeGreaterThan(20);
    },
  );

  it.each(Object.entries(SOURCES).filter(([, f]) => f.kind === 'assumption'))(
    'when %s is an assumption, its note says that no published figure is used',
    (_, f) => {
      // Assert
      expect(f.says).toMatch(/publishes no|no published|not on that page|is unknown|does not state/);
    },
  );

  it.each([
    // name, the quoted figure in its note, the value it gives in the figure's unit
    ['defaultCallsPerSecond', /granted (\d+) CPS/, (n: number) => n],
    ['queueLimitSeconds', /within (\d+) hours/, (n: number) => n * 3600],
    ['lambdaScaling', /rate is ([\d,]+) execution environment/, (n: number) => n],
    ['accountConcurrency', /default quota ([\d,]+) per Region/, (n: number) => n],
    ['provisionedConcurrencyArm', /\$([\d.]+) per GB-second configured/, (n: number) => n],
    ['hoursPerMonth', /month as (\d+) hours/, (n: number) => n],
  ] as const)('when %s quotes its page, its value is the quoted figure', (name, quote, toValue) => {
    // Arrange
    const f = SOURCES[name];

    // Act
    const quoted = f.says.match(quote)?.[1];

    // Assert
    expect(quoted).toBeDefined();
    expect(f.value).toBe(toValue(Number(quoted?.replace(/,/g, ''))));
  });
});

/** The committed bench results, as the repository keeps them. */
const COMMITTED = JSON.parse(readFileSync(path.join(__dirname, '../../bench/results.json'), 'utf8'));

/** The value at a figure's `source` path, e.g. `results.json cold.variants["ours:inbound"].loadMs` (a series: its median). */
function atSource(results: unknown, source: string): unknown {
  const steps = [...source.replace(/^results\.json /, '').matchAll(/\["([^"]+)"\]|\.?([^.[]+)/g)].map(
    (s) => s[1] ?? s[2],
  );
  const value = steps.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], results);
  return typeof value === 'object' && value !== null && 'median' in value ? value.median : value;
}

describe('measured figures, against the committed bench/results.json', () => {
  const committedInputs = Object.entries(COMMITTED.model.inputs as Record<string, Figure>).filter(
    ([, f]) => f.kind === 'measured',
  );

  it('when the committed model lists its measured inputs, there is one per handler and measurement', () => {
    // Assert: module load, first invocation, warm and archive size of inbound, events and agent, and events' stub.
    expect(committedInputs).toHaveLength(13);
  });

  it.each(committedInputs)(
    'when the committed model used %s, its value is what its source path holds in the committed results',
    (_, f) => {
      // Act
      const kept = atSource(COMMITTED, f.source);

      // Assert
      expect(typeof kept).toBe('number');
      expect(f.value).toBe(kept);
    },
  );

  it('when envCreate says our call-path archives are under a size, every committed call-path archive is', () => {
    // Arrange
    const limitKiB = Number(SOURCES.envCreate.says.match(/call-path archives are under (\d+) KiB/)?.[1]);
    const sizes = COMMITTED.sizes.ours as Record<string, { zipBytes: number }>;

    // Act
    const largestKiB = Math.max(...CALL_PATH.map((h) => sizes[h].zipBytes / 1024));

    // Assert
    expect(limitKiB).toBeGreaterThan(0);
    expect(largestKiB).toBeLessThan(limitKiB);
  });
});

describe('measured inputs', () => {
  it('when results.json has the bench sections, each figure is the median of its own series', () => {
    // Arrange: distinct medians per series, so a figure read from the wrong field shows.
    const series = (median: number) => ({ median, min: 0, p99: 999 });
    const results = {
      sizes: { ours: { inbound: { zipBytes: 101 }, events: { zipBytes: 102 }, agent: { zipBytes: 103 } } },
      cold: {
        variants: {
          'ours:inbound': { loadMs: series(1), invokeMs: series(2) },
          'ours:events': { loadMs: series(3), invokeMs: series(4) },
          'ours:agent': { loadMs: series(5), invokeMs: series(6) },
        },
      },
      warm: {
        inbound: { variants: { ours: series(7) } },
        events: { variants: { ours: series(8), 'stub-roundtrip': series(9) } },
        agent: { variants: { ours: series(10) } },
      },
    };

    // Act
    const m = measuredInputs(results);

    // Assert
    expect([m.inbound.moduleLoad.value, m.inbound.firstInvoke.value, m.inbound.warm.value]).toEqual([1, 2, 7]);
    expect([m.events.moduleLoad.value, m.events.firstInvoke.value, m.events.warm.value]).toEqual([3, 4, 8]);
    expect(m.events.localRoundTrip?.value).toBe(9);
    expect(m.agent.localRoundTrip).toBeUndefined();
    expect([m.inbound.zipBytes, m.events.zipBytes, m.agent.zipBytes]).toEqual([101, 102, 103]);
    expect([m.events.warm.low, m.events.warm.high]).toEqual([8, 8]);
    expect(m.combinedModuleLoad).toBeUndefined();
  });

  it('when results.json has no cold-start section, it names the bench sections to run', () => {
    // Act / Assert
    expect(() => measuredInputs({ sizes: { ours: {} }, warm: {} })).toThrow('--only=size,cold,warm');
  });
});

describe('capacityRun: sandbox bursts in Twilio time', () => {
  it('when a call took 12 real ms of which 4000 Twilio ms (4 real ms at 0.001) were queue, it counts 4008 ms', () => {
    // Arrange
    const run: SandboxRun = {
      mode: 'burst',
      count: 2,
      calls: [
        { callSid: 'CA1', timeToAgentMs: 12, queueTimeMs: 4000, contextOk: true },
        { callSid: 'CA2', timeToAgentMs: 8, queueTimeMs: 0, contextOk: true },
      ],
      errors: [],
      agentStreams: 2,
      callsWithOneAgent: 2,
      callsWithOwnContext: 2,
      peakRssKiB: 0,
    };

    // Act
    const summary = capacityRun(run, 2, 1, 0.001);

    // Assert: nearest rank: p50 of [8, 4008] is 8, p95 is 4008.
    expect(summary).toMatchObject({ timeToAgentP50Ms: 8, timeToAgentP95Ms: 4008, queueP95Ms: 4000, errors: 0 });
  });
});
