/**
 * The committed resource-graph snapshot of each stack (infra/snapshots/<stack>.yaml) is the one the program
 * renders now: a change to the infrastructure fails here until `npm run snapshot` rewrites the snapshot and it is
 * committed (reviewers see the graph's diff). This test only reads the committed files.
 */
import { readFileSync } from 'node:fs';
import { renderSnapshot, SNAPSHOT_STACKS, snapshotFile } from './support/snapshot-file';
import { TEST_API_TOKEN, TEST_AUTH_TOKEN } from './support/program';

describe.each(SNAPSHOT_STACKS)('stack %s', (stack) => {
  it('renders exactly its committed resource-graph snapshot (else: npm run snapshot, and commit it)', async () => {
    // Arrange
    const committed = readFileSync(snapshotFile(stack), 'utf8');

    // Act
    const rendered = await renderSnapshot(stack);

    // Assert
    expect(rendered).toBe(committed);
  });

  it('keeps the stack secrets out of the committed snapshot', () => {
    // Act
    const committed = readFileSync(snapshotFile(stack), 'utf8');

    // Assert
    expect(committed).not.toContain(TEST_AUTH_TOKEN);
    expect(committed).not.toContain(TEST_API_TOKEN);
  });
});
