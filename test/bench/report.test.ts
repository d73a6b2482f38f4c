import { coldVerdict, type ColdResults, type ColdVariantResult } from '../../bench/src/cold';
import { HANDLERS } from '../../bench/src/fixtures';
import { type BenchResults, resultsMarkdown, SECTION_RENDERERS } from '../../bench/src/report';
import { estimateCell, percent } from '../../bench/src/markdown';
import { estimate, summarize } from '../../bench/src/stats';

const machine: BenchResults['machine'] = {
  start: {
    node: 'v20.0.0',
    platform: 'linux x64',
    cpus: 2,
    cpuModel: 'cpu',
    totalMemMiB: 4096,
    loadAverage: [1, 1, 1],
    gitCommit: 'abc1234',
    at: '2026-01-01T00:00:00.000Z',
  },
};

function variant(wall: number[]): ColdVariantResult {
  const s = summarize(wall);
  return { wallMs: s, wallMedian: estimate(wall), bootMs: s, loadMs: s, invokeMs: s, maxRssMiB: s, wallSamples: wall };
}

/** Ten rounds with the empty process at 30 ms; each handler's own per-round ratios to it. */
function coldOf(ratios: Record<(typeof HANDLERS)[number], number[]>): ColdResults {
  const floor = ratios.inbound.map(() => 30);
  const naive = floor.map((f) => f + 100);
  const variants: Record<string, ColdVariantResult> = { floor: variant(floor) };
  const verdicts = {} as ColdResults['verdicts'];
  for (const h of HANDLERS) {
    const ours = ratios[h].map((r, i) => r * floor[i]);
    variants[`ours:${h}`] = variant(ours);
    variants[`naive:${h}`] = variant(naive);
    variants[`naive-unbundled:${h}`] = variant(naive);
    verdicts[h] = coldVerdict(h === 'inbound' || h === 'agent' ? 'twiml' : 'rest', {
      ours,
      floor,
      naive,
      naiveUnbundled: naive,
    });
  }
  return { rounds: floor.length, warmupRounds: 1, variants, verdicts };
}

const cold = coldOf({
  // Median x(5) = 1.28, 95 % interval x(2) = 1.15 to x(9) = 1.45: straddles 1.3.
  inbound: [1.5, 1.1, 1.45, 1.15, 1.4, 1.2, 1.35, 1.25, 1.32, 1.28],
  // The whole interval over 1.3.
  agent: [1.5, 1.55, 1.6, 1.52, 1.58, 1.51, 1.57, 1.53, 1.56, 1.54],
  // Faster than an empty process: impossible.
  events: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
  // 1.5x the floor: an extra of 15 ms over the naive handler's 100 ms, 15 %.
  participants: [1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5],
});

function row(markdown: string, first: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${first} |`));
  if (!line) throw new Error(`no row ${first}`);
  return line.split(' | ').map((c) => c.replace(/^\| | \|$/g, ''));
}

describe('resultsMarkdown: the cold-start table', () => {
  const markdown = resultsMarkdown({
    schema: 2,
    args: [],
    quick: false,
    measured: ['cold'],
    carried: {},
    machine,
    cold,
  });

  it('when the interval straddles the target, it prints the interval and says within noise', () => {
    const cells = row(markdown, 'inbound');

    expect(cells[1]).toBe('1.28x [1.15x, 1.45x]');
    expect(cells[5]).toBe('within noise');
  });

  it('when the whole interval is over the target, it says missed', () => {
    expect(row(markdown, 'agent')[5]).toBe('**missed**');
  });

  it('when a bundle starts faster than the empty process, it reports a method error instead of the figure', () => {
    const cells = row(markdown, 'events');

    expect(cells[1]).toBe('**method error**: 0.90x is below 1x, the empty process, not a result');
    expect(cells[2]).toMatch(/^\*\*method error\*\*: -3 % is below 0 %/);
    expect(cells[5]).toBe('**method error**');
    expect(row(markdown, 'ours:events')[1]).toMatch(/^\*\*method error\*\*: 27\.0 ms is below/);
  });

  it('when the whole interval of the share is under one third, it says holds', () => {
    const cells = row(markdown, 'participants');

    expect(cells[2]).toBe('15 % [15 %, 15 %]');
    expect(cells[5]).toBe('holds');
  });
});

describe('estimateCell', () => {
  it('when a bound is a tiny negative share, it prints 0 %, not -0 %', () => {
    const e = estimate([-0.0004, 0.03, 0.05, 0.02, 0.04, 0.1, 0.01, 0.06]);

    expect(estimateCell(e, percent)).toBe('3 % [0 %, 10 %]');
  });
});

describe('resultsMarkdown: the machine', () => {
  const base = { schema: 2 as const, args: [], quick: false, measured: [], carried: {} };

  it('when the load average exceeds the cores, it warns that absolute figures measure the machine', () => {
    const loaded = { start: { ...machine.start, loadAverage: [9.8, 7, 4.7] } };

    expect(resultsMarkdown({ ...base, machine: loaded })).toContain(
      'The machine was loaded (1-minute load average 9.8 on 2 cores)',
    );
  });

  it('when the load average is under the cores, it does not', () => {
    const quiet = { start: { ...machine.start, loadAverage: [0.9, 0.8, 0.8] } };

    expect(resultsMarkdown({ ...base, machine: quiet })).not.toContain('The machine was loaded');
  });
});

describe('resultsMarkdown: sections', () => {
  it('when a section was carried over from the committed results, it says so under its heading', () => {
    const markdown = resultsMarkdown({
      schema: 2,
      args: ['--only=warm'],
      quick: false,
      measured: ['warm'],
      carried: { cold: 'commit 1234567, 2026-01-01' },
      machine,
      cold,
    });

    expect(markdown).toMatch(
      /## Cold start[^\n]*\n\n_Not measured in this run: carried over from the committed results \(commit 1234567, 2026-01-01\)\._/,
    );
    expect(markdown).toContain('Produced by `npm run bench -- --only=warm`');
  });

  it("when another tool adds a renderer for its own section, that section is rendered after the harness's", () => {
    const markdown = resultsMarkdown(
      { schema: 2, args: [], quick: false, measured: [], carried: {}, machine, cold, queueing: { wait: 1.2 } },
      [
        ...SECTION_RENDERERS,
        {
          key: 'queueing',
          heading: () => 'Queueing',
          render: (r) => `wait ${(r.queueing as { wait: number }).wait} s`,
        },
      ],
    );

    expect(markdown).toMatch(/## Cold start[\s\S]*## Queueing\n\nwait 1\.2 s\n$/);
  });
});
