/** Item 3: warm latency per handler, in a child process per handler with the stub in this (parent) process. */
import { HANDLERS, KIND, type HandlerName } from './fixtures';
import { WARM_MARKER, type WarmSamples } from './protocol';
import { timeChild } from './spawn-timer';
import {
  estimate,
  type Estimate,
  type Floor,
  judge,
  pairedDifferences,
  pairedRatios,
  summarize,
  type Summary,
  type Target,
  type Verdict,
} from './stats';
import path from 'node:path';

export interface WarmHandlerResult {
  readonly kind: 'twiml' | 'rest';
  readonly iterations: number;
  /** Per variant: `ours`, `naive`, and for REST handlers `stub-roundtrip`. */
  readonly variants: Record<string, Summary>;
  /** ours[i] / naive[i] over the interleaved iterations: median and its 95 % interval. */
  readonly ratioToNaive: Estimate;
  /** p99 of ours with its 95 % interval (what the TwiML target is judged on). */
  readonly oursP99: Estimate;
  /** REST only: ours[i] - stubRoundTrip[i] per iteration, our handler's own share of a warm call. */
  readonly oursMinusRoundTripMs?: Estimate;
  readonly target?: Target;
  readonly verdict?: Verdict;
}

/** A REST handler's call includes one stub round trip, so it cannot take less than that. */
export const ROUND_TRIP_FLOOR: Floor = { min: 0, text: '0 ms over the bare stub round trip' };
const TWIML_TARGET: Target = { max: 1, inclusive: false, text: 'p99 < 1 ms' };

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
    const common = {
      iterations,
      variants,
      ratioToNaive: estimate(pairedRatios(samples.ours, samples.naive)),
      oursP99: estimate(samples.ours, 0.99),
    };
    out[h] =
      KIND[h] === 'twiml'
        ? { kind: 'twiml', ...common, target: TWIML_TARGET, verdict: judge(common.oursP99, TWIML_TARGET) }
        : {
            kind: 'rest',
            ...common,
            oursMinusRoundTripMs: estimate(pairedDifferences(samples.ours, samples['stub-roundtrip'])),
          };
  }
  return out;
}
