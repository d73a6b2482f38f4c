/**
 * The published figures and the assumptions of the latency model, each with its source. Numbers here are copied
 * from the cited pages (quoted in `says`); where a platform publishes no figure the entry is an assumption with a
 * range, and the model reports the spread that range causes instead of a single precise-looking number.
 */
import { quantile } from '../stats';
import { type Figure, exact } from './figure';

const LAMBDA_PERF = 'https://github.com/maxday/lambda-perf/blob/main/data/2025/2025-12-21.json';

/**
 * Init Duration (ms) of a hello-world `nodejs22.x` zip function on arm64, 10 cold starts per memory size, from the
 * REPORT line (maxday/lambda-perf, a daily public benchmark; run of 2025-12-21). `firstInvoke` is the same run's
 * average duration of the cold invocation itself (its `ad` field).
 */
export const LAMBDA_PERF_NODE22_ARM64: Readonly<
  Record<number, { readonly initMs: readonly number[]; readonly firstInvokeMs: number }>
> = {
  128: {
    initMs: [103.24, 101.42, 103.93, 138.09, 134.85, 147.29, 136.01, 101.76, 132.21, 136.91],
    firstInvokeMs: 15.296,
  },
  256: {
    initMs: [136.58, 108.56, 107.99, 114.12, 107.82, 110.48, 135.12, 130.28, 138.77, 107.05],
    firstInvokeMs: 5.157,
  },
  512: { initMs: [103.88, 120.05, 138.84, 119.87, 109.3, 108.05, 134, 110.02, 101.69, 135.82], firstInvokeMs: 3.747 },
  1024: {
    initMs: [157.23, 105.53, 136.81, 101.3, 131.58, 109.12, 104.83, 105.13, 107.94, 108.07],
    firstInvokeMs: 4.04,
  },
};

/** The benchmarked memory size closest to `memoryMb` (ties go to the smaller, slower one). */
function nearestBenchmarkedMemory(memoryMb: number): number {
  const sizes = Object.keys(LAMBDA_PERF_NODE22_ARM64).map(Number);
  return sizes.reduce((best, m) => (Math.abs(m - memoryMb) < Math.abs(best - memoryMb) ? m : best), sizes[0]);
}

/** Lambda's runtime init for nodejs22.x on arm64 at `memoryMb`: median of the day's samples, min to max as range. */
export function runtimeInit(memoryMb: number): Figure {
  const size = nearestBenchmarkedMemory(memoryMb);
  const samples = LAMBDA_PERF_NODE22_ARM64[size].initMs;
  return {
    value: quantile(samples, 0.5),
    low: Math.min(...samples),
    high: Math.max(...samples),
    unit: 'ms',
    kind: 'published',
    source: LAMBDA_PERF,
    says:
      `Init Duration of a hello-world nodejs22.x zip function, arm64, ${size} MB, 10 cold starts ` +
      '(maxday/lambda-perf daily run). Flat across 128-1024 MB (averages 123.6, 119.7, 118.2, 116.8 ms): init is ' +
      'not slowed in proportion to memory.',
  };
}

/** Lambda's CPU share in the invoke phase: 1 vCPU at 1,769 MB, in proportion below it. */
export function invokeCpuSlowdown(memoryMb: number): Figure {
  const factor = Math.max(1, 1769 / memoryMb);
  return exact(
    factor,
    'x',
    'published',
    'https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html',
    `"Lambda allocates CPU power in proportion to the amount of memory configured ... At 1,769 MB, a function has ` +
      `the equivalent of one vCPU": ${memoryMb} MB runs handler code ${factor.toFixed(2)}x slower than one full core. ` +
      'The lambda-perf run agrees: its cold invocation took 15.3 ms at 128 MB, 5.2 at 256, 3.7 at 512.',
  );
}

/** Every other published figure and every assumption, by name. */
export const SOURCES = {
  envCreate: {
    value: 50,
    low: 20,
    high: 100,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://github.com/codetalkio/patterns-serverless-rust-minimal/blob/master/benchmark/response-times.md',
    says:
      'Creating the execution environment and fetching the code happen before Init Duration starts and are not in ' +
      'it; AWS publishes no figure. A public X-Ray benchmark shows cold responses of 89-170 ms for an Initialization ' +
      'of 17-28 ms at 128 MB, i.e. about 60-70 ms outside init; our call-path archives are under 50 KiB ' +
      '(bench/results.json sizes), so the download is small.',
  },
  initCpuSlowdown: {
    value: 1.5,
    low: 1,
    high: 3,
    unit: 'x',
    kind: 'assumption',
    source: LAMBDA_PERF,
    says:
      'How much slower our module load runs in Lambda init than on the bench machine. Init time does not follow ' +
      'memory (see runtime init), so it is not scaled by 1769/memory; Graviton against this EPYC core is unknown.',
  },
  archSlowdown: {
    value: 1,
    low: 0.8,
    high: 1.5,
    unit: 'x',
    kind: 'assumption',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/foundation-arch.html',
    says: 'A Graviton (arm64) vCPU against one core of the bench machine; no published per-core comparison applies.',
  },
  apiGateway: {
    value: 10,
    low: 5,
    high: 30,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html',
    says:
      'HTTP API overhead per request (Lambda proxy). AWS publishes no figure, only the metrics to measure it: ' +
      '"Latency ... includes the integration latency and other API Gateway overhead" (Latency - IntegrationLatency).',
  },
  webhookNetwork: {
    value: 20,
    low: 5,
    high: 60,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://twilio.com/docs/global-infrastructure/edge-locations/legacy-regions',
    says:
      'Twilio to API Gateway and back for one webhook, TLS included. Twilio US1 is "US East Coast (Virginia)" and ' +
      'the prod stack runs in us-east-1, so the path is short; Twilio publishes no figure.',
  },
  conferenceJoin: {
    value: 300,
    low: 100,
    high: 1000,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/voice/twiml/conference',
    says:
      'From the inbound TwiML answer to Twilio requesting the participant-join callback: Twilio runs <Dial><Conference>, ' +
      'joins the caller, then posts the event. Twilio publishes no figure.',
  },
  restCreate: {
    value: 150,
    low: 80,
    high: 400,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/voice/api/conference-participant-resource',
    says:
      'Participants create from Lambda (us-east-1) to Twilio accepting it (201, status queued). Twilio publishes ' +
      'no API latency figure.',
  },
  twilioTlsSetup: {
    value: 30,
    low: 10,
    high: 80,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/global-infrastructure/understanding-edge-locations',
    says:
      'The first REST call of a new environment opens a TLS connection to api.twilio.com (later calls reuse it: ' +
      'keep-alive agent in lambdas/shared/twilio-transport.ts); at a fraction of a vCPU the handshake is not free. ' +
      'Twilio publishes no figure.',
  },
  appDial: {
    value: 300,
    low: 100,
    high: 1000,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/voice/api/call-resource',
    says:
      'From the agent leg leaving the calls-per-second queue to Twilio requesting the TwiML App Voice URL (app: ' +
      'target, no carrier involved). Twilio publishes no figure.',
  },
  streamConnect: {
    value: 150,
    low: 50,
    high: 500,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/voice/media-streams/websocket-messages',
    says:
      'From the agent TwiML answer to the agent service receiving `start`: Twilio opens the wss:// connection ' +
      '(TLS to wherever the agent runs), sends `connected`, and "the start message ... is sent immediately after". ' +
      'Twilio publishes no figure for the connection itself.',
  },
  secretFetch: {
    value: 40,
    low: 15,
    high: 100,
    unit: 'ms',
    kind: 'assumption',
    source: 'https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html',
    says:
      'One secret read by a new environment: GetSecretValue for AWSCURRENT and AWSPREVIOUS in parallel over a new ' +
      'TLS connection (lambdas/shared/secrets.ts). AWS publishes no latency figure. Values are cached for 5 minutes.',
  },
  defaultCallsPerSecond: exact(
    1,
    'calls/s',
    'published',
    'https://www.twilio.com/docs/glossary/cps',
    '"By default each account is granted 1 CPS for Programmable Voice API calls ... Inbound calls and <Dial> calls ' +
      'are not limited by CPS." A Participants create places an API call, so the agent leg queues at this rate.',
  ),
  selfServeCallsPerSecond: {
    value: 30,
    low: 30,
    high: 30,
    unit: 'calls/s',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/glossary/cps',
    says:
      '"CPS can be managed in Console under Voice -> Settings -> General ... New accounts without an approved ' +
      'Business Profile cannot self-serve calls per second." The self-serve ceiling of 30 is what the Console offers; ' +
      'the glossary does not state it. Above it, ask Twilio.',
  },
  queueLimitSeconds: exact(
    86400,
    's',
    'published',
    'https://twilio.com/docs/api/errors/22005',
    '"Twilio will reject requests to place calls that will not be placed within 24 hours" (error 22005).',
  ),
  lambdaScaling: exact(
    1000,
    'environments / 10 s / function',
    'published',
    'https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html',
    '"for each function, your concurrency scaling rate is 1,000 execution environment instances every 10 seconds".',
  ),
  accountConcurrency: exact(
    1000,
    'environments',
    'published',
    'https://docs.aws.amazon.com/lambda/latest/dg/limits.html',
    'Concurrent executions: default quota 1,000 per Region; "New AWS accounts have reduced concurrency and memory ' +
      'quotas."',
  ),
  twilioApiConcurrency: {
    value: 100,
    low: 100,
    high: 100,
    unit: 'requests in flight',
    kind: 'assumption',
    source: 'https://www.twilio.com/docs/api/errors/20429',
    says:
      'Twilio answers 429 / 20429 "when your account exceeds allowed concurrency to Twilio\'s REST API"; the ' +
      'default of 100 concurrent requests is quoted by third parties, not on that page.',
  },
  provisionedConcurrencyArm: exact(
    0.0000033334,
    'USD per GB-s',
    'published',
    'https://aws.amazon.com/lambda/pricing/',
    'Provisioned Concurrency, Arm, US East (N. Virginia): $0.0000033334 per GB-second configured, used or not; ' +
      'duration while it serves drops from $0.0000133334 to $0.0000077778 per GB-s. (The stored page renders prices ' +
      'client-side; the figures are the ones its price tables show, as transcribed by several public cost tools.)',
  ),
  hoursPerMonth: exact(
    730,
    'h',
    'published',
    'https://aws.amazon.com/lambda/pricing/',
    'AWS prices a month as 730 hours.',
  ),
} as const satisfies Record<string, Figure>;

export type SourceName = keyof typeof SOURCES;
