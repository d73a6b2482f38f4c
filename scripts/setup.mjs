// `npm run setup -- --stack <name> ...`: checks the Twilio account and number, then sets the stack's config
// (scripts/setup/). Runs the TypeScript directly through scripts/ts-hook.cjs (esbuild strips the types per file);
// nothing is built or written first.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('./ts-hook.cjs');
require('./setup/cli.ts');
