// Bundles each Lambda handler into dist/<name>/index.js with esbuild (minified, CommonJS, node20 target so the
// same file runs on local Node 20 and on Lambda nodejs22.x). Source maps only with --sourcemap.
import { build } from 'esbuild';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const handlers = ['inbound', 'agent', 'events', 'participants'];
const sourcemap = process.argv.includes('--sourcemap');
const quiet = process.argv.includes('--quiet');

await rm(path.join(root, 'dist'), { recursive: true, force: true });
await Promise.all(
  handlers.map((name) =>
    build({
      entryPoints: [path.join(root, 'lambdas', name, 'index.ts')],
      outfile: path.join(root, 'dist', name, 'index.js'),
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: sourcemap ? 'linked' : false,
      legalComments: 'none',
      logLevel: 'warning',
    }),
  ),
);
if (!quiet) {
  for (const name of handlers) {
    const { size } = await stat(path.join(root, 'dist', name, 'index.js'));
    console.log(`dist/${name}/index.js  ${(size / 1024).toFixed(1)} KiB`);
  }
}
