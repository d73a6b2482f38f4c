/** Times one child process from spawn to its result marker line, and parses that line. */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Wall time from spawn() to the marker, and what followed the marker on its line. */
export interface TimedChild {
  readonly wallMs: number;
  readonly payload: string;
}

/**
 * Spawns `node <args>` with exactly `env` (a Lambda has a small environment too) and resolves once the child
 * printed `marker` and exited, so no two measured processes ever overlap.
 */
export function timeChild(
  args: readonly string[],
  env: Record<string, string>,
  marker: string,
  timeoutMs = 60_000,
): Promise<TimedChild> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let wallMs: number | undefined;
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (wallMs === undefined && out.includes(marker) && out.slice(out.indexOf(marker)).includes('\n'))
        wallMs = performance.now() - started;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const at = out.indexOf(marker);
      if (wallMs === undefined || at < 0)
        return reject(new Error(`child ${args.join(' ')} exited ${code} without a result: ${err.slice(0, 2000)}`));
      resolve({ wallMs, payload: out.slice(at + marker.length).split('\n')[0] });
    });
  });
}
