/** Order statistics for timing samples. */

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
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
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

/**
 * Median of the per-round ratios a[i]/b[i]. Rounds are interleaved, so both sides of a pair ran under the same
 * machine load; this is the figure that survives a noisy shared machine.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  const ratios = a.slice(0, b.length).map((x, i) => x / b[i]);
  return quantile(ratios, 0.5);
}

/** Median over rounds of (a[i] - floor[i]) / (b[i] - floor[i]): a's extra time over the floor as a share of b's. */
export function pairedExtraShare(a: readonly number[], b: readonly number[], floor: readonly number[]): number {
  const n = Math.min(a.length, b.length, floor.length);
  const shares: number[] = [];
  for (let i = 0; i < n; i++) shares.push((a[i] - floor[i]) / (b[i] - floor[i]));
  return quantile(shares, 0.5);
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
