/** Writes bench/results.json (everything, raw cold samples included) and bench/RESULTS.md (the tables). */
import { writeFileSync } from 'node:fs';
import { PROBES, type ColdResults } from './cold';
import { HANDLERS } from './fixtures';
import type { MachineState } from './machine';
import type { BenchPaths } from './paths';
import type { SandboxResults } from './sandbox';
import type { SizeResults } from './size';
import type { WarmHandlerResult } from './warm';
import type { HandlerName } from './fixtures';
import { sandboxMarkdown } from './sandbox-report';

export interface BenchResults {
  schema: 1;
  quick: boolean;
  machine: { start: MachineState; end?: MachineState };
  sizes?: SizeResults;
  cold?: ColdResults;
  warm?: Record<HandlerName, WarmHandlerResult>;
  sandbox?: SandboxResults;
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number, digits = 1) => value.toFixed(digits);
const yes = (holds: boolean | undefined) => (holds === undefined ? '' : holds ? 'holds' : '**missed**');

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

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
  const floor = v.floor.wallMs;
  const main = table(
    [
      'Handler',
      'Ours: median / p99',
      'Empty process',
      'Naive bundled',
      'Naive + node_modules',
      'Ours / empty',
      'Ours extra / naive extra',
      'Target',
      '',
    ],
    HANDLERS.map((h) => {
      const verdict = c.verdicts[h];
      return [
        h,
        `${ms(v[`ours:${h}`].wallMs.median)} / ${ms(v[`ours:${h}`].wallMs.p99)} ms`,
        `${ms(floor.median)} ms`,
        `${ms(v[`naive:${h}`].wallMs.median)} ms`,
        `${ms(v[`naive-unbundled:${h}`].wallMs.median)} ms`,
        `${verdict.ratioToFloor.toFixed(2)}x`,
        `${(verdict.shareOfNaiveExtra * 100).toFixed(0)} % (unbundled: ${(verdict.shareOfNaiveUnbundledExtra * 100).toFixed(0)} %)`,
        verdict.target,
        yes(verdict.holds),
      ];
    }),
  );
  const breakdown = table(
    ['Process', 'Node boot', 'Module load', 'First invocation', 'Peak RSS'],
    ['floor', ...HANDLERS.flatMap((h) => [`ours:${h}`, `naive:${h}`, `naive-unbundled:${h}`])].map((id) => [
      id === 'floor' ? 'empty process' : id,
      `${ms(v[id].bootMs.median)} ms`,
      id === 'floor' ? '' : `${ms(v[id].loadMs.median)} ms`,
      id === 'floor' ? '' : `${ms(v[id].invokeMs.median)} ms`,
      `${ms(v[id].maxRssMiB.median)} MiB`,
    ]),
  );
  const probes = table(
    ['Piece (bundled alone)', 'Module load (median)'],
    PROBES.filter((p) => v[`probe:${p}`]).map((p) => [p, `${ms(v[`probe:${p}`].loadMs.median)} ms`]),
  );
  return `${main}\n\nIn-process breakdown (medians) and peak RSS of each cold process:\n\n${breakdown}\n\nWhat a handler's module load is made of: each piece loaded alone in a fresh process in the same rounds. Pieces overlap (twilio's webhook validator and node:https both load node:crypto), so they do not add up.\n\n${probes}`;
}

function warmMarkdown(w: Record<HandlerName, WarmHandlerResult>): string {
  return table(
    [
      'Handler',
      'Kind',
      'Ours: median / p99',
      'Naive: median / p99',
      'Ours / naive',
      'Stub round trip (median)',
      'Target',
      '',
    ],
    HANDLERS.map((h) => {
      const r = w[h];
      const us = (x: number) => `${(x * 1000).toFixed(0)} µs`;
      return [
        h,
        r.kind,
        `${us(r.variants.ours.median)} / ${us(r.variants.ours.p99)}`,
        `${us(r.variants.naive.median)} / ${us(r.variants.naive.p99)}`,
        `${r.ratioToNaive.toFixed(2)}x`,
        r.variants['stub-roundtrip'] ? us(r.variants['stub-roundtrip'].median) : '',
        r.target ?? '(reported)',
        yes(r.holds),
      ];
    }),
  );
}

function machineLine(m: BenchResults['machine']): string {
  const end = m.end ? `, at end ${m.end.loadAverage.join(' / ')}` : '';
  return `Node ${m.start.node} on ${m.start.platform}, ${m.start.cpus} × ${m.start.cpuModel}, load average at start ${m.start.loadAverage.join(' / ')}${end} (1/5/15 min); commit ${m.start.gitCommit}, ${m.start.at}.`;
}

/** The Markdown the README links to. */
export function resultsMarkdown(r: BenchResults): string {
  const parts = [
    '# Benchmark results',
    '',
    `Produced by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (method: [bench/README.md](README.md)). ${machineLine(r.machine)}`,
    'Absolute times come from a shared machine and are noisy; ratios come from interleaved runs and are the figures to compare.',
  ];
  if (r.sizes) parts.push('', '## Bundle and archive size', '', sizesMarkdown(r.sizes));
  if (r.cold)
    parts.push(
      '',
      `## Cold start (spawn to first response, ${r.cold.rounds} interleaved rounds)`,
      '',
      coldMarkdown(r.cold),
    );
  if (r.warm)
    parts.push(
      '',
      '## Warm latency (in-process, signature check included; REST handlers against the local stub)',
      '',
      warmMarkdown(r.warm),
    );
  if (r.sandbox) parts.push('', '## Sandbox: time to agent, load, memory', '', sandboxMarkdown(r.sandbox));
  return `${parts.join('\n')}\n`;
}

/** Writes both result files. */
export function writeReports(paths: BenchPaths, results: BenchResults): void {
  writeFileSync(paths.resultsJson, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(paths.resultsMd, resultsMarkdown(results));
}
