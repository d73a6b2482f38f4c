/**
 * Where a run's results go, and what a run keeps from the committed ones. Pure: the caller reads and writes files.
 * Only a full run replaces the committed bench/results.json and bench/RESULTS.md; a quick pass never does, a
 * partial run (--only) only with --write.
 */
import path from 'node:path';
import { SECTIONS, type BenchOptions, type Section } from './options';

/** Committed results, relative to the repository root. */
export const COMMITTED_DIR = 'bench';
/** Quick passes (git-ignored: .bench-build/ is in .gitignore). */
export const QUICK_DIR = path.join('.bench-build', 'quick');
/** Partial runs without --write (git-ignored). */
export const PARTIAL_DIR = path.join('.bench-build', 'partial');

/** The two files a run writes, and whether they are the committed ones. */
export interface OutputPlan {
  readonly committed: boolean;
  readonly resultsJson: string;
  readonly resultsMd: string;
  /** One line for the end of the run: where, and why there. */
  readonly reason: string;
}

/** Decides where a run writes. Throws for --quick --write: a smoke pass's figures are never committed. */
export function outputPlan(options: Pick<BenchOptions, 'quick' | 'partial' | 'write'>, root: string): OutputPlan {
  if (options.quick && options.write)
    throw new Error('--quick figures are never committed: drop --write, or run the full bench');
  const [dir, committed, reason] = options.quick
    ? [QUICK_DIR, false, 'a quick pass never touches the committed results']
    : options.partial && !options.write
      ? [PARTIAL_DIR, false, 'a partial run (--only) touches the committed results only with --write']
      : [
          COMMITTED_DIR,
          true,
          options.partial ? '--write: the measured sections replace the committed ones' : 'full run',
        ];
  return {
    committed,
    resultsJson: path.join(root, dir, 'results.json'),
    resultsMd: path.join(root, dir, 'RESULTS.md'),
    reason,
  };
}

/** The results.json key each section writes. */
export const SECTION_KEYS: Readonly<Record<Section, string>> = {
  size: 'sizes',
  cold: 'cold',
  warm: 'warm',
  sandbox: 'sandbox',
  capacity: 'capacity',
  model: 'model',
};

/** Keys of results.json this harness writes itself; any other top-level key belongs to another tool. */
const OWN_KEYS = new Set<string>(['schema', 'args', 'quick', 'measured', 'carried', 'machine']);

/** What a run takes over from the committed results.json. */
export interface CarryOver {
  /** Top-level entries to copy as they are. */
  readonly entries: Record<string, unknown>;
  /** results.json key of each benchmark section among them (not measured in this run) -> when it was measured. */
  readonly carried: Record<string, string>;
}

/**
 * Sections this run does not measure are carried from `previous` when it has the same schema (an older shape
 * cannot be rendered), each with the commit and time it was measured at; top-level entries another tool added
 * (e.g. a latency model) are always carried.
 */
export function carryOver(previous: unknown, measured: readonly Section[], schema: number): CarryOver {
  if (typeof previous !== 'object' || previous === null) return { entries: {}, carried: {} };
  const old = previous as {
    schema?: unknown;
    carried?: Record<string, string>;
    machine?: { start?: { gitCommit?: string; at?: string } };
  } & Record<string, unknown>;
  const measuredAt = old.machine?.start ? `commit ${old.machine.start.gitCommit}, ${old.machine.start.at}` : 'unknown';
  const ownSections = new Map(SECTIONS.map((s) => [SECTION_KEYS[s], s]));
  const entries: Record<string, unknown> = {};
  const carried: Record<string, string> = {};
  for (const [key, value] of Object.entries(old)) {
    const section = ownSections.get(key);
    if (section === undefined) {
      if (!OWN_KEYS.has(key)) entries[key] = value;
    } else if (old.schema === schema && !measured.includes(section)) {
      entries[key] = value;
      carried[key] = old.carried?.[key] ?? measuredAt;
    }
  }
  return { entries, carried };
}
