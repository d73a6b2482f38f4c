/**
 * Setup's use of the Pulumi CLI: finding it on PATH, asking which stacks exist, running `pulumi config set`.
 * A secret reaches pulumi on stdin only: `pulumi config set <key>` without a value reads all of stdin when stdin
 * is not a terminal and drops one trailing newline (Pulumi docs, "pulumi config set": "If a value is not present
 * on the command line, pulumi will prompt for the value. Multi-line values may be set by piping a file to
 * standard in."; pulumi/pulumi pkg/cmd/pulumi/config/config.go, newConfigSetCmd: `io.ReadAll(os.Stdin)` then
 * `cmdutil.RemoveTrailingNewline`).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../../lambdas/shared/config';

/** The first executable file named `name` in the PATH of `env`, or undefined. */
export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    // An empty entry would mean the current directory: never run a `pulumi` from wherever setup was started.
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** How a pulumi command ended. */
export interface PulumiResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `pulumi <args>` in `cwd`, giving it `stdin` (a secret) through a pipe, or no stdin at all.
 * stdout and stderr are collected, so a failure can be reported in one line.
 */
export function runPulumi(
  pulumi: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env: Env; readonly stdin?: string },
): Promise<PulumiResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(pulumi, args, {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    if (options.stdin !== undefined) {
      // A pulumi that exits before reading (a bad flag) closes the pipe: that is its exit code's story, not ours.
      child.stdin!.on('error', () => {});
      child.stdin!.end(options.stdin);
    }
  });
}

/** The first line of what pulumi said about a failure (its stderr, else its stdout). */
export function firstLine(result: PulumiResult): string {
  const text = result.stderr.trim() || result.stdout.trim();
  return text.split('\n')[0]?.trim() || `exit status ${result.code}`;
}
