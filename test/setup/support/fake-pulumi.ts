/**
 * A stand-in `pulumi` executable for setup's and verify's tests: a tiny script, placed first on PATH, that records
 * every invocation (argv and all of stdin) as a JSON line and answers `stack ls --json` with the stacks it was given,
 * `stack output --json` with the outputs it was given and `config --json` (the listing) with the config it was given.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One recorded invocation. */
export interface PulumiCall {
  readonly argv: string[];
  readonly stdin: string;
}

/** How the stand-in behaves. */
export interface FakePulumiOptions {
  /** What `pulumi stack ls --json` lists (names as pulumi prints them). */
  readonly stacks?: readonly string[];
  /** Exit 255 with this stderr line when `config set` gets this key. */
  readonly failOnKey?: { readonly key: string; readonly stderr: string };
  /** Exit 255 with this stderr line on `stack ls`. */
  readonly stackLsError?: string;
  /** What `pulumi stack output --json` prints (any stack). */
  readonly stackOutputs?: unknown;
  /** What `pulumi config --json` prints (any stack): `{"<project>:<key>": {"value": "...", "secret": bool}}`. */
  readonly stackConfig?: unknown;
  /** Exit 255 with this stderr line on `config --json` (e.g. a passphrase it cannot decrypt with). */
  readonly configError?: string;
}

/** A fake pulumi in a temporary directory of its own. */
export class FakePulumi {
  readonly dir: string;
  private readonly log: string;

  constructor(options: FakePulumiOptions = {}) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'fake-pulumi-'));
    this.log = path.join(this.dir, 'calls.jsonl');
    const stacks = JSON.stringify((options.stacks ?? []).map((name) => ({ name, current: false })));
    const script = `#!${process.execPath}
const fs = require('node:fs');
const argv = process.argv.slice(2);
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
fs.appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({ argv, stdin }) + '\\n');
const failOn = ${JSON.stringify(options.failOnKey ?? null)};
const stackLsError = ${JSON.stringify(options.stackLsError ?? null)};
const stackOutputs = ${JSON.stringify(JSON.stringify(options.stackOutputs ?? {}))};
const stackConfig = ${JSON.stringify(JSON.stringify(options.stackConfig ?? {}))};
const configError = ${JSON.stringify(options.configError ?? null)};
if (argv[0] === 'stack' && argv[1] === 'output') {
  process.stdout.write(stackOutputs);
  process.exit(0);
}
if (argv[0] === 'config' && argv[1] === '--json') {
  if (configError) { process.stderr.write(configError + '\\n'); process.exit(255); }
  process.stdout.write(stackConfig);
  process.exit(0);
}
if (argv[0] === 'stack' && argv[1] === 'ls') {
  if (stackLsError) { process.stderr.write(stackLsError + '\\n'); process.exit(255); }
  process.stdout.write(${JSON.stringify(stacks)});
  process.exit(0);
}
if (argv[0] === 'config' && argv[1] === 'set' && failOn && argv.includes(failOn.key)) {
  process.stderr.write(failOn.stderr + '\\n');
  process.exit(255);
}
`;
    const file = path.join(this.dir, 'pulumi');
    writeFileSync(file, script);
    chmodSync(file, 0o755);
  }

  /** PATH with this pulumi first, then `rest`. */
  path(rest = process.env.PATH ?? ''): string {
    return `${this.dir}${path.delimiter}${rest}`;
  }

  /** Every invocation so far, in order. */
  calls(): PulumiCall[] {
    try {
      return readFileSync(this.log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as PulumiCall);
    } catch {
      return [];
    }
  }

  /** The `config set` invocations: what was written. */
  writes(): PulumiCall[] {
    return this.calls().filter((c) => c.argv[0] === 'config' && c.argv[1] === 'set');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
