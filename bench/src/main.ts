/**
 * `npm run bench`: measures bundle sizes, cold starts, warm latency and (when the sandbox is present) time to
 * agent, load and Twilio-queue bursts, each against baselines run side by side, runs the latency model of a real
 * call on those figures, prints the tables and writes them with every figure:
 * a full run to bench/results.json and bench/RESULTS.md, a quick or partial one to a git-ignored folder
 * (src/output.ts). It reports; it never fails on a missed target (exit code 0 unless the harness itself breaks).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { measureColdStarts } from './cold';
import { benchEnv } from './fixtures';
import { machineState } from './machine';
import { measureCapacity } from './capacity';
import { measuredInputs } from './model/measured';
import { runModel } from './model/plan';
import { parseOptions } from './options';
import { benchPaths } from './paths';
import { carryOver, COMMITTED_DIR, outputPlan } from './output';
import { SCHEMA, writeReports, type BenchResults } from './report';
import { measureSandbox } from './sandbox';
import { measureSizes } from './size';
import { startBenchStub } from './stub';
import { measureWarm } from './warm';

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options = parseOptions(args);
  const root = path.resolve(__dirname, '..');
  const output = outputPlan(options, root);
  const paths = benchPaths(root);
  // The committed results are only read here; sections not measured now and other tools' sections come from them.
  const committedJson = path.join(root, COMMITTED_DIR, 'results.json');
  const previous = existsSync(committedJson) ? JSON.parse(readFileSync(committedJson, 'utf8')) : undefined;
  const { entries, carried } = carryOver(previous, options.sections, SCHEMA);
  const results: BenchResults = {
    ...entries,
    schema: SCHEMA,
    args,
    quick: options.quick,
    measured: [...options.sections],
    carried,
    machine: { start: machineState(root) },
  };

  const stub = await startBenchStub();
  // A Lambda's environment is small and fixed; children get exactly this, plus PATH.
  const env = { PATH: process.env.PATH ?? '', ...benchEnv(stub.baseUrl) };
  try {
    if (options.sections.includes('size')) {
      log('sizes');
      results.sizes = await measureSizes(root, paths);
    }
    if (options.sections.includes('cold')) {
      log(`cold starts: ${options.coldRounds} rounds (+${options.coldWarmupRounds} warm-up) x 17 processes`);
      results.cold = await measureColdStarts(
        { ...paths, childScript: paths.coldChild, workDir: paths.build },
        env,
        options.coldRounds,
        options.coldWarmupRounds,
        (i) => {
          if ((i + 1) % 5 === 0) log(`  round ${i + 1}`);
        },
      );
    }
    if (options.sections.includes('warm')) {
      log('warm latency');
      results.warm = await measureWarm({ ...paths, childScript: paths.warmChild }, env, {
        twimlIterations: options.warmTwimlIterations,
        restIterations: options.warmRestIterations,
        warmup: options.warmWarmup,
      });
    }
    if (options.sections.includes('sandbox')) {
      log('sandbox: time to agent and load');
      results.sandbox = await measureSandbox(paths, options, log, results.warm);
    }
    if (options.sections.includes('capacity')) {
      log('capacity: bursts through the sandbox at each calls-per-second rate');
      results.capacity = await measureCapacity(paths, options.quick, log);
    }
    if (options.sections.includes('model')) {
      log('latency model of a real call (measured inputs from this run, or carried from the committed one)');
      results.model = runModel(measuredInputs(results));
    }
  } finally {
    await stub.stop();
  }
  results.machine.end = machineState(root);
  mkdirSync(path.dirname(output.resultsJson), { recursive: true });
  const markdown = writeReports(output, results);
  process.stdout.write(`\n${markdown}\n`);
  log(
    `wrote ${path.relative(root, output.resultsJson)} and ${path.relative(root, output.resultsMd)} (${output.reason})`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
