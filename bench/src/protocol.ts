/** What the bench's child processes print back to the parent. */

/** Prefix of the cold child's one result line; the parent's wall clock stops when it arrives. */
export const COLD_MARKER = 'BENCH_COLD ';
/** Prefix of the warm child's result line. */
export const WARM_MARKER = 'BENCH_WARM ';

/** One cold start as the child measured it. */
export interface ColdSample {
  /** Node's bootstrap: process start to the first line of the child script. */
  readonly bootMs: number;
  /** require() of the bundle. */
  readonly loadMs: number;
  /** The first invocation, from call to resolved response. */
  readonly invokeMs: number;
  readonly statusCode: number;
  readonly maxRssKiB: number;
}

/** Per-invocation latencies (ms) of each variant the warm child ran, interleaved. */
export type WarmSamples = Record<string, number[]>;

/** Prefix of the sandbox child's result line. */
export const SANDBOX_MARKER = 'BENCH_SANDBOX ';

/**
 * Real milliseconds per Twilio millisecond in capacity bursts: Twilio's queue (up to 499 s for 500 callers at
 * 1/s) runs 100x faster, and queue_time reports it in Twilio milliseconds. Not faster: ring timeouts scale too,
 * and at 0.001 a 15 s agent ring timeout is 15 real ms, which a loaded machine misses.
 */
export const BURST_TIME_SCALE = 0.01;

/** One sandbox scenario as its child process measured it. */
export interface SandboxRun {
  readonly mode: 'sequential' | 'concurrent' | 'burst';
  readonly count: number;
  readonly calls: import('./sandbox-adapter').CallMeasurement[];
  readonly errors: string[];
  readonly agentStreams: number;
  readonly callsWithOneAgent: number;
  readonly callsWithOwnContext: number;
  readonly peakRssKiB: number;
}
