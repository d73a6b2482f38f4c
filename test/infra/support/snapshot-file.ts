/**
 * The committed resource-graph snapshot of a stack (infra/snapshots/<stack>.yaml): where it lives and how a
 * fresh one is rendered from the program under Pulumi mocks. Shared by the test that compares them and by
 * `npm run snapshot`, which writes them.
 */
import * as path from 'node:path';
import YAML from 'yaml';
import { resourceGraph } from '../../../infra/snapshot';
import { ROOT, runProgram } from './program';

/** The stacks that have a committed snapshot, one per Pulumi.<stack>.yaml. */
export const SNAPSHOT_STACKS = ['dev', 'prod'] as const;

/** Where the committed snapshot of a stack lives. */
export function snapshotFile(stack: string): string {
  return path.join(ROOT, 'infra', 'snapshots', `${stack}.yaml`);
}

/** Renders the stack's resource graph as its snapshot file's text. */
export async function renderSnapshot(stack: string): Promise<string> {
  const run = await runProgram(stack);
  return (
    `# Resource graph of stack "${stack}" under Pulumi mocks: regenerate with npm run snapshot.\n` +
    YAML.stringify(resourceGraph(run.resources), { lineWidth: 0 })
  );
}
