// `npm start`: bundles the sandbox (TypeScript) with esbuild into .sandbox/ (npm packages stay in node_modules)
// and runs it; the handler bundles in dist/ are built first by the npm script. Arguments pass through (--serve).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, '.sandbox', 'cli.js');
await build({
  entryPoints: [path.join(root, 'sandbox', 'cli.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'error',
});
const result = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
