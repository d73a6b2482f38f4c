/**
 * The committed resource-graph snapshot of each stack fixture (infra/snapshots/<fixture>.yaml): where it lives and
 * how a fresh one is rendered from the program under Pulumi mocks. Shared by the test that compares them and by
 * `npm run snapshot`, which writes them.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { resourceGraph } from '../../../infra/snapshot';
import { stackFixture } from '../../support/stack-fixtures';
import { ROOT, runProgram } from './program';

export const SNAPSHOTS_DIR = path.join(ROOT, 'infra', 'snapshots');

/** Where the committed snapshot of a fixture lives. */
export function snapshotFile(fixture: string): string {
  return path.join(SNAPSHOTS_DIR, `${fixture}.yaml`);
}

/** The names of the committed snapshots, sorted (each should be a fixture's name). */
export function committedSnapshotNames(): string[] {
  return readdirSync(SNAPSHOTS_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Renders the fixture's resource graph as its snapshot file's text. */
export async function renderSnapshot(fixture: string): Promise<string> {
  const run = await runProgram(fixture);
  return (
    `# Resource graph of fixture "${fixture}" (stack "${stackFixture(fixture).stackName}") under Pulumi mocks: ` +
    'regenerate with npm run snapshot.\n' +
    YAML.stringify(resourceGraph(run.resources), { lineWidth: 0 })
  );
}
