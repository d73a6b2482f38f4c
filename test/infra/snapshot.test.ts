/**
 * The committed resource-graph snapshot of each stack fixture (infra/snapshots/<fixture>.yaml) is the one the
 * program renders now: a change to the infrastructure fails here until `npm run snapshot` rewrites the snapshots
 * and they are committed (reviewers see the graph's diff). Snapshots come from test/fixtures/stacks, never from a
 * team's Pulumi.<stack>.yaml. This test only reads the committed files.
 */
import { readFileSync } from 'node:fs';
import { fixtureNames } from '../support/stack-fixtures';
import { committedSnapshotNames, renderSnapshot, snapshotFile } from './support/snapshot-file';
import { TEST_API_TOKEN, TEST_AUTH_TOKEN } from './support/program';

// A program run is seconds of CPU; on a loaded 2-core machine, with another heavy file in the other worker, the
// first (cold) one has taken more than jest's 30 s.
jest.setTimeout(120_000);

describe('the committed snapshots', () => {
  it('when fixtures are added, renamed or deleted, there is exactly one snapshot per fixture (else: npm run snapshot)', () => {
    // Act
    const snapshots = committedSnapshotNames();

    // Assert
    expect(snapshots).toEqual(fixtureNames());
  });
});

describe.each(fixtureNames())('fixture %s', (fixture) => {
  it('renders exactly its committed resource-graph snapshot (else: npm run snapshot, and commit it)', async () => {
    // Arrange
    const committed = readFileSync(snapshotFile(fixture), 'utf8');

    // Act
    const rendered = await renderSnapshot(fixture);

    // Assert
    expect(rendered).toBe(committed);
  });

  it('keeps the test secrets out of the committed snapshot', () => {
    // Act
    const committed = readFileSync(snapshotFile(fixture), 'utf8');

    // Assert
    expect(committed).not.toContain(TEST_AUTH_TOKEN);
    expect(committed).not.toContain(TEST_API_TOKEN);
  });
});
