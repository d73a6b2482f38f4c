/**
 * The capacity section: bursts of callers through the sandbox with Twilio's calls-per-second queue set to each
 * rate of the capacity plan. The emulator runs Twilio time 100x faster (BURST_TIME_SCALE) and reports each agent
 * leg's `queue_time` in Twilio milliseconds, so a 500-caller burst at 1/s takes five seconds, not eight minutes.
 */
import path from 'node:path';
import { BURST_SIZES, CALL_RATES } from './model/plan';
import type { BenchPaths } from './paths';
import { BURST_TIME_SCALE, SANDBOX_MARKER, type SandboxRun } from './protocol';
import { sandboxBundlePresent } from './sandbox-adapter';
import { timeChild } from './spawn-timer';
import { quantile, round } from './stats';

/** One burst as the sandbox ran it; times in Twilio milliseconds. */
export interface CapacityRun {
  readonly callers: number;
  readonly callsPerSecond: number;
  /** Calls that reached their agent (the rest are in errors). */
  readonly reachedAgent: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  /**
   * Time to agent in Twilio time: the measured time with the queue wait counted at full length
   * (measured - queue_time x timeScale + queue_time). The sandbox's other hops are local, milliseconds long.
   */
  readonly timeToAgentP50Ms: number;
  readonly timeToAgentP95Ms: number;
  /** The agent legs' queue_time as the emulator reported it. */
  readonly queueP50Ms: number;
  readonly queueP95Ms: number;
}

export type CapacityResults =
  | { readonly available: false; readonly reason: string }
  | { readonly available: true; readonly timeScale: number; readonly runs: readonly CapacityRun[] };

/** Summarises one burst child's run. */
export function capacityRun(run: SandboxRun, callers: number, callsPerSecond: number, timeScale: number): CapacityRun {
  const measured = run.calls.filter((c) => typeof c.queueTimeMs === 'number');
  const queue = measured.map((c) => c.queueTimeMs as number);
  const tta = measured.map((c) => c.timeToAgentMs - (c.queueTimeMs as number) * timeScale + (c.queueTimeMs as number));
  return {
    callers,
    callsPerSecond,
    reachedAgent: run.calls.length,
    errors: run.errors.length + Math.max(0, callers - run.calls.length - run.errors.length),
    firstErrors: run.errors.slice(0, 3),
    timeToAgentP50Ms: round(quantile(tta, 0.5), 1),
    timeToAgentP95Ms: round(quantile(tta, 0.95), 1),
    queueP50Ms: round(quantile(queue, 0.5), 1),
    queueP95Ms: round(quantile(queue, 0.95), 1),
  };
}

/** Runs every burst size (only the smallest with --quick) at every rate of the capacity plan. */
export async function measureCapacity(
  paths: BenchPaths,
  quick: boolean,
  log: (m: string) => void,
): Promise<CapacityResults> {
  const bundle = path.join(paths.build, 'sandbox.js');
  if (!sandboxBundlePresent(bundle)) return { available: false, reason: 'sandbox not available in this checkout' };
  const childScript = path.join(paths.build, 'sandbox-child.js');
  const runs: CapacityRun[] = [];
  for (const callers of quick ? BURST_SIZES.slice(0, 1) : BURST_SIZES) {
    for (const cps of CALL_RATES) {
      log(`  burst of ${callers} at ${cps} calls/s`);
      const timed = await timeChild(
        [childScript, bundle, 'burst', String(callers), String(cps)],
        { ...process.env } as Record<string, string>,
        SANDBOX_MARKER,
        180_000,
      );
      runs.push(capacityRun(JSON.parse(timed.payload) as SandboxRun, callers, cps, BURST_TIME_SCALE));
    }
  }
  return { available: true, timeScale: BURST_TIME_SCALE, runs };
}
