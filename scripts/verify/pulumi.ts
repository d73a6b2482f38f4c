/**
 * Reads a stack's outputs and config with the Pulumi CLI, when it is on PATH (setup's way of finding and running
 * it). Both JSON documents hold secrets (`--show-secrets`): they are parsed and never printed.
 */
import type { Env } from '../../lambdas/shared/config';
import { findOnPath, firstLine, runPulumi } from '../setup/pulumi-cli';

/** What a `pulumi ... --json --show-secrets` command gave: its JSON, no Pulumi CLI, or its error. */
export type PulumiJson =
  | { readonly kind: 'json'; readonly json: unknown }
  | { readonly kind: 'no-cli' }
  | { readonly kind: 'failed'; readonly problem: string };

async function readPulumiJson(command: readonly string[], stack: string, cwd: string, env: Env): Promise<PulumiJson> {
  const pulumi = findOnPath('pulumi', env);
  if (!pulumi) return { kind: 'no-cli' };
  const result = await runPulumi(pulumi, [...command, '--json', '--show-secrets', '--stack', stack], { cwd, env });
  const name = `pulumi ${command.join(' ')}`;
  if (result.code !== 0) return { kind: 'failed', problem: `${name} failed: ${firstLine(result)}` };
  try {
    return { kind: 'json', json: JSON.parse(result.stdout) };
  } catch {
    return { kind: 'failed', problem: `${name} did not print JSON` };
  }
}

/** Runs `pulumi stack output --json --show-secrets --stack <stack>`. */
export function readPulumiOutputs(stack: string, cwd: string, env: Env): Promise<PulumiJson> {
  return readPulumiJson(['stack', 'output'], stack, cwd, env);
}

/** Runs `pulumi config --json --show-secrets --stack <stack>`: the stack file's values, decrypted. */
export function readPulumiConfig(stack: string, cwd: string, env: Env): Promise<PulumiJson> {
  return readPulumiJson(['config'], stack, cwd, env);
}
