/**
 * One input of the latency model: a nominal value with the range it may take, what kind of figure it is and where it
 * comes from. The model runs once per bound, so every result carries the spread its inputs allow.
 */

/**
 * measured: our bench (bench/results.json); published: a platform's or a third party's published figure;
 * config: the stack's own default (infra/config-schema.ts); assumption: no published figure exists, the range is
 * ours and says so.
 */
export type FigureKind = 'measured' | 'published' | 'config' | 'assumption';

export interface Figure {
  /** The nominal value the model reports first. */
  readonly value: number;
  /** The bound that makes a caller wait least (for a cost: the cheapest). */
  readonly low: number;
  /** The bound that makes a caller wait most. */
  readonly high: number;
  readonly unit: string;
  readonly kind: FigureKind;
  /** URL of the source, or the results.json path of a measured figure. */
  readonly source: string;
  /** What the source says, or why an assumption has this range. */
  readonly says: string;
}

/** Which of a figure's three values a model run uses. */
export type Bound = 'low' | 'value' | 'high';
export const BOUNDS: readonly Bound[] = ['low', 'value', 'high'];

/** A figure with one value (no spread known or needed). */
export function exact(value: number, unit: string, kind: FigureKind, source: string, says: string): Figure {
  return { value, low: value, high: value, unit, kind, source, says };
}

/** A figure's value at `bound`. */
export function at(figure: Figure, bound: Bound): number {
  return figure[bound];
}
