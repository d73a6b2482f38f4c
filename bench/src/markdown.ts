/** Markdown pieces every section of RESULTS.md uses: tables, estimates with their intervals, verdicts. */
import type { Estimate, Floor, Verdict } from './stats';

/** A GitHub-flavoured Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/**
 * `value [lo, hi]`, the figure and its 95 % interval; `n/a` for a bound the sample is too small for. A figure
 * below its physical floor is not shown as a result: the cell says the method failed.
 */
export function estimateCell(e: Estimate, format: (x: number) => string, floor?: Floor): string {
  if (floor && e.value < floor.min) return `**method error**: ${format(e.value)} is below ${floor.text}, not a result`;
  const bound = (x: number | null) => (x === null ? 'n/a' : format(x));
  return `${format(e.value)} [${bound(e.lo)}, ${bound(e.hi)}]`;
}

/** The verdict as the tables print it; only the ones that call for attention are bold. */
export function verdictCell(v: Verdict | undefined): string {
  if (v === undefined) return '';
  return v === 'missed' || v === 'method error' ? `**${v}**` : v;
}

/** `x` to `digits` decimals, without the "-0" that toFixed gives a tiny negative number. */
function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

export const ms = (x: number, digits = 1): string => `${fixed(x, digits)} ms`;
export const us = (x: number): string => `${fixed(x * 1000, 0)} µs`;
export const times = (x: number): string => `${fixed(x, 2)}x`;
export const percent = (x: number): string => `${fixed(x * 100, 0)} %`;
