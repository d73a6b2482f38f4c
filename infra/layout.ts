/**
 * The function layout: which deployed Lambda function serves which handler module. `combined` (the default) serves
 * the Twilio-facing handlers (inbound, agent, events) from one function, so a call's webhooks share one container:
 * one cold start where the split layout has three in series (two when a webhook finds the container busy). `split`
 * gives each handler its own function, role and timeout. The participants API is its own function in both. Pure, so
 * the plan is table-tested (test/infra/plans.test.ts).
 */
import { HANDLERS, TWILIO_FACING_HANDLERS, type HandlerName } from '../lambdas/routes';
import { FUNCTION_SPECS, SECRET_NAMES, type FunctionSpec } from './functions';

/** How the handlers are deployed (config `functionLayout`). */
export type FunctionLayout = 'combined' | 'split';

/** Every layout, the default first. */
export const FUNCTION_LAYOUTS: readonly FunctionLayout[] = ['combined', 'split'];

/** Name part and bundle folder (`dist/twilio/`, scripts/build.mjs) of the combined layout's Twilio function. */
export const COMBINED_FUNCTION = 'twilio';

/** A deployed function's name part (`<prefix>-<stack>-<name>`), also its bundle folder under dist/. */
export type FunctionName = HandlerName | typeof COMBINED_FUNCTION;

/** One deployed Lambda function. */
export interface PlannedFunction {
  readonly name: FunctionName;
  /** The handler modules it serves (their routes are its routes). */
  readonly handlers: readonly HandlerName[];
  readonly spec: FunctionSpec;
}

/**
 * The combined function's settings: the union of what its handlers need. Its timeout is the longest of theirs
 * (events' retries need it), so inbound and agent lose their shorter one: a stuck TwiML answer reaches Twilio's
 * fallback after that timeout instead of theirs, still inside Twilio's 15 s.
 */
function combinedSpec(handlers: readonly HandlerName[]): FunctionSpec {
  const specs = handlers.map((h) => FUNCTION_SPECS[h]);
  return {
    description: `Twilio webhooks (${handlers.join(', ')}): one function, one cold start per call instead of three`,
    timeoutSeconds: Math.max(...specs.map((s) => s.timeoutSeconds)),
    twilioFacing: specs.some((s) => s.twilioFacing),
    dials: specs.some((s) => s.dials),
    secrets: SECRET_NAMES.filter((secret) => specs.some((s) => s.secrets.includes(secret))),
  };
}

/** The functions a layout deploys, in deployment order. */
export function functionPlan(layout: FunctionLayout): PlannedFunction[] {
  const single = (handler: HandlerName): PlannedFunction => ({
    name: handler,
    handlers: [handler],
    spec: FUNCTION_SPECS[handler],
  });
  if (layout === 'split') return HANDLERS.map(single);
  return [
    { name: COMBINED_FUNCTION, handlers: TWILIO_FACING_HANDLERS, spec: combinedSpec(TWILIO_FACING_HANDLERS) },
    ...HANDLERS.filter((h) => !TWILIO_FACING_HANDLERS.includes(h)).map(single),
  ];
}

/** The function that serves `handler` in a layout. */
export function functionServing(layout: FunctionLayout, handler: HandlerName): PlannedFunction {
  const fn = functionPlan(layout).find((f) => f.handlers.includes(handler));
  if (!fn) throw new Error(`no function serves ${handler} in the ${layout} layout`);
  return fn;
}

/**
 * A function's environment from config: the union of its handlers' environments. They agree on every variable
 * they share (each comes from one config key); a disagreement would hand one handler another's value, so it throws.
 */
export function configuredEnvironment(
  fn: PlannedFunction,
  environment: Readonly<Record<HandlerName, Readonly<Record<string, string>>>>,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const handler of fn.handlers) {
    for (const [name, value] of Object.entries(environment[handler])) {
      if (name in merged && merged[name] !== value)
        throw new Error(`${fn.name} serves handlers that need different values of ${name}`);
      merged[name] = value;
    }
  }
  return merged;
}
