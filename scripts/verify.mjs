// `npm run verify -- --stack <name> ...`: the acceptance call against a deployed stack (scripts/verify/,
// lambdas/acceptance/). Runs the TypeScript directly through scripts/ts-hook.cjs (esbuild strips the types per
// file), in this process (npm runs it with exec), so the Ctrl-C and SIGTERM npm forwards reach the run, which
// hangs its test call up before it exits.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('./ts-hook.cjs');
require('./verify/cli.ts');
