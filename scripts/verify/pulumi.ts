/** Reads a stack's outputs with the Pulumi CLI, when it is on PATH (setup's way of finding and running it). */
import type { Env } from '../../lambdas/shared/config';
import { findOnPath, firstLine, runPulumi } from '../setup/pulumi-cli';

/** What `pulumi stack output --json --show-secrets` gave: the outputs, no Pulumi CLI, or its error. */
export type PulumiOutputs =
  | { readonly kind: 'outputs'; readonly json: unknown }
  | { readonly kind: 'no-cli' }
  | { readonly kind: 'failed'; readonly problem: string };

/** Runs `pulumi stack output --json --show-secrets --stack <stack>` (the JSON holds secrets: it is never printed). */
export async function readPulumiOutputs(stack: string, cwd: string, env: Env): Promise<PulumiOutputs> {
  const pulumi = findOnPath('pulumi', env);
  if (!pulumi) return { kind: 'no-cli' };
  const result = await runPulumi(pulumi, ['stack', 'output', '--json', '--show-secrets', '--stack', stack], {
    cwd,
    env,
  });
  if (result.code !== 0) return { kind: 'failed', problem: `pulumi stack output failed: ${firstLine(result)}` };
  try {
    return { kind: 'outputs', json: JSON.parse(result.stdout) };
  } catch {
    return { kind: 'failed', problem: 'pulumi stack output did not print JSON' };
  }
}
