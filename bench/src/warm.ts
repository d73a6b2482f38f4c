/** Item 3: warm latency per handler, in a child process per handler with the stub in this (parent) process. */
import { HANDLERS, KIND, type HandlerName } from './fixtures';
import { WARM_MARKER, type WarmSamples } from './protocol';
import { timeChild } from './spawn-timer';
import { pairedRatio, round, summarize, type Summary } from './stats';
import path from 'node:path';

export interface WarmHandlerResult {
  readonly kind: 'twiml' | 'rest';
  readonly iterations: number;
  /** Per variant: `ours`, `naive`, and for REST handlers `stub-roundtrip`. */
  readonly variants: Record<string, Summary>;
  /** Median over interleaved pairs of ours/naive. */
  readonly ratioToNaive: number;
  /** REST only: median of ours minus the stub round trip, i.e. our handler's own share of a warm call. */
  readonly oursMinusRoundTripMs?: number;
  readonly target?: string;
  readonly holds?: boolean;
}

export interface WarmPaths {
  readonly childScript: string;
  readonly ours: (h: HandlerName) => string;
  readonly naive: (h: HandlerName) => string;
}

/** Iteration counts per handler kind: TwiML calls take ~0.1 ms, REST calls ~1 ms (a loopback round trip). */
export interface WarmPlan {
  readonly twimlIterations: number;
  readonly restIterations: number;
  readonly warmup: number;
}

/** Runs the warm benchmark for every handler. */
export async function measureWarm(
  paths: WarmPaths,
  env: Record<string, string>,
  plan: WarmPlan,
): Promise<Record<HandlerName, WarmHandlerResult>> {
  const out = {} as Record<HandlerName, WarmHandlerResult>;
  for (const h of HANDLERS) {
    const iterations = KIND[h] === 'twiml' ? plan.twimlIterations : plan.restIterations;
    const timed = await timeChild(
      [
        paths.childScript,
        h,
        path.join(paths.ours(h), 'index.js'),
        path.join(paths.naive(h), 'index.js'),
        String(iterations),
        String(plan.warmup),
      ],
      env,
      WARM_MARKER,
      240_000,
    );
    const samples = JSON.parse(timed.payload) as WarmSamples;
    const variants = Object.fromEntries(Object.entries(samples).map(([id, s]) => [id, summarize(s)]));
    const ratioToNaive = round(pairedRatio(samples.ours, samples.naive), 3);
    if (KIND[h] === 'twiml') {
      out[h] = {
        kind: 'twiml',
        iterations,
        variants,
        ratioToNaive,
        target: 'p99 < 1 ms',
        holds: variants.ours.p99 < 1,
      };
    } else {
      out[h] = {
        kind: 'rest',
        iterations,
        variants,
        ratioToNaive,
        oursMinusRoundTripMs: round(variants.ours.median - variants['stub-roundtrip'].median, 4),
      };
    }
  }
  return out;
}
