/** Reads a stack's outputs with the Pulumi CLI, when it is on PATH. */
import { execFile } from 'node:child_process';

/** What `pulumi stack output --json --show-secrets` gave: the outputs, no Pulumi CLI, or its error. */
export type PulumiOutputs =
  | { readonly kind: 'outputs'; readonly json: unknown }
  | { readonly kind: 'no-cli' }
  | { readonly kind: 'failed'; readonly problem: string };

/** Runs `pulumi stack output --json --show-secrets --stack <stack>` (the JSON holds secrets: it is never printed). */
export function readPulumiOutputs(stack: string, env: NodeJS.ProcessEnv = process.env): Promise<PulumiOutputs> {
  return new Promise((resolve) => {
    execFile(
      'pulumi',
      ['stack', 'output', '--json', '--show-secrets', '--stack', stack],
      { env, maxBuffer: 10 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') return resolve({ kind: 'no-cli' });
        if (error) {
          const said = String(stderr).trim().split('\n').slice(-3).join(' ').slice(0, 500);
          return resolve({ kind: 'failed', problem: `pulumi stack output failed: ${said || error.message}` });
        }
        try {
          resolve({ kind: 'outputs', json: JSON.parse(String(stdout)) });
        } catch {
          resolve({ kind: 'failed', problem: 'pulumi stack output did not print JSON' });
        }
      },
    );
  });
}
