/**
 * Makes sure `pulumi up` deploys the handlers as they are in the working tree: builds the esbuild bundles
 * (scripts/build.mjs) unless VOICEAI_CODE_DIR points at bundles built already (tests, CI artifacts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { HANDLERS, TWILIO_FACING_HANDLERS } from '../lambdas/routes';
import { CANARY_FUNCTION } from './canary-plan';
import { COMBINED_FUNCTION } from './layout';

/**
 * What every layout deploys: `<handler>/index.js` per handler, the combined function's dispatcher and modules, and
 * the canary (deployed with `canarySchedule`).
 */
export const BUNDLE_FILES: readonly string[] = [
  ...HANDLERS.map((h) => path.join(h, 'index.js')),
  path.join(CANARY_FUNCTION, 'index.js'),
  ...['index', ...TWILIO_FACING_HANDLERS].map((m) => path.join(COMBINED_FUNCTION, `${m}.js`)),
];

/** The folder with the bundles of every layout (BUNDLE_FILES); throws naming what is missing. */
export function bundleDir(root: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env.VOICEAI_CODE_DIR;
  const dir = given ? path.resolve(root, given) : path.join(root, 'dist');
  if (!given)
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--quiet'], {
      cwd: root,
      stdio: 'inherit',
    });
  const missing = BUNDLE_FILES.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0)
    throw new Error(`handler bundles missing in ${dir}: ${missing.join(', ')} (run npm run build)`);
  return dir;
}
