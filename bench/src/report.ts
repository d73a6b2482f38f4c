/**
 * results.json and RESULTS.md: the results' shape, and the Markdown the run prints to the terminal and writes
 * beside them. Sections render independently (SECTION_RENDERERS), so another tool's section can add its own.
 */
import { writeFileSync } from 'node:fs';
import { EXTRA_FLOOR, PROBES, RATIO_FLOOR, type ColdResults } from './cold';
import { HANDLERS, type HandlerName } from './fixtures';
import type { MachineState } from './machine';
import { estimateCell, ms, percent, table, times, us, verdictCell } from './markdown';
import type { Section } from './options';
import type { SandboxResults } from './sandbox';
import { sandboxMarkdown } from './sandbox-report';
import type { CapacityResults } from './capacity';
import { modelMarkdown } from './model/markdown';
import type { ModelResults } from './model/plan';
import type { SizeResults } from './size';
import { ROUND_TRIP_FLOOR, type WarmHandlerResult } from './warm';

/** Bumped when a section's shape changes: sections of another schema are not carried over into a new run. */
export const SCHEMA = 2;

export interface BenchResults {
  schema: typeof SCHEMA;
  /** The arguments of `npm run bench`. */
  args: string[];
  quick: boolean;
  /** Sections measured in this run. */
  measured: Section[];
  /** results.json keys of sections taken from the committed results -> the commit and time they were measured. */
  carried: Record<string, string>;
  machine: { start: MachineState; end?: MachineState };
  sizes?: SizeResults;
  cold?: ColdResults;
  warm?: Record<HandlerName, WarmHandlerResult>;
  sandbox?: SandboxResults;
  /** Bursts through the sandbox at each calls-per-second rate (src/capacity.ts). */
  capacity?: CapacityResults;
  /** The latency model of a real call, with its inputs and their sources (src/model/). */
  model?: ModelResults;
  /** Sections other tools add (e.g. a latency model); carried through untouched. */
  [other: string]: unknown;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

function sizesMarkdown(s: SizeResults): string {
  return table(
    ['Handler', 'Bundle (min.)', 'Zip', 'Naive, bundled: bundle / zip', 'Naive + node_modules: zip (files)'],
    HANDLERS.map((h) => [
      h,
      `${kib(s.ours[h].bundleBytes)} KiB`,
      `${kib(s.ours[h].zipBytes)} KiB`,
      `${kib(s.naiveBundled[h].bundleBytes)} / ${kib(s.naiveBundled[h].zipBytes)} KiB`,
      `${kib(s.naiveWithNodeModules[h].zipBytes)} KiB (${s.naiveWithNodeModules[h].files})`,
    ]),
  );
}

function coldMarkdown(c: ColdResults): string {
  const v = c.variants;
  const main = table(
    [
      'Handler',
      'Ours / empty process',
      "Ours' extra / naive bundled's extra",
      "Ours' extra / naive + node_modules' extra",
      'Target',
      'Verdict',
    ],
    HANDLERS.map((h) => {
      const verdict = c.verdicts[h];
      return [
        h,
        estimateCell(verdict.ratioToFloor, times, RATIO_FLOOR),
        estimateCell(verdict.shareOfNaiveExtra, percent, EXTRA_FLOOR),
        estimateCell(verdict.shareOfNaiveUnbundledExtra, percent, EXTRA_FLOOR),
        verdict.target.text,
        verdictCell(verdict.verdict),
      ];
    }),
  );
  const floor = v.floor.wallMedian.value;
  const belowEmpty = { min: floor, text: `the empty process's ${ms(floor)}` };
  const processes = table(
    ['Process', 'Spawn to response: median', 'p99', 'Node boot', 'Module load', 'First invocation', 'Peak RSS'],
    ['floor', ...HANDLERS.flatMap((h) => [`ours:${h}`, `naive:${h}`, `naive-unbundled:${h}`])].map((id) => [
      id === 'floor' ? 'empty process' : id,
      estimateCell(v[id].wallMedian, ms, id === 'floor' ? undefined : belowEmpty),
      ms(v[id].wallMs.p99),
      ms(v[id].bootMs.median),
      id === 'floor' ? '' : ms(v[id].loadMs.median),
      id === 'floor' ? '' : ms(v[id].invokeMs.median),
      `${v[id].maxRssMiB.median.toFixed(1)} MiB`,
    ]),
  );
  const probes = table(
    ['Piece (bundled alone)', 'Module load (median)'],
    PROBES.filter((p) => v[`probe:${p}`]).map((p) => [p, ms(v[`probe:${p}`].loadMs.median)]),
  );
  return [
    `Each round starts every process once, in a shuffled order. A ratio is the median over the ${c.rounds} rounds of the round's own ratio (ours / empty, or ours' extra over the empty process / the naive handler's), so both sides of each ratio ran under the same load; it is not the quotient of the medians in the second table.`,
    '',
    main,
    '',
    'Every process over the same rounds (median with its interval; the in-process breakdown and the peak RSS are medians):',
    '',
    processes,
    '',
    "What a handler's module load is made of: each piece loaded alone in a fresh process in the same rounds. Pieces overlap (twilio's webhook validator and node:https both load node:crypto), so they do not add up.",
    '',
    probes,
  ].join('\n');
}

function warmMarkdown(w: Record<HandlerName, WarmHandlerResult>): string {
  const rows = HANDLERS.map((h) => {
    const r = w[h];
    return [
      h,
      r.kind,
      `${us(r.variants.ours.median)} / ${estimateCell(r.oursP99, us)}`,
      `${us(r.variants.naive.median)} / ${us(r.variants.naive.p99)}`,
      estimateCell(r.ratioToNaive, times),
      r.variants['stub-roundtrip'] ? us(r.variants['stub-roundtrip'].median) : '',
      r.oursMinusRoundTripMs ? estimateCell(r.oursMinusRoundTripMs, us, ROUND_TRIP_FLOOR) : '',
      r.target?.text ?? '(reported)',
      verdictCell(r.verdict),
    ];
  });
  return [
    'One process per handler calls ours and the naive handler alternately (REST handlers also a bare POST to the stub), the same signed events for both. Ratios and differences are medians over the iterations of the per-iteration values.',
    '',
    table(
      [
        'Handler',
        'Kind',
        'Ours: median / p99',
        'Naive: median / p99',
        'Ours / naive, per call',
        'Stub round trip (median)',
        'Ours − stub round trip, per call',
        'Target',
        'Verdict',
      ],
      rows,
    ),
  ].join('\n');
}

function machineLine(m: BenchResults['machine']): string {
  const end = m.end ? `, at end ${m.end.loadAverage.join(' / ')}` : '';
  return `Node ${m.start.node} on ${m.start.platform}, ${m.start.cpus} × ${m.start.cpuModel}, load average at start ${m.start.loadAverage.join(' / ')}${end} (1/5/15 min); commit ${m.start.gitCommit}, ${m.start.at}.`;
}

/** One section of RESULTS.md: the results.json key it renders, its heading and its body. */
export interface SectionRenderer {
  readonly key: string;
  readonly heading: (r: BenchResults) => string;
  readonly render: (r: BenchResults) => string;
}

/** The harness's own sections, in report order. Another tool's section renders after these when added. */
export const SECTION_RENDERERS: readonly SectionRenderer[] = [
  { key: 'sizes', heading: () => 'Bundle and archive size', render: (r) => sizesMarkdown(r.sizes!) },
  {
    key: 'cold',
    heading: (r) => `Cold start (spawn to first response, ${r.cold!.rounds} interleaved rounds)`,
    render: (r) => coldMarkdown(r.cold!),
  },
  {
    key: 'warm',
    heading: () => 'Warm latency (in-process, signature check included; REST handlers against the local stub)',
    render: (r) => warmMarkdown(r.warm!),
  },
  { key: 'sandbox', heading: () => 'Sandbox: time to agent, load, memory', render: (r) => sandboxMarkdown(r.sandbox!) },
  {
    key: 'model',
    heading: () => 'A real call: latency model, function layout, capacity',
    render: (r) => modelMarkdown(r.model!, r.capacity),
  },
];

const METHOD = [
  'Absolute times come from a shared machine and are noisy; the figures to compare are ratios of interleaved runs.',
  'Every ratio, share and target figure is shown as `median [95 % interval]`: the interval is distribution-free (two order statistics of the per-round or per-call values, chosen by the binomial distribution), `n/a` where too few samples allow that bound.',
  'A verdict is `holds` or `missed` only when the whole interval lies on one side of the target, otherwise `within noise`; a figure below its physical floor (a bundle faster than an empty process) is a `method error`, not a result.',
];

/** The Markdown of RESULTS.md, also printed to the terminal at the end of every run. */
export function resultsMarkdown(r: BenchResults, renderers: readonly SectionRenderer[] = SECTION_RENDERERS): string {
  const command = ['npm run bench', ...(r.args.length > 0 ? ['--', ...r.args] : [])].join(' ');
  const parts = [
    '# Benchmark results',
    '',
    `Produced by \`${command}\` (method: [bench/README.md](README.md)). ${machineLine(r.machine)}`,
    ...METHOD,
  ];
  const load = r.machine.start.loadAverage[0];
  if (load > r.machine.start.cpus)
    parts.push(
      `The machine was loaded (1-minute load average ${load} on ${r.machine.start.cpus} cores): absolute figures and targets (warm p99, time to agent) measure the machine as much as the code, and their verdicts do not carry over to a quiet run; ratios of interleaved runs do, within their intervals.`,
    );
  if (r.quick) parts.push('', '**Quick pass**: few rounds and calls, so wide intervals; a smoke test, not a result.');
  for (const renderer of renderers) {
    if (r[renderer.key] === undefined) continue;
    const from = r.carried[renderer.key];
    parts.push('', `## ${renderer.heading(r)}`, '');
    if (from) parts.push(`_Not measured in this run: carried over from the committed results (${from})._`, '');
    parts.push(renderer.render(r));
  }
  return `${parts.join('\n')}\n`;
}

/** Writes both result files. */
export function writeReports(files: { resultsJson: string; resultsMd: string }, results: BenchResults): string {
  const markdown = resultsMarkdown(results);
  writeFileSync(files.resultsJson, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.resultsMd, markdown);
  return markdown;
}
