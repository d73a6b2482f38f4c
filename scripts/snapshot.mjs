// `npm run snapshot`: rewrites infra/snapshots/<stack>.yaml, the resource graph of each stack under Pulumi mocks,
// after building the handler bundles the program references. test/infra/snapshot.test.ts only compares.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const built = run([path.join(root, 'scripts', 'build.mjs'), '--quiet']);
if (built !== 0) process.exit(built);
// One process per stack: the program registers its resources once per load.
for (const stack of ['dev', 'prod']) {
  const status = run([
    '-r',
    path.join(root, 'scripts', 'ts-hook.cjs'),
    path.join(root, 'test', 'infra', 'support', 'write-snapshot.ts'),
    stack,
  ]);
  if (status !== 0) process.exit(status);
}
