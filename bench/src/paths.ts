/** Where the bench finds bundles and its own build (where results go: src/output.ts). */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { HANDLERS, type HandlerName } from './fixtures';

export interface BenchPaths {
  readonly root: string;
  readonly build: string;
  readonly ours: (h: HandlerName) => string;
  readonly naive: (h: HandlerName) => string;
  readonly naiveUnbundled: (h: HandlerName) => string;
  readonly probes: string;
  readonly coldChild: string;
  readonly warmChild: string;
}

/**
 * Paths under the repo root. Our bundles are copied from dist/ into .bench-build/handlers/ first: other people
 * rebuild dist/ (rm -rf, then write) while the bench runs, and a measurement must not see a half-written file.
 */
export function benchPaths(root: string): BenchPaths {
  const build = path.join(root, '.bench-build');
  for (const h of HANDLERS) {
    const source = path.join(root, 'dist', h, 'index.js');
    if (!existsSync(source)) throw new Error(`${source} is missing: run \`npm run build\` first (npm run bench does).`);
    mkdirSync(path.join(build, 'handlers', h), { recursive: true });
    cpSync(path.join(root, 'dist', h), path.join(build, 'handlers', h), { recursive: true });
  }
  return {
    root,
    build,
    ours: (h) => path.join(build, 'handlers', h),
    naive: (h) => path.join(build, 'baselines', h),
    naiveUnbundled: (h) => path.join(build, 'baselines-unbundled', h),
    probes: path.join(build, 'probes'),
    coldChild: path.join(build, 'cold-child.js'),
    warmChild: path.join(build, 'warm-child.js'),
  };
}
