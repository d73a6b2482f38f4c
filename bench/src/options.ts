/** Command-line options of `npm run bench`. */

export type Section = 'size' | 'cold' | 'warm' | 'sandbox';
export const SECTIONS: readonly Section[] = ['size', 'cold', 'warm', 'sandbox'];

export interface BenchOptions {
  readonly quick: boolean;
  readonly sections: readonly Section[];
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

/**
 * Parses `--quick`, `--only=cold,warm` and `--rounds=N`. Full-run counts are sized so the whole bench stays under
 * about 5 minutes on 2 cores; `--quick` is a smoke pass of well under a minute.
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const rounds = Number(argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? NaN);
  const sections = only
    ? only.split(',').filter((s): s is Section => (SECTIONS as readonly string[]).includes(s))
    : SECTIONS;
  return {
    quick,
    sections,
    coldRounds: Number.isFinite(rounds) ? rounds : quick ? 8 : 30,
    coldWarmupRounds: quick ? 1 : 2,
    warmTwimlIterations: quick ? 1000 : 5000,
    warmRestIterations: quick ? 200 : 1000,
    // Same warm-up in both modes: fewer warm-up calls leave JIT tier-ups inside the measured p99.
    warmWarmup: 300,
    loadLevels: quick ? [10, 100] : [10, 100, 500],
    timeToAgentCalls: quick ? 10 : 40,
  };
}
