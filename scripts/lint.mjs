// `npm run lint`: `biome ci` over the repository (or the paths given). Biome colours its report even into a pipe
// or a file, so colours are off unless the output is a terminal (scripts/colour.cjs).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { wantsColour } = require('./colour.cjs');
const biome = require.resolve('@biomejs/biome/bin/biome');
const paths = process.argv.slice(2);
const colours = wantsColour([process.stdout.isTTY, process.stderr.isTTY], process.env) ? [] : ['--colors=off'];
const { status, error } = spawnSync(process.execPath, [biome, 'ci', ...colours, ...(paths.length ? paths : ['.'])], {
  stdio: 'inherit',
});
if (error) throw error;
process.exit(status ?? 1);
