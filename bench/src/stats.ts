/**
 * Order statistics for timing samples: nearest-rank quantiles, their distribution-free confidence intervals, and
 * the verdict rule that turns an interval and a target into "holds", "missed" or "within noise". Pure: no I/O.
 */

/** Summary of one series of samples (milliseconds unless noted). */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** The q-quantile by nearest rank (p99 of 100 samples is the 99th smallest, never an interpolation). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[nearestRank(sorted.length, q) - 1];
}

function nearestRank(n: number, q: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n)));
}

/** Median, p99, min and max of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    median: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** Binomial(n, p) probabilities of 0..n, computed in log space so n in the thousands stays exact enough. */
function binomialPmf(n: number, p: number): number[] {
  const logFactorial = [0];
  for (let i = 1; i <= n; i++) logFactorial.push(logFactorial[i - 1] + Math.log(i));
  return Array.from({ length: n + 1 }, (_, k) => {
    const logChoose = logFactorial[n] - logFactorial[k] - logFactorial[n - k];
    const logP = (k === 0 ? 0 : k * Math.log(p)) + (n - k === 0 ? 0 : (n - k) * Math.log1p(-p));
    return Math.exp(logChoose + logP);
  });
}

/** Which order statistics bound a confidence interval of a quantile, and how often such an interval covers it. */
export interface QuantileRanks {
  /** 1-based rank of the lower bound in the sorted sample; null when too few samples allow one (unbounded). */
  readonly lower: number | null;
  /** 1-based rank of the upper bound; null when too few samples allow one (unbounded). */
  readonly upper: number | null;
  /** Exact probability that [x(lower), x(upper)] contains the population quantile (continuous distributions). */
  readonly coverage: number;
}

/**
 * Equal-tailed distribution-free interval of the q-quantile: the number of samples below the true quantile is
 * Binomial(n, q), so x(l) <= quantile <= x(u) with probability P(l <= B <= u - 1). The lower rank is the largest l
 * with P(B <= l - 1) <= (1 - level) / 2, the upper the smallest u with P(B >= u) <= (1 - level) / 2.
 */
export function quantileRanks(n: number, q: number, level = 0.95): QuantileRanks {
  const tail = (1 - level) / 2;
  const pmf = binomialPmf(n, q);
  // below[k] = P(B <= k - 1), summed from the bottom; above[k] = P(B >= k), summed from the top (no 1 - x loss).
  const below = [0];
  for (let k = 0; k <= n; k++) below.push(below[k] + pmf[k]);
  const above: number[] = new Array(n + 2).fill(0);
  for (let k = n; k >= 0; k--) above[k] = above[k + 1] + pmf[k];
  let lower: number | null = null;
  for (let l = 1; l <= n && below[l] <= tail; l++) lower = l;
  let upper: number | null = null;
  for (let u = n; u >= 1 && above[u] <= tail; u--) upper = u;
  const missBelow = lower === null ? 0 : below[lower];
  const missAbove = upper === null ? 0 : above[upper];
  return { lower, upper, coverage: 1 - missBelow - missAbove };
}

/** A quantile of a sample with its confidence interval (bounds are null where the sample is too small for one). */
export interface Estimate {
  /** Which quantile: 0.5 for the median. */
  readonly q: number;
  readonly n: number;
  /** The nearest-rank q-quantile of the sample. */
  readonly value: number;
  readonly lo: number | null;
  readonly hi: number | null;
  /** Ranks of lo and hi in the sorted sample (1-based). */
  readonly ranks: readonly [number | null, number | null];
  /** Confidence level asked for; `coverage` is what the chosen ranks give (at least the level). */
  readonly level: number;
  readonly coverage: number;
}

/** The q-quantile of `values` and its distribution-free confidence interval. */
export function estimate(values: readonly number[], q = 0.5, level = 0.95): Estimate {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const ranks = quantileRanks(n, q, level);
  return {
    q,
    n,
    value: n === 0 ? Number.NaN : sorted[nearestRank(n, q) - 1],
    lo: ranks.lower === null ? null : sorted[ranks.lower - 1],
    hi: ranks.upper === null ? null : sorted[ranks.upper - 1],
    ranks: [ranks.lower, ranks.upper],
    level,
    coverage: ranks.coverage,
  };
}

/** a[i] / b[i] for every round both series have. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i] / b[i]);
}

/** a[i] - b[i] for every round both series have. */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i] - b[i]);
}

/** (a[i] - floor[i]) / (b[i] - floor[i]): a's extra time over the floor as a share of b's, round by round. */
export function pairedExtraShares(a: readonly number[], b: readonly number[], floor: readonly number[]): number[] {
  const n = Math.min(a.length, b.length, floor.length);
  return Array.from({ length: n }, (_, i) => (a[i] - floor[i]) / (b[i] - floor[i]));
}

/** An upper bound a figure must stay under, e.g. "<= 1.3x the empty process" or "< 1 ms". */
export interface Target {
  readonly max: number;
  /** True for "<=", false for "<". */
  readonly inclusive: boolean;
  /** How the report names it. */
  readonly text: string;
}

/** The least a figure can physically be (a bundle cannot start faster than an empty process). */
export interface Floor {
  readonly min: number;
  readonly text: string;
}

/**
 * - `method error`: the figure is below its physical floor, so the measurement is broken, not the code fast;
 * - `holds` / `missed`: the whole confidence interval is on one side of the target;
 * - `within noise`: the interval straddles the target, or the sample is too small for an interval.
 */
export type Verdict = 'holds' | 'missed' | 'within noise' | 'method error';

/** True when the figure itself is below the floor. */
export function belowFloor(e: Estimate, floor: Floor | undefined): boolean {
  return floor !== undefined && e.value < floor.min;
}

/** The verdict on `e` against `target` (see {@link Verdict}). */
export function judge(e: Estimate, target: Target, floor?: Floor): Verdict {
  if (belowFloor(e, floor)) return 'method error';
  const under = (x: number) => (target.inclusive ? x <= target.max : x < target.max);
  if (e.hi !== null && under(e.hi)) return 'holds';
  if (e.lo !== null && !under(e.lo)) return 'missed';
  return 'within noise';
}

/** Rounds to `digits` decimals for reports. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A deterministic shuffle (mulberry32), so a rerun interleaves variants in the same orders. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
