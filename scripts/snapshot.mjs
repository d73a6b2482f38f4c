// `npm run snapshot`: rewrites infra/snapshots/<stack>.yaml, the resource graph of each stack under Pulumi mocks
// (test/infra/snapshot.test.ts renders them), after building the handler bundles the program references.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (args, env = {}) =>
  spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
const built = run([path.join(root, 'scripts', 'build.mjs'), '--quiet']);
if (built !== 0) process.exit(built);
process.exit(
  run([path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/infra/snapshot.test.ts'], {
    UPDATE_INFRA_SNAPSHOTS: '1',
  }),
);
