// `npm run bench`: bundles the bench (TypeScript) and the naive baselines with esbuild into .bench-build/, then
// runs it. ts-node is not a dependency; esbuild already is. Arguments pass through (--quick, --only=...).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.bench-build');
const handlers = ['inbound', 'agent', 'events', 'participants'];
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'error',
  legalComments: 'none',
};

/** What the TwiML handlers' module load is made of, one piece per probe bundle. */
const probes = {
  'node-crypto': "require('node:crypto')",
  'node-https': "require('node:https')",
  'twilio-webhooks': "require('twilio/lib/webhooks/webhooks')",
  'twilio-voiceresponse': "require('twilio/lib/twiml/VoiceResponse')",
};

const sandboxEntry = ['sandbox/index.ts', 'sandbox/src/index.ts']
  .map((p) => path.join(root, p))
  .find((p) => existsSync(p));

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await Promise.all([
  // The harness: local sources inlined, npm packages required from node_modules at run time.
  ...['main', 'warm-child', 'sandbox-child'].map((name) =>
    build({
      ...node,
      entryPoints: [path.join(root, 'bench', 'src', `${name}.ts`)],
      outfile: path.join(out, `${name}.js`),
      packages: 'external',
    }),
  ),
  // The cold-start child imports node builtins only, so the floor is a bare Node process.
  build({
    ...node,
    entryPoints: [path.join(root, 'bench', 'src', 'cold-child.ts')],
    outfile: path.join(out, 'cold-child.js'),
  }),
  // Naive baselines, bundled exactly as scripts/build.mjs bundles our handlers (the whole SDK gets inlined) ...
  ...handlers.map((h) =>
    build({
      ...node,
      minify: true,
      entryPoints: [path.join(root, 'bench', 'baselines', `naive-${h}.ts`)],
      outfile: path.join(out, 'baselines', h, 'index.js'),
    }),
  ),
  // ... and shipped the common way: own code minified, `twilio` required from node_modules.
  ...handlers.map((h) =>
    build({
      ...node,
      minify: true,
      packages: 'external',
      entryPoints: [path.join(root, 'bench', 'baselines', `naive-${h}.ts`)],
      outfile: path.join(out, 'baselines-unbundled', h, 'index.js'),
    }),
  ),
  // The sandbox's programmatic entry, when the sandbox is in this checkout; src/sandbox-adapter.ts loads it.
  ...(sandboxEntry
    ? [build({ ...node, entryPoints: [sandboxEntry], outfile: path.join(out, 'sandbox.js'), packages: 'external' })]
    : []),
  // Load-cost probes: each piece the TwiML handlers load, bundled alone the same way (see src/cold.ts).
  ...Object.entries(probes).map(([name, source]) =>
    build({
      ...node,
      minify: true,
      stdin: { contents: source, resolveDir: root, loader: 'js' },
      outfile: path.join(out, 'probes', name, 'index.js'),
    }),
  ),
]);
const result = spawnSync(process.execPath, ['--expose-gc', path.join(out, 'main.js'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
