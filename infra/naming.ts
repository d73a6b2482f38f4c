/**
 * Physical and logical names of the stack's resources. Pure: every builder names its resources through here, so
 * the naming rules (stack in every name, route and secret parts) are table-tested without Pulumi.
 */
import type { RouteDefinition } from '../lambdas/routes';
import { CANARY_FUNCTION, CANARY_SCHEDULER_ROLE } from './canary-plan';
import type { SecretName } from './functions';

export { STACK_NAME } from '../lambdas/shared/identifiers';

/** `<prefix>-<stack>-<part>`: every physical name carries the stack so stacks can share an account. */
export function physicalName(prefix: string, stack: string, part: string): string {
  return `${prefix}-${stack}-${part}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/**
 * The environment variable the handlers' metrics take their `Service` dimension from (lambdas/shared/metrics.ts),
 * and its value: the stack's name prefix, so the dashboard and alarms of one stack read only that stack's metrics.
 */
export const SERVICE_NAME_ENV = 'SERVICE_NAME';

/** `<prefix>-<stack>`, as every physical name starts. */
export function serviceName(prefix: string, stack: string): string {
  return physicalName(prefix, stack, '').replace(/-$/, '');
}

/** The name part of a route's resources: `POST /conferences/{conference}/participants` → `post-conferences-conference-participants`. */
export function routePart(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method}${route.path}`
    .toLowerCase()
    .replace(/[{}]/g, '')
    .replace(/[^a-z0-9]+/g, '-');
}

/** The name part of a secret's resources: `twilioAuthToken` → `twilio-auth-token`. */
export function secretPart(secret: SecretName): string {
  return secret.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** pulumi-aws names a resource without an explicit name `<logical name>-<7 random characters>`. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** One physical name the stack derives, with AWS's limit for it. */
export interface PlannedName {
  /** What is named, for messages: "IAM role of participants". */
  readonly what: string;
  readonly name: string;
  readonly max: number;
}

/** The physical names of the resources that carry `<prefix>-<stack>` (autonamed ones with their random suffix). */
export function plannedNames(
  prefix: string,
  stack: string,
  plan: {
    /** The deployed functions' name parts. */
    readonly functions: readonly string[];
    /** Whether the stack runs the canary (its function, its schedule and the schedule's role). */
    readonly canary?: boolean;
    readonly secrets: readonly SecretName[];
    readonly alarmParts: readonly string[];
  },
): PlannedName[] {
  const n = (part: string) => physicalName(prefix, stack, part);
  const auto = (part: string) => `${n(part)}-${'x'.repeat(AUTONAME_SUFFIX_LENGTH - 1)}`;
  const functions = plan.canary ? [...plan.functions, CANARY_FUNCTION] : plan.functions;
  return [
    ...(plan.canary
      ? [
          { what: 'canary schedule', name: n(CANARY_FUNCTION), max: 64 },
          { what: 'IAM role of the canary schedule', name: auto(CANARY_SCHEDULER_ROLE), max: 64 },
          { what: 'IAM role policy of the canary schedule', name: auto(CANARY_SCHEDULER_ROLE), max: 128 },
        ]
      : []),
    ...functions.flatMap((h) => [
      { what: `Lambda function ${h}`, name: n(h), max: 64 },
      { what: `IAM role of ${h}`, name: auto(h), max: 64 },
      { what: `IAM role policy of ${h}`, name: auto(h), max: 128 },
      { what: `log group of ${h}`, name: `/aws/lambda/${n(h)}`, max: 512 },
    ]),
    { what: 'HTTP API', name: n('api'), max: 128 },
    { what: 'API access log group', name: `/aws/apigateway/${n('api')}`, max: 512 },
    ...plan.secrets.map((s) => ({ what: `secret ${s}`, name: auto(secretPart(s)), max: 512 })),
    { what: 'alarm topic', name: auto('alarms'), max: 256 },
    { what: 'dashboard', name: n('dashboard'), max: 255 },
    ...plan.alarmParts.map((part) => ({ what: `alarm ${part}`, name: auto(part), max: 255 })),
  ];
}

/**
 * Why `<prefix>-<stack>` makes names too long, or undefined when every planned name fits: names the longest
 * offender and the combined length prefix and stack must keep to.
 */
export function nameLengthProblem(prefix: string, stack: string, names: readonly PlannedName[]): string | undefined {
  const over = names.filter((n) => n.name.length > n.max);
  if (over.length === 0) return undefined;
  const worst = over.reduce((a, b) => (b.name.length - b.max > a.name.length - a.max ? b : a));
  const budget = Math.min(...over.map((n) => n.max - (n.name.length - prefix.length - stack.length)));
  return (
    `"${prefix}" with stack "${stack}" makes the ${worst.what} ${worst.name.length} characters long, over AWS's ` +
    `${worst.max}: keep namePrefix plus the stack name within ${budget} characters (now ${prefix.length + stack.length})`
  );
}
