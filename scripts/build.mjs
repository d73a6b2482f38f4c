// Bundles each Lambda handler into dist/<name>/index.js with esbuild (minified, CommonJS, node20 target so the
// same file runs on local Node 20 and on Lambda nodejs22.x), for the split function layout, and the combined
// layout's function into dist/twilio/: its dispatcher (index.js) beside one bundle per Twilio-facing handler
// (<handler>.js), which the dispatcher requires only when one of that handler's routes arrives, and the scheduled
// canary (lambdas/canary, served by no route) into dist/canary/. Source maps only with --sourcemap.
// Each file is replaced atomically (written beside, then renamed) and nothing is deleted first, so a sandbox or
// test that is loading a bundle while `npm start` rebuilds reads either the old file or the new one.
import { build } from 'esbuild';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const handlers = ['inbound', 'agent', 'events', 'participants'];
// The combined function (infra/layout.ts, lambdas/twilio/index.ts): its folder and the handlers it serves.
const combined = { folder: 'twilio', handlers: ['inbound', 'agent', 'events'] };
// Functions outside the route table (infra/canary-plan.ts).
const standalone = ['canary'];
const sourcemap = process.argv.includes('--sourcemap');
const quiet = process.argv.includes('--quiet');

const bundle = (entry, outfile, plugins = []) =>
  build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: sourcemap ? 'linked' : false,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    plugins,
  });
// The dispatcher's `require('./<handler>.js')` stays a run-time require of the bundle beside it.
const siblingHandlers = {
  name: 'sibling-handlers',
  setup(b) {
    const sibling = new RegExp(`^\\./(${combined.handlers.join('|')})\\.js$`);
    b.onResolve({ filter: sibling }, (args) => ({ path: args.path, external: true }));
  },
};
const source = (name) => path.join(root, 'lambdas', name, 'index.ts');

const outputs = await Promise.all([
  ...[...handlers, ...standalone].map((name) => bundle(source(name), path.join(dist, name, 'index.js'))),
  bundle(source(combined.folder), path.join(dist, combined.folder, 'index.js'), [siblingHandlers]),
  ...combined.handlers.map((name) => bundle(source(name), path.join(dist, combined.folder, `${name}.js`))),
]);
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
const folders = [...handlers, ...standalone, combined.folder];
for (const entry of await readdir(dist, { withFileTypes: true })) {
  if (!folders.includes(entry.name)) await rm(path.join(dist, entry.name), { recursive: true, force: true });
}
if (!quiet) {
  const files = [
    ...[...handlers, ...standalone].map((name) => `${name}/index.js`),
    ...['index', ...combined.handlers].map((name) => `${combined.folder}/${name}.js`),
  ];
  for (const file of files) {
    const { size } = await stat(path.join(dist, file));
    console.log(`dist/${file}  ${(size / 1024).toFixed(1)} KiB`);
  }
}
