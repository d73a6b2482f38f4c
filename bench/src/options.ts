/** Command-line options of `npm run bench`. */

export type Section = 'size' | 'cold' | 'warm' | 'sandbox' | 'capacity' | 'model';
export const SECTIONS: readonly Section[] = ['size', 'cold', 'warm', 'sandbox', 'capacity', 'model'];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
  /** `--only` named fewer than all sections. */
  readonly partial: boolean;
  /** `--write`: a partial run may replace its sections in the committed results. */
  readonly write: boolean;
  readonly coldRounds: number;
  readonly coldWarmupRounds: number;
  readonly warmTwimlIterations: number;
  readonly warmRestIterations: number;
  readonly warmWarmup: number;
  /** Concurrent inbound calls of the sandbox load test. */
  readonly loadLevels: readonly number[];
  /** Sequential single calls for time-to-agent. */
  readonly timeToAgentCalls: number;
}

const USAGE = 'usage: npm run bench -- [--quick] [--only=size,cold,warm,sandbox,capacity,model] [--rounds=N] [--write]';

/**
 * Parses `--quick`, `--only=cold,warm`, `--rounds=N` and `--write`. Anything else is refused: a typo such as
 * `--quik` must not silently become a full run. Full-run counts are sized so the whole bench stays under about
 * 5 minutes on 2 cores; `--quick` is a smoke pass of well under a minute.
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let write = false;
  let only: Section[] | undefined;
  let rounds: number | undefined;
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg];
    if (flag === '--quick' && value === undefined) quick = true;
    else if (flag === '--write' && value === undefined) write = true;
    else if (flag === '--only' && value) {
      const names = value.split(',');
      const unknown = names.filter((s) => !(SECTIONS as readonly string[]).includes(s));
      if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; ${USAGE}`);
      only = names as Section[];
    } else if (flag === '--rounds' && value && /^[1-9]\d*$/.test(value)) rounds = Number(value);
    else throw new Error(`unknown argument ${arg}; ${USAGE}`);
  }
  const sections = only ? SECTIONS.filter((s) => only.includes(s)) : SECTIONS;
  return {
    quick,
    sections,
    partial: sections.length < SECTIONS.length,
    write,
    coldRounds: rounds ?? (quick ? 8 : 30),
    coldWarmupRounds: quick ? 1 : 2,
    warmTwimlIterations: quick ? 1000 : 5000,
    warmRestIterations: quick ? 200 : 1000,
    // Same warm-up in both modes: fewer warm-up calls leave JIT tier-ups inside the measured p99.
    warmWarmup: 300,
    loadLevels: quick ? [10, 100] : [10, 100, 500],
    timeToAgentCalls: quick ? 10 : 40,
  };
}
