/**
 * `npm run snapshot` runs this (outside jest, through scripts/ts-hook.cjs). With a fixture name it renders that
 * fixture's resource graph and writes infra/snapshots/<fixture>.yaml. Without one it does so for every fixture in
 * test/fixtures/stacks, one child process each (the program registers its resources once per load), and deletes
 * the snapshots no fixture has any more. Tests never write snapshots.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixtureNames } from '../../support/stack-fixtures';
import { committedSnapshotNames, renderSnapshot, snapshotFile } from './snapshot-file';

const shown = (file: string) => path.relative(process.cwd(), file);

function writeAll(): number {
  const fixtures = fixtureNames();
  for (const fixture of fixtures) {
    const { status } = spawnSync(process.execPath, [...process.execArgv, __filename, fixture], { stdio: 'inherit' });
    if (status !== 0) return status ?? 1;
  }
  for (const orphan of committedSnapshotNames().filter((name) => !fixtures.includes(name))) {
    rmSync(snapshotFile(orphan));
    console.log(`deleted ${shown(snapshotFile(orphan))} (no fixture ${orphan})`);
  }
  return 0;
}

const fixture = process.argv[2];
if (fixture === undefined) process.exit(writeAll());
renderSnapshot(fixture).then(
  (text) => {
    mkdirSync(path.dirname(snapshotFile(fixture)), { recursive: true });
    writeFileSync(snapshotFile(fixture), text);
    console.log(`wrote ${shown(snapshotFile(fixture))}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
