/**
 * The latency model's questions and answers: how long a caller waits for the agent (warm, first call after idle,
 * bursts), how much of it is our stack, which function layout wins, what provisioned concurrency costs, what
 * calls-per-second rate to ask Twilio for, and the queue-time alarm threshold that follows. Pure: the inputs come
 * from measured.ts (bench/results.json) and sources.ts (published figures and assumptions).
 */
import { configKey } from '../../../infra/config-schema';
import { FUNCTION_SPECS, secretsOf } from '../../../infra/functions';
import type { FunctionLayout as ConfigLayout } from '../../../infra/layout';
import { quantile } from '../stats';
import {
  type CallFlowInputs,
  type CallerOutcome,
  type FunctionLayout,
  type HandlerTimes,
  type LegCallbacks,
  type StartState,
  simulateCalls,
} from './call-flow';
import { MODEL_LAYOUT_OF } from './decision';
import { type Bound, BOUNDS, type Figure, at } from './figure';
import { CALL_PATH, type MeasuredInputs, type PathHandler } from './measured';
import { SOURCES, invokeCpuSlowdown, runtimeInit } from './sources';

/** Memory sizes the stack ships: the dev default and the prod example (lambdaMemoryMb). */
export const MODELLED_MEMORY_MB = [configKey('lambdaMemoryMb').default as number, 512] as const;
/** The burst sizes and calls-per-second rates of the capacity plan. */
export const BURST_SIZES = [10, 100, 500] as const;
export const CALL_RATES = [1, 5, 10, 30] as const;
/** The p95 time to agent a team should hold to: the stack's TimeToAgent alarm default. */
export const TIME_TO_AGENT_BUDGET_MS = configKey('alarmTimeToAgentP95Ms').default as number;

const THREE: Record<PathHandler, string> = { inbound: 'inbound', events: 'events', agent: 'agent' };
const ONE: Record<PathHandler, string> = { inbound: 'twilio', events: 'twilio', agent: 'twilio' };
/** The combined function if its entry loaded all three handler modules at init (not how it is built today). */
const ONE_EAGER: Record<PathHandler, string> = {
  inbound: 'twilio-eager',
  events: 'twilio-eager',
  agent: 'twilio-eager',
};

/** The stack's default `functionLayout` (infra/config-schema.ts), and the model's layout that stands for it. */
export const DEPLOYED_FUNCTION_LAYOUT = configKey('functionLayout').default as ConfigLayout;
export const DEPLOYED_LAYOUT = MODEL_LAYOUT_OF[DEPLOYED_FUNCTION_LAYOUT];

/** The layouts compared. */
export const LAYOUTS: readonly (FunctionLayout & { readonly label: string })[] = [
  { name: 'three-functions', label: 'Three functions (split; the layout before)', functionOf: THREE, provisioned: {} },
  {
    name: 'one-function',
    label: 'One Twilio-facing function (combined, the default: handler modules load on first request)',
    functionOf: ONE,
    provisioned: {},
    lazyHandlerModules: true,
  },
  {
    name: 'one-function-eager',
    label: 'One function loading its three handler modules at init (not built)',
    functionOf: ONE_EAGER,
    provisioned: {},
  },
  {
    name: 'three-functions-pc1',
    label: 'Three functions + provisioned concurrency 1 each',
    functionOf: THREE,
    provisioned: { inbound: 1, events: 1, agent: 1 },
  },
  {
    name: 'one-function-pc1',
    label: 'One function + provisioned concurrency 1',
    functionOf: ONE,
    provisioned: { twilio: 1 },
    lazyHandlerModules: true,
  },
  {
    // Two: one for the agent webhook while a status callback of the agent leg holds the other (the worst case).
    name: 'one-function-pc2',
    label: 'One function + provisioned concurrency 2',
    functionOf: ONE,
    provisioned: { twilio: 2 },
    lazyHandlerModules: true,
  },
];

/** A result at the three bounds. */
export interface Spread {
  readonly low: number;
  readonly value: number;
  readonly high: number;
}

const spread = (f: (b: Bound) => number): Spread => ({ low: f('low'), value: f('value'), high: f('high') });

/**
 * Init-phase load of the combined function's entry: the dispatcher (`dist/twilio/index.js`, 3.5 KiB) that requires
 * a handler's bundle only when its route first arrives (infra/README.md, "Function layout"). Measured once the bench
 * has it; else an assumption, since it loads no dependency but the route table.
 */
export function dispatcherModuleLoad(measured: MeasuredInputs): Figure {
  if (measured.combinedModuleLoad) return measured.combinedModuleLoad;
  return {
    value: 1,
    low: 0.5,
    high: 3,
    unit: 'ms',
    kind: 'assumption',
    source: 'infra/README.md#function-layout-and-provisioned-concurrency',
    says:
      "Module load of the combined function's dispatcher at init (not benchmarked yet); each handler's own module " +
      'then loads on its first request in the environment, at invoke-phase CPU (inbound/events/agent moduleLoad).',
  };
}

/** The call-flow inputs at one memory size and bound. */
export function callFlowInputs(
  measured: MeasuredInputs,
  memoryMb: number,
  bound: Bound,
  callsPerSecond: number,
): CallFlowInputs {
  const cpu = at(invokeCpuSlowdown(memoryMb), bound) * at(SOURCES.archSlowdown, bound);
  const initCpu = at(SOURCES.initCpuSlowdown, bound);
  const handler = (h: PathHandler): HandlerTimes => {
    const m = measured[h];
    const local = m.localRoundTrip ? at(m.localRoundTrip, bound) : 0;
    return {
      warmMs: Math.max(0, at(m.warm, bound) - local) * cpu,
      firstInvokeExtraMs: Math.max(0, at(m.firstInvoke, bound) - at(m.warm, bound)) * cpu,
      lazyModuleLoadMs: at(m.moduleLoad, bound) * cpu,
      // The stack with an API key (recommended) reads the key secret too; see infra/functions.ts.
      secrets: secretsOf(FUNCTION_SPECS[h], true),
      createsAgent: h === 'events',
    };
  };
  return {
    handlers: { inbound: handler('inbound'), events: handler('events'), agent: handler('agent') },
    moduleLoadMs: {
      inbound: at(measured.inbound.moduleLoad, bound) * initCpu,
      events: at(measured.events.moduleLoad, bound) * initCpu,
      agent: at(measured.agent.moduleLoad, bound) * initCpu,
      twilio: at(dispatcherModuleLoad(measured), bound) * initCpu,
      'twilio-eager':
        (at(dispatcherModuleLoad(measured), bound) +
          CALL_PATH.reduce((n, h) => n + at(measured[h].moduleLoad, bound), 0)) *
        initCpu,
    },
    platform: {
      envCreateMs: at(SOURCES.envCreate, bound),
      runtimeInitMs: at(runtimeInit(memoryMb), bound),
      apiGatewayMs: at(SOURCES.apiGateway, bound),
      webhookNetworkMs: at(SOURCES.webhookNetwork, bound),
      conferenceJoinMs: at(SOURCES.conferenceJoin, bound),
      restCreateMs: at(SOURCES.restCreate, bound),
      twilioTlsSetupMs: at(SOURCES.twilioTlsSetup, bound),
      appDialMs: at(SOURCES.appDial, bound),
      streamConnectMs: at(SOURCES.streamConnect, bound),
      secretFetchMs: at(SOURCES.secretFetch, bound),
    },
    callsPerSecond,
  };
}

/** Our stack's part of one caller's wait: Lambda (init and handlers) and API Gateway. */
export function ourStackMs(c: CallerOutcome): number {
  return c.parts.lambdaInit + c.parts.handlers + c.parts.apiGateway;
}

/** One caller's wait in one scenario, at the three bounds. */
export interface SingleCall {
  readonly layout: string;
  readonly memoryMb: number;
  readonly scenario: 'warm' | 'first-after-idle' | 'first-after-idle-worst';
  readonly timeToAgentMs: Spread;
  readonly ourStackMs: Spread;
  /** The part of it that is cold starts (runtime init, module load, environment creation). */
  readonly coldStartMs: Spread;
  readonly joinToAgentMs: Spread;
  readonly coldStarts: number;
}

function singleCall(
  measured: MeasuredInputs,
  layout: FunctionLayout,
  memoryMb: number,
  start: StartState,
  legCallbacks: LegCallbacks = 'behind',
): SingleCall {
  const run = (b: Bound) =>
    simulateCalls(callFlowInputs(measured, memoryMb, b, 1), layout, [0], start, legCallbacks).callers[0];
  const runs = Object.fromEntries(BOUNDS.map((b) => [b, run(b)])) as Record<Bound, CallerOutcome>;
  return {
    layout: layout.name,
    memoryMb,
    scenario: start === 'warm' ? 'warm' : legCallbacks === 'ahead' ? 'first-after-idle-worst' : 'first-after-idle',
    timeToAgentMs: spread((b) => runs[b].timeToAgentMs),
    ourStackMs: spread((b) => ourStackMs(runs[b])),
    coldStartMs: spread((b) => runs[b].parts.lambdaInit),
    joinToAgentMs: spread((b) => runs[b].joinToAgentMs),
    coldStarts: runs.value.coldStarts,
  };
}

/** A burst of callers arriving at once after a quiet period. */
export interface Burst {
  readonly layout: string;
  readonly memoryMb: number;
  readonly callers: number;
  readonly callsPerSecond: number;
  readonly p50Ms: Spread;
  readonly p95Ms: Spread;
  /** p95 of the Twilio queue wait alone (AgentQueueTime). */
  readonly queueP95Ms: Spread;
  readonly peakConcurrency: number;
  readonly coldStarts: number;
}

/** Simulates `callers` arriving at once on an idle stack. */
export function burst(
  measured: MeasuredInputs,
  layout: FunctionLayout,
  memoryMb: number,
  callers: number,
  callsPerSecond: number,
): Burst {
  const arrivals = Array.from({ length: callers }, () => 0);
  const runs = Object.fromEntries(
    BOUNDS.map((b) => [
      b,
      simulateCalls(callFlowInputs(measured, memoryMb, b, callsPerSecond), layout, arrivals, 'idle'),
    ]),
  ) as Record<Bound, ReturnType<typeof simulateCalls>>;
  const q = (b: Bound, f: (c: CallerOutcome) => number, p: number) => quantile(runs[b].callers.map(f), p);
  return {
    layout: layout.name,
    memoryMb,
    callers,
    callsPerSecond,
    p50Ms: spread((b) => q(b, (c) => c.timeToAgentMs, 0.5)),
    p95Ms: spread((b) => q(b, (c) => c.timeToAgentMs, 0.95)),
    queueP95Ms: spread((b) => q(b, (c) => c.parts.queue, 0.95)),
    peakConcurrency: runs.value.peakConcurrency,
    coldStarts: runs.value.callers.reduce((n, c) => n + c.coldStarts, 0),
  };
}

/**
 * The AgentQueueTime p95 alarm threshold: what the time-to-agent budget leaves once the rest of the way to the agent
 * (without queueing) is paid, in whole seconds, rounded down so the alarm fires before the budget is spent.
 */
export function queueAlarmThresholdMs(budgetMs: number, restOfTheWayMs: number): number {
  return Math.max(0, Math.floor((budgetMs - restOfTheWayMs) / 1000) * 1000);
}

/** Monthly price of a layout's provisioned concurrency at `memoryMb` (arm64, us-east-1). */
export function provisionedMonthlyUsd(layout: FunctionLayout, memoryMb: number): number {
  const environments = Object.values(layout.provisioned).reduce((a, b) => a + b, 0);
  const seconds = SOURCES.hoursPerMonth.value * 3600;
  return environments * (memoryMb / 1024) * seconds * SOURCES.provisionedConcurrencyArm.value;
}

/** The lowest rate among `candidates` at which a burst of `callers` keeps its p95 (nominal) within `budgetMs`. */
export function callsPerSecondFor(
  measured: MeasuredInputs,
  layout: FunctionLayout,
  memoryMb: number,
  callers: number,
  budgetMs: number,
  candidates: readonly number[] = [1, 2, 5, 10, 15, 20, 30, 50, 100, 200],
): number | undefined {
  return candidates.find((r) => burst(measured, layout, memoryMb, callers, r).p95Ms.value <= budgetMs);
}

export interface LayoutRow {
  readonly layout: string;
  readonly label: string;
  readonly memoryMb: number;
  readonly warm: SingleCall;
  /** Best case: the agent leg's status callbacks reach the stack after its agent webhook has been served. */
  readonly firstAfterIdle: SingleCall;
  /**
   * Worst case: one of them arrives just ahead of the agent webhook and holds the environment that would have
   * served it (in the sandbox, 19 and 20 of 22 first calls in the combined layout met a second cold container).
   */
  readonly firstAfterIdleWorst: SingleCall;
  /** 100 callers at once at 30 calls/s: where concurrent cold starts show. */
  readonly burst100At30: Burst;
  readonly monthlyUsd: number;
}

/** A burst against the limits that could refuse callers instead of making them wait. */
export interface BurstLimits {
  readonly callers: number;
  /** Lambda environments busy at once (model), against the account's concurrency quota. */
  readonly peakConcurrency: number;
  readonly accountConcurrency: number;
  /** Webhooks arriving at one instant beyond the route's token bucket would get 429 from API Gateway. */
  readonly routeBurstLimit: number;
  /** Participants creates in flight at once, against Twilio's REST concurrency (429 / 20429, retried). */
  readonly twilioApiConcurrency: number;
}

export interface CapacityRow {
  readonly callers: number;
  readonly callsPerSecond: number;
  readonly model: Burst;
}

export interface ModelResults {
  readonly memoryMb: readonly number[];
  readonly inputs: Readonly<Record<string, Figure>>;
  readonly layouts: readonly LayoutRow[];
  /** The layout the capacity plan runs on: the deployed default. */
  readonly chosenLayout: string;
  /** On the chosen layout at the prod memory size. */
  readonly capacity: readonly CapacityRow[];
  readonly askTwilio: readonly { readonly callers: number; readonly callsPerSecond: number | undefined }[];
  readonly limits: readonly BurstLimits[];
  readonly alarm: { readonly agentQueueTimeP95Ms: number; readonly derivation: string };
}

/** The stack's webhook route burst (token bucket size) by default. */
export function routeBurstLimit(): Figure {
  const value = configKey('throttlingBurstLimit').default as number;
  return {
    value,
    low: value,
    high: value,
    unit: 'requests at one instant, per route',
    kind: 'config',
    source:
      'infra/config-schema.ts throttlingBurstLimit; https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html',
    says:
      'HTTP API throttling is a token bucket: "the burst limit represents the target maximum number of concurrent ' +
      'request submissions ... before returning 429 Too Many Requests". The prod example sets 400.',
  };
}

/** Every figure the model used, by name (measured ones prefixed with their handler). */
export function modelInputs(measured: MeasuredInputs): Record<string, Figure> {
  const inputs: Record<string, Figure> = {};
  for (const h of CALL_PATH) {
    inputs[`${h}.moduleLoad`] = measured[h].moduleLoad;
    inputs[`${h}.firstInvoke`] = measured[h].firstInvoke;
    inputs[`${h}.warm`] = measured[h].warm;
    const local = measured[h].localRoundTrip;
    if (local) inputs[`${h}.localRoundTrip`] = local;
    inputs[`${h}.zipBytes`] = {
      value: measured[h].zipBytes,
      low: measured[h].zipBytes,
      high: measured[h].zipBytes,
      unit: 'bytes',
      kind: 'measured',
      source: `results.json sizes.ours.${h}.zipBytes`,
      says: 'deployment archive; small enough that code download is not modelled separately from envCreate',
    };
  }
  inputs['twilio.moduleLoad'] = dispatcherModuleLoad(measured);
  for (const m of MODELLED_MEMORY_MB) {
    inputs[`runtimeInit@${m}MB`] = runtimeInit(m);
    inputs[`invokeCpuSlowdown@${m}MB`] = invokeCpuSlowdown(m);
  }
  for (const [name, figure] of Object.entries(SOURCES)) inputs[name] = figure;
  inputs.routeBurstLimit = routeBurstLimit();
  return inputs;
}

/** Runs every question of the model. */
export function runModel(measured: MeasuredInputs): ModelResults {
  const prod = MODELLED_MEMORY_MB[MODELLED_MEMORY_MB.length - 1];
  const layouts: LayoutRow[] = MODELLED_MEMORY_MB.flatMap((memoryMb) =>
    LAYOUTS.map((layout) => ({
      layout: layout.name,
      label: layout.label,
      memoryMb,
      warm: singleCall(measured, layout, memoryMb, 'warm'),
      firstAfterIdle: singleCall(measured, layout, memoryMb, 'idle'),
      firstAfterIdleWorst: singleCall(measured, layout, memoryMb, 'idle', 'ahead'),
      burst100At30: burst(measured, layout, memoryMb, 100, 30),
      monthlyUsd: provisionedMonthlyUsd(layout, memoryMb),
    })),
  );
  const chosen = LAYOUTS.find((l) => l.name === DEPLOYED_LAYOUT) as FunctionLayout;

  const capacity = BURST_SIZES.flatMap((callers) =>
    CALL_RATES.map((r) => ({ callers, callsPerSecond: r, model: burst(measured, chosen, prod, callers, r) })),
  );
  const askTwilio = BURST_SIZES.map((callers) => ({
    callers,
    callsPerSecond: callsPerSecondFor(measured, chosen, prod, callers, TIME_TO_AGENT_BUDGET_MS),
  }));

  const limits = BURST_SIZES.map((callers) => ({
    callers,
    peakConcurrency: (capacity.find((c) => c.callers === callers) as CapacityRow).model.peakConcurrency,
    accountConcurrency: SOURCES.accountConcurrency.value,
    routeBurstLimit: routeBurstLimit().value,
    twilioApiConcurrency: SOURCES.twilioApiConcurrency.value,
  }));

  // Queue alarm: whatever of the time-to-agent budget the rest of the way does not need (its high bound, first call
  // after idle in its worst case, at the smallest memory size) may go to Twilio's queue; above that, the account's CPS
  // is the cause.
  const worstBase = Math.max(
    ...layouts.filter((r) => r.layout === DEPLOYED_LAYOUT).map((r) => r.firstAfterIdleWorst.joinToAgentMs.high),
  );
  const agentQueueTimeP95Ms = queueAlarmThresholdMs(TIME_TO_AGENT_BUDGET_MS, worstBase);
  const configured = configKey('alarmAgentQueueTimeP95Ms').default as number;
  const derivation =
    `TimeToAgent p95 budget ${TIME_TO_AGENT_BUDGET_MS} ms (alarmTimeToAgentP95Ms) minus the slowest modelled caller-join-` +
    `to-agent-join without queueing (${Math.round(worstBase)} ms: first call after idle, worst case, high bounds, ` +
    `${MODELLED_MEMORY_MB[0]} MB), rounded down to the second: ${agentQueueTimeP95Ms} ms of queue_time p95 leaves ` +
    'the rest of the way its worst case; above it the account CPS is what keeps callers waiting. ' +
    (configured === agentQueueTimeP95Ms
      ? `The stack's default alarmAgentQueueTimeP95Ms is the same ${configured} ms.`
      : `**The stack's default alarmAgentQueueTimeP95Ms is ${configured} ms: update infra/config-schema.ts.**`);

  return {
    memoryMb: MODELLED_MEMORY_MB,
    inputs: modelInputs(measured),
    layouts,
    chosenLayout: DEPLOYED_LAYOUT,
    capacity,
    askTwilio,
    limits,
    alarm: { agentQueueTimeP95Ms, derivation },
  };
}
