// `node scripts/stacks.mjs [dir]`: the Pulumi stacks of a project directory (default: this repository) and their
// release waves, read from its Pulumi.<stack>.yaml files. The workflows build their preview matrix and deploy
// chain from it, so a stack file is all a new stack needs. A stack file may set `<project>:releaseStage` to
// `pre-production` (the default) or `production`; production stacks deploy after every pre-production stack.
// Every pre-production stack is verified after its update (the acceptance call: production waits for it); a
// production stack only when it sets `<project>:verifyAfterDeploy` to true.
// Writes `all`, `preProduction`, `production` and `verify` (JSON lists sorted by name) to $GITHUB_OUTPUT when it
// is set, else prints them as one JSON object. Exits 1, naming the file, on anything it cannot read.
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const RELEASE_STAGES = ['pre-production', 'production'];
const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;
// Pulumi's rule for stack names. The name also becomes a GitHub environment and a concurrency group.
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** A stack file, or the project file, that does not say what it must. */
export class StackFileError extends Error {}

function parse(file, text) {
  try {
    return YAML.parse(text);
  } catch (error) {
    // The parser's first line has the position; the lines after it quote the file.
    throw new StackFileError(`${file}: not valid YAML: ${String(error.message).split('\n')[0]}`);
  }
}

function describe(value) {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

// What `pulumi config set verifyAfterDeploy false` writes (a string) and what a hand-written file may hold.
const BOOLEANS = new Map([
  [true, true],
  [false, false],
  ['true', true],
  ['false', false],
]);

/**
 * The stacks of `files` (each a stack file's name and text) in release waves, each list sorted by name, and the
 * stacks the deploy verifies after their update. `project` is the name in Pulumi.yaml, the namespace of the
 * stack files' config keys. Pure.
 * @param {string} project
 * @param {{ file: string, text: string }[]} files
 * @returns {{ all: string[], preProduction: string[], production: string[], verify: string[] }}
 */
export function releaseWaves(project, files) {
  const key = `${project}:releaseStage`;
  const verifyKey = `${project}:verifyAfterDeploy`;
  const stages = new Map();
  const verified = new Set();
  for (const { file, text } of files) {
    const stack = STACK_FILE.exec(file)?.[1];
    if (stack === undefined) continue;
    if (!STACK_NAME.test(stack))
      throw new StackFileError(`${file}: stack name "${stack}" may only hold letters, digits, "-", "_" and "."`);
    const doc = parse(file, text) ?? {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new StackFileError(`${file}: is not a mapping`);
    const config = doc.config ?? {};
    if (typeof config !== 'object' || Array.isArray(config))
      throw new StackFileError(`${file}: config is not a mapping`);
    const stage = config[key] ?? 'pre-production';
    if (!RELEASE_STAGES.includes(stage))
      throw new StackFileError(`${file}: ${key} is ${describe(stage)}; expected one of: ${RELEASE_STAGES.join(', ')}`);
    const asked = BOOLEANS.get(config[verifyKey] ?? false);
    if (asked === undefined)
      throw new StackFileError(`${file}: ${verifyKey} is ${describe(config[verifyKey])}; expected true or false`);
    const verify = stage === 'pre-production' || asked;
    stages.set(stack, stage);
    if (verify) verified.add(stack);
  }
  const all = [...stages.keys()].sort();
  return {
    all,
    preProduction: all.filter((s) => stages.get(s) === 'pre-production'),
    production: all.filter((s) => stages.get(s) === 'production'),
    verify: all.filter((s) => verified.has(s)),
  };
}

/** The release waves of the stack files in `dir`. */
export function readReleaseWaves(dir) {
  const projectFile = path.join(dir, 'Pulumi.yaml');
  let projectText;
  try {
    projectText = readFileSync(projectFile, 'utf8');
  } catch {
    throw new StackFileError(`${projectFile}: cannot be read (the project file names the config namespace)`);
  }
  const project = parse('Pulumi.yaml', projectText)?.name;
  if (typeof project !== 'string' || project === '') throw new StackFileError('Pulumi.yaml: has no project name');
  const files = readdirSync(dir)
    .filter((file) => STACK_FILE.test(file))
    .map((file) => ({ file, text: readFileSync(path.join(dir, file), 'utf8') }));
  return releaseWaves(project, files);
}

function main() {
  const dir = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  let waves;
  try {
    waves = readReleaseWaves(dir);
  } catch (error) {
    if (!(error instanceof StackFileError)) throw error;
    console.error(`stacks: ${error.message}`);
    process.exit(1);
  }
  const output = process.env.GITHUB_OUTPUT;
  if (!output) {
    console.log(JSON.stringify(waves));
    return;
  }
  appendFileSync(
    output,
    Object.entries(waves)
      .map(([name, list]) => `${name}=${JSON.stringify(list)}\n`)
      .join(''),
  );
  for (const stack of waves.all)
    console.log(
      `${stack}: ${waves.production.includes(stack) ? 'production' : 'pre-production'}${waves.verify.includes(stack) ? ', acceptance call after its update' : ''}`,
    );
  if (waves.all.length === 0) console.log('no Pulumi.<stack>.yaml files: nothing to preview or deploy');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
