// Writes Pulumi.yaml's config schema from infra/config-schema.ts (the one table of config keys):
// `node scripts/pulumi-yaml.mjs`. test/infra/stack-files.test.ts fails when the two differ.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(await mkdtemp(path.join(os.tmpdir(), 'schema-')), 'schema.js');
await build({ entryPoints: [path.join(root, 'infra', 'config-schema.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
const { projectConfigSchema } = createRequire(import.meta.url)(outfile);
const file = path.join(root, 'Pulumi.yaml');
const doc = YAML.parseDocument(await readFile(file, 'utf8'));
doc.set('config', projectConfigSchema());
await writeFile(file, doc.toString({ lineWidth: 0 }));
console.log('Pulumi.yaml config schema written');
