/**
 * `npm run snapshot` runs this once per stack (outside jest, through scripts/ts-hook.cjs): it renders the stack's
 * resource graph and writes infra/snapshots/<stack>.yaml. Tests never write snapshots.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderSnapshot, snapshotFile } from './snapshot-file';

const stack = process.argv[2];
renderSnapshot(stack).then(
  (text) => {
    mkdirSync(path.dirname(snapshotFile(stack)), { recursive: true });
    writeFileSync(snapshotFile(stack), text);
    console.log(`wrote ${path.relative(process.cwd(), snapshotFile(stack))}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
