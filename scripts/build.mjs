// Bundles each Lambda handler into dist/<name>/index.js with esbuild (minified, CommonJS, node20 target so the
// same file runs on local Node 20 and on Lambda nodejs22.x). Source maps only with --sourcemap.
// Each file is replaced atomically (written beside, then renamed) and nothing is deleted first, so a sandbox or
// test that is loading a bundle while `npm start` rebuilds reads either the old file or the new one.
import { build } from 'esbuild';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const handlers = ['inbound', 'agent', 'events', 'participants'];
const sourcemap = process.argv.includes('--sourcemap');
const quiet = process.argv.includes('--quiet');

const outputs = await Promise.all(
  handlers.map((name) =>
    build({
      entryPoints: [path.join(root, 'lambdas', name, 'index.ts')],
      outfile: path.join(dist, name, 'index.js'),
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: sourcemap ? 'linked' : false,
      legalComments: 'none',
      logLevel: 'warning',
      write: false,
    }),
  ),
);
const written = new Set();
for (const { outputFiles } of outputs) {
  for (const file of outputFiles) {
    await mkdir(path.dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    await writeFile(partial, file.contents);
    await rename(partial, file.path);
    written.add(file.path);
  }
}
// Whatever an earlier build left that this one did not write (a removed handler, maps of a --sourcemap build).
for (const entry of await readdir(dist, { recursive: true, withFileTypes: true })) {
  const full = path.join(entry.parentPath ?? entry.path, entry.name);
  if (entry.isFile() && !written.has(full) && !entry.name.endsWith('.partial')) await rm(full, { force: true });
}
for (const entry of await readdir(dist, { withFileTypes: true })) {
  if (!handlers.includes(entry.name)) await rm(path.join(dist, entry.name), { recursive: true, force: true });
}
if (!quiet) {
  for (const name of handlers) {
    const { size } = await stat(path.join(dist, name, 'index.js'));
    console.log(`dist/${name}/index.js  ${(size / 1024).toFixed(1)} KiB`);
  }
}
