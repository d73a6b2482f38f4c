// `npm start`: builds the handler bundles (dist/, skipped for --help), bundles the sandbox (TypeScript) with
// esbuild into .sandbox/cli.js (npm packages stay in node_modules) and runs it in this process, so the signals
// npm forwards (Ctrl-C, SIGTERM) reach the sandbox itself. Arguments pass through (--serve, --help, ...).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (!args.includes('--help') && !args.includes('-h')) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
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
process.chdir(root);
createRequire(import.meta.url)(outfile);
