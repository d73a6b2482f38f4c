/** Items 4, 5 and 6 (sandbox): time to agent, load, sandbox memory. Needs the sandbox's programmatic API. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BenchOptions } from './options';
import type { BenchPaths } from './paths';

export type SandboxResults = { readonly available: false; readonly reason: string };

/** Measures the sandbox scenarios, or says why it cannot. */
export async function measureSandbox(paths: BenchPaths, _options: BenchOptions, log: (m: string) => void): Promise<SandboxResults> {
  if (!existsSync(path.join(paths.root, 'sandbox'))) {
    log('  sandbox not available: skipped');
    return { available: false, reason: 'sandbox/ is not in this checkout' };
  }
  return { available: false, reason: 'sandbox/ has no programmatic API the bench knows' };
}
