/**
 * The committed resource-graph snapshot of each stack (infra/snapshots/<stack>.yaml) matches the program.
 * `npm run snapshot` rewrites them (UPDATE_INFRA_SNAPSHOTS=1); CI regenerates and fails when they are stale.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { resourceGraph } from '../../infra/snapshot';
import { ROOT, runProgram, TEST_API_TOKEN, TEST_AUTH_TOKEN } from './support/program';

const update = process.env.UPDATE_INFRA_SNAPSHOTS === '1';

describe.each(['dev', 'prod'])('stack %s', (stack) => {
  it('matches its committed resource-graph snapshot', async () => {
    // Arrange
    const file = path.join(ROOT, 'infra', 'snapshots', `${stack}.yaml`);
    const run = await runProgram(stack);

    // Act
    const rendered =
      `# Resource graph of stack "${stack}" under Pulumi mocks: regenerate with npm run snapshot.\n` +
      YAML.stringify(resourceGraph(run.resources), { lineWidth: 0 });
    if (update) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, rendered);
    }

    // Assert
    expect(rendered).not.toContain(TEST_AUTH_TOKEN);
    expect(rendered).not.toContain(TEST_API_TOKEN);
    expect(rendered).toBe(readFileSync(file, 'utf8'));
  });
});
