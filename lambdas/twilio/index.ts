/**
 * The combined function of the `combined` function layout (infra/layout.ts): every Twilio-facing route from one
 * Lambda function, so a call's webhooks share one container instead of starting three. Each handler stays its own
 * bundle beside this file (`dist/twilio/<handler>.js`, scripts/build.mjs) and is required only when one of its
 * routes arrives: module load per route stays what it is in the split layout.
 */
import { ROUTES, TWILIO_FACING_HANDLERS } from '../routes';
import { shareAcrossBundles } from '../shared/bundle-sharing';
import { routeDispatcher } from './dispatch';

// Before any handler module loads: they share one secret cache, so the container reads each secret once.
shareAcrossBundles();

export const handler = routeDispatcher(
  ROUTES.filter((route) => TWILIO_FACING_HANDLERS.includes(route.handler)),
  // Literal paths: esbuild leaves these requires to run time (scripts/build.mjs marks them external).
  {
    inbound: () => require('./inbound.js'),
    agent: () => require('./agent.js'),
    events: () => require('./events.js'),
  },
  // A provisioned environment is initialized before any caller waits (Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE,
  // "Defined runtime environment variables"): it loads every module then, so no request pays a module load.
  { preload: process.env.AWS_LAMBDA_INITIALIZATION_TYPE === 'provisioned-concurrency' },
);
