/**
 * Items 4, 5 and 6 (sandbox): time to agent over sequential calls, load with N concurrent inbound calls, and the
 * sandbox process's peak RSS. Each scenario runs in a fresh child process (src/sandbox-child.ts).
 */
import path from 'node:path';
import type { HandlerName } from './fixtures';
import type { BenchOptions } from './options';
import type { BenchPaths } from './paths';
import { SANDBOX_MARKER, type SandboxRun } from './protocol';
import { HOPS, sandboxBundlePresent, type Hop } from './sandbox-adapter';
import { timeChild } from './spawn-timer';
import { estimate, type Estimate, judge, round, summarize, type Summary, type Target, type Verdict } from './stats';
import type { WarmHandlerResult } from './warm';

/** Time to agent of one scenario. */
export interface TimeToAgent {
  readonly calls: number;
  readonly timeToAgentMs: Summary;
  /** The median time to agent with its 95 % interval over the calls. */
  readonly timeToAgentMedian: Estimate;
  readonly hopsMs?: Partial<Record<Hop, Summary>>;
  readonly handlerMs?: Summary;
  /** handlerMs / timeToAgentMs of each call: the median and its 95 % interval. */
  readonly handlerShare?: Estimate;
  /** The warm in-process medians of the three handlers on the path (inbound + events + agent, REST to the stub). */
  readonly warmPathMs?: number;
  /** warmPathMs over the median time to agent. */
  readonly estimatedHandlerShare?: number;
}

/** One load level. */
export interface LoadLevel extends TimeToAgent {
  readonly concurrency: number;
  readonly errors: number;
  readonly firstErrors: string[];
  readonly callsWithOneAgent: number;
  readonly callsWithOwnContext: number;
  readonly sandboxPeakRssMiB: number;
  readonly holds: boolean;
}

export type SandboxResults =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true;
      readonly timeToAgent: TimeToAgent & { readonly target: Target; readonly verdict: Verdict };
      readonly load: LoadLevel[];
    };

const TIME_TO_AGENT_TARGET: Target = { max: 50, inclusive: false, text: 'median < 50 ms' };

function timeToAgentOf(run: SandboxRun, warmPathMs: number | undefined): TimeToAgent {
  const calls = run.calls;
  const hopsMs: Partial<Record<Hop, Summary>> = {};
  for (const hop of HOPS) {
    const values = calls.map((c) => c.hops?.[hop]).filter((v): v is number => typeof v === 'number');
    if (values.length > 0) hopsMs[hop] = summarize(values);
  }
  const handler = calls.map((c) => c.handlerMs).filter((v): v is number => typeof v === 'number');
  const shares = calls
    .filter((c) => typeof c.handlerMs === 'number')
    .map((c) => (c.handlerMs as number) / c.timeToAgentMs);
  const timeToAgentMs = summarize(calls.map((c) => c.timeToAgentMs));
  return {
    calls: calls.length,
    timeToAgentMs,
    timeToAgentMedian: estimate(calls.map((c) => c.timeToAgentMs)),
    ...(warmPathMs !== undefined && {
      warmPathMs: round(warmPathMs, 4),
      estimatedHandlerShare: round(warmPathMs / timeToAgentMs.median, 4),
    }),
    ...(Object.keys(hopsMs).length > 0 && { hopsMs }),
    ...(handler.length > 0 && { handlerMs: summarize(handler), handlerShare: estimate(shares) }),
  };
}

async function runScenario(
  bundle: string,
  childScript: string,
  mode: 'sequential' | 'concurrent',
  count: number,
): Promise<SandboxRun> {
  const timed = await timeChild(
    [childScript, bundle, mode, String(count)],
    { ...process.env } as Record<string, string>,
    SANDBOX_MARKER,
    180_000,
  );
  return JSON.parse(timed.payload) as SandboxRun;
}

/** Measures the sandbox scenarios, or says why it cannot. */
export async function measureSandbox(
  paths: BenchPaths,
  options: BenchOptions,
  log: (m: string) => void,
  warm?: Record<HandlerName, WarmHandlerResult>,
): Promise<SandboxResults> {
  const warmPathMs = warm
    ? (['inbound', 'events', 'agent'] as const).reduce((n, h) => n + warm[h].variants.ours.median, 0)
    : undefined;
  const bundle = path.join(paths.build, 'sandbox.js');
  if (!sandboxBundlePresent(bundle)) {
    log('  sandbox not available: skipped');
    return {
      available: false,
      reason: 'sandbox not available (no sandbox/ programmatic entry in this checkout when the bench ran)',
    };
  }
  const childScript = path.join(paths.build, 'sandbox-child.js');
  log(`  time to agent: ${options.timeToAgentCalls} sequential calls`);
  const sequential = await runScenario(bundle, childScript, 'sequential', options.timeToAgentCalls);
  const tta = timeToAgentOf(sequential, warmPathMs);
  const load: LoadLevel[] = [];
  for (const n of options.loadLevels) {
    log(`  load: ${n} concurrent calls`);
    const run = await runScenario(bundle, childScript, 'concurrent', n);
    const errors = run.errors.length + Math.max(0, n - run.calls.length - run.errors.length);
    load.push({
      concurrency: n,
      ...timeToAgentOf(run, warmPathMs),
      errors,
      firstErrors: run.errors.slice(0, 5),
      callsWithOneAgent: run.callsWithOneAgent,
      callsWithOwnContext: run.callsWithOwnContext,
      sandboxPeakRssMiB: round(run.peakRssKiB / 1024, 1),
      holds: errors === 0 && run.callsWithOneAgent === n && run.callsWithOwnContext === n && run.agentStreams === n,
    });
  }
  return {
    available: true,
    timeToAgent: { ...tta, target: TIME_TO_AGENT_TARGET, verdict: judge(tta.timeToAgentMedian, TIME_TO_AGENT_TARGET) },
    load,
  };
}
