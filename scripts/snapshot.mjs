// `npm run snapshot`: rewrites infra/snapshots/<fixture>.yaml, the resource graph under Pulumi mocks of each stack
// fixture in test/fixtures/stacks (not of the team's Pulumi.<stack>.yaml files), and deletes snapshots whose
// fixture is gone, after building the handler bundles the program references. test/infra/snapshot.test.ts only
// compares.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const built = run([path.join(root, 'scripts', 'build.mjs'), '--quiet']);
if (built !== 0) process.exit(built);
process.exit(
  run([
    '-r',
    path.join(root, 'scripts', 'ts-hook.cjs'),
    path.join(root, 'test', 'infra', 'support', 'write-snapshot.ts'),
  ]),
);
