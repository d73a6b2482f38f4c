/**
 * `npm run bench`: measures bundle sizes, cold starts, warm latency and (when the sandbox is present) time to
 * agent and load, each against baselines run side by side, and writes bench/results.json and bench/RESULTS.md.
 * It reports; it never fails on a missed target (exit code 0 unless the harness itself breaks).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { measureColdStarts } from './cold';
import { benchEnv } from './fixtures';
import { machineState } from './machine';
import { parseOptions } from './options';
import { benchPaths } from './paths';
import { writeReports, type BenchResults } from './report';
import { measureSandbox } from './sandbox';
import { measureSizes } from './size';
import { startBenchStub } from './stub';
import { measureWarm } from './warm';

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = path.resolve(__dirname, '..');
  const paths = benchPaths(root);
  // With --only, keep the other sections of the last full results so RESULTS.md stays complete.
  const previous: Partial<BenchResults> =
    options.sections.length < 4 && existsSync(paths.resultsJson)
      ? JSON.parse(readFileSync(paths.resultsJson, 'utf8'))
      : {};
  const results: BenchResults = {
    ...previous,
    schema: 1,
    quick: options.quick,
    machine: { start: machineState(root) },
  } as BenchResults;

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
  } finally {
    await stub.stop();
  }
  results.machine.end = machineState(root);
  writeReports(paths, results);
  log(`wrote ${path.relative(root, paths.resultsJson)} and ${path.relative(root, paths.resultsMd)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
