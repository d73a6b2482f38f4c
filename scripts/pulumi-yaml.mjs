// Writes Pulumi.yaml's config schema, its `template:` section (what `pulumi new` asks for) and infra/README.md's
// config reference from infra/config-schema.ts (the one table of config keys):
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
await build({
  entryPoints: [path.join(root, 'infra', 'config-schema.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile,
  logLevel: 'error',
});
const { projectConfigSchema, projectTemplate, configReferenceMarkdown } = createRequire(import.meta.url)(outfile);
const file = path.join(root, 'Pulumi.yaml');
const doc = YAML.parseDocument(await readFile(file, 'utf8'));
doc.set('config', projectConfigSchema());
doc.set('template', projectTemplate());
await writeFile(file, doc.toString({ lineWidth: 0 }));
console.log('Pulumi.yaml config schema and template written');

// The config reference table of infra/README.md, between its markers.
const readme = path.join(root, 'infra', 'README.md');
const text = await readFile(readme, 'utf8');
const start = '<!-- config-reference:start -->';
const end = '<!-- config-reference:end -->';
const from = text.indexOf(start);
const to = text.indexOf(end);
if (from === -1 || to === -1) throw new Error('infra/README.md has no config-reference markers');
await writeFile(readme, `${text.slice(0, from + start.length)}\n${configReferenceMarkdown()}\n${text.slice(to)}`);
console.log('infra/README.md config reference written');
