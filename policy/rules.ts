/**
 * The stack's policies as plain functions over resources, so they can be table-tested against resources captured
 * under Pulumi mocks; `index.ts` wraps them into a `@pulumi/policy` PolicyPack for `pulumi preview --policy-pack`.
 */
import { ROUTES, routeKey } from '../lambdas/routes';
import { METRICS_NAMESPACE } from '../lambdas/shared/metrics';

/** A resource as a policy sees it: its type token, logical name and input properties. */
export interface PolicyResource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
}

/** A check of one resource; returns readable violation messages (empty when compliant). */
export interface ResourceRule {
  readonly name: string;
  readonly description: string;
  readonly appliesTo: readonly string[];
  check(resource: PolicyResource): string[];
}

/** A check across the whole stack. */
export interface StackRule {
  readonly name: string;
  readonly description: string;
  check(resources: readonly PolicyResource[]): string[];
}

export const TYPES = {
  lambda: 'aws:lambda/function:Function',
  permission: 'aws:lambda/permission:Permission',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  stage: 'aws:apigatewayv2/stage:Stage',
  route: 'aws:apigatewayv2/route:Route',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  policy: 'aws:iam/policy:Policy',
  role: 'aws:iam/role:Role',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
} as const;

/** Twilio gives a voice webhook 15 s in all; a Lambda must finish before that. */
export const TWILIO_WEBHOOK_LIMIT_SECONDS = 15;

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSPHRASE|PRIVATE_KEY|API_KEY)$/i;
const SECRET_VALUE = [
  /^[0-9a-f]{32}$/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^(sk|rk)_(live|test)_/,
  /^AKIA[0-9A-Z]{16}$/,
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const noPlaintextSecrets: ResourceRule = {
  name: 'lambda-no-plaintext-secrets',
  description: 'Lambda environments carry secret references (*_SECRET_ARN), never secret values.',
  appliesTo: [TYPES.lambda],
  check({ name, props }) {
    const variables =
      isRecord(props.environment) && isRecord(props.environment.variables) ? props.environment.variables : {};
    const violations: string[] = [];
    for (const [key, value] of Object.entries(variables)) {
      if (SECRET_NAME.test(key))
        violations.push(
          `${name}: environment variable ${key} holds a secret value; store it in Secrets Manager and pass ${key}_SECRET_ARN`,
        );
      else if (typeof value === 'string' && SECRET_VALUE.some((p) => p.test(value)))
        violations.push(`${name}: environment variable ${key} looks like a credential; pass a secret ARN instead`);
    }
    return violations;
  },
};

const logRetention: ResourceRule = {
  name: 'log-retention-set',
  description: 'Every log group has a retention period, so logs (with masked caller data) do not live forever.',
  appliesTo: [TYPES.logGroup],
  check({ name, props }) {
    const days = props.retentionInDays;
    return typeof days === 'number' && days > 0
      ? []
      : [`${name}: log group has no retentionInDays; set one (e.g. 14 for dev, 90 for prod)`];
  },
};

const stageThrottled: ResourceRule = {
  name: 'api-stage-throttled',
  description: 'The HTTP API stage limits request rate and burst: every added participant is a billed call leg.',
  appliesTo: [TYPES.stage],
  check({ name, props }) {
    const settings = isRecord(props.defaultRouteSettings) ? props.defaultRouteSettings : {};
    const rate = settings.throttlingRateLimit;
    const burst = settings.throttlingBurstLimit;
    const violations: string[] = [];
    if (!(typeof rate === 'number' && rate > 0))
      violations.push(`${name}: stage has no defaultRouteSettings.throttlingRateLimit`);
    if (!(typeof burst === 'number' && burst > 0))
      violations.push(`${name}: stage has no defaultRouteSettings.throttlingBurstLimit`);
    return violations;
  },
};

const lambdaTimeout: ResourceRule = {
  name: 'lambda-timeout-below-twilio-limit',
  description: `Lambda timeouts stay below Twilio's ${TWILIO_WEBHOOK_LIMIT_SECONDS} s webhook limit (opt out with tag voiceai:twilio-facing=false).`,
  appliesTo: [TYPES.lambda],
  check({ name, props }) {
    const tags = isRecord(props.tags) ? props.tags : {};
    if (tags['voiceai:twilio-facing'] === 'false') return [];
    const timeout = props.timeout;
    if (typeof timeout !== 'number')
      return [
        `${name}: timeout is not set (the default 3 s is implicit); set it explicitly below ${TWILIO_WEBHOOK_LIMIT_SECONDS} s`,
      ];
    return timeout < TWILIO_WEBHOOK_LIMIT_SECONDS
      ? []
      : [`${name}: timeout ${timeout} s is not below Twilio's ${TWILIO_WEBHOOK_LIMIT_SECONDS} s webhook limit`];
  },
};

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

function statementsOf(document: unknown): Statement[] {
  let parsed = document;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return [];
    }
  }
  if (!isRecord(parsed)) return [];
  const statements = parsed.Statement;
  return (Array.isArray(statements) ? statements : [statements]).filter(isRecord) as Statement[];
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Violations of least privilege in one IAM policy document. */
export function wildcardViolations(owner: string, document: unknown): string[] {
  const violations: string[] = [];
  for (const statement of statementsOf(document)) {
    if (statement.Effect !== undefined && statement.Effect !== 'Allow') continue;
    for (const resource of asList(statement.Resource)) {
      if (resource === '*')
        violations.push(
          `${owner}: statement allows ${asList(statement.Action).join(', ')} on Resource "*"; name specific ARNs`,
        );
    }
    for (const action of asList(statement.Action)) {
      if (action === '*' || /^[a-z0-9-]+:\*$/i.test(action))
        violations.push(`${owner}: statement allows every action ("${action}"); name the actions needed`);
    }
  }
  return violations;
}

const iamNoWildcards: ResourceRule = {
  name: 'iam-no-wildcards',
  description: 'IAM statements name specific actions and ARNs: no "*" resources, no service-wide actions.',
  appliesTo: [TYPES.rolePolicy, TYPES.policy, TYPES.role],
  check({ type, name, props }) {
    if (type === TYPES.role) {
      const inline = Array.isArray(props.inlinePolicies) ? props.inlinePolicies : [];
      return inline.flatMap((p) => (isRecord(p) ? wildcardViolations(name, p.policy) : []));
    }
    return wildcardViolations(name, props.policy);
  },
};

const permissionScoped: ResourceRule = {
  name: 'lambda-permission-scoped',
  description:
    'API Gateway may invoke a function only from this stack’s API and only for a named method and path (sourceArn: the API’s execution ARN, then /<stage>/<METHOD>/<path>), never every route (`/*/*`).',
  appliesTo: [TYPES.permission],
  check({ name, props }) {
    if (props.principal !== 'apigateway.amazonaws.com') return [];
    const sourceArn = props.sourceArn;
    if (!(typeof sourceArn === 'string' && sourceArn.startsWith('arn:')))
      return [`${name}: API Gateway permission has no sourceArn; scope it to \${api.executionArn}/*/<METHOD>/<path>`];
    // arn:aws:execute-api:region:account:api-id/stage/METHOD/path...
    const [, , method, ...path] = sourceArn.slice(sourceArn.lastIndexOf(':') + 1).split('/');
    if (method === undefined || method === '*' || path.length === 0 || path.every((p) => p === '*'))
      return [
        `${name}: API Gateway permission "${sourceArn}" lets every route invoke the function; name the method and path of its route(s)`,
      ];
    return [];
  },
};

const routesThrottledSeparately: StackRule = {
  name: 'routes-throttled-separately',
  description:
    'Every route has its own throttling in the stage’s routeSettings, so the participants API can never use up the bucket Twilio’s webhooks need.',
  check(resources) {
    const throttled = new Set(
      resources
        .filter((r) => r.type === TYPES.stage)
        .flatMap(({ props }) => (Array.isArray(props.routeSettings) ? props.routeSettings : []))
        .filter(
          (s): s is Record<string, unknown> =>
            isRecord(s) &&
            typeof s.throttlingRateLimit === 'number' &&
            s.throttlingRateLimit > 0 &&
            typeof s.throttlingBurstLimit === 'number' &&
            s.throttlingBurstLimit > 0,
        )
        .map((s) => String(s.routeKey)),
    );
    return resources
      .filter((r) => r.type === TYPES.route && !throttled.has(String(r.props.routeKey ?? '')))
      .map(
        ({ name, props }) =>
          `${name}: route "${String(props.routeKey ?? '')}" has no throttling of its own in the stage's routeSettings`,
      );
  },
};

const alarmNotifies: ResourceRule = {
  name: 'alarm-notifies',
  description: 'Every alarm notifies someone (alarmActions): an alarm nobody hears leaves callers on hold unseen.',
  appliesTo: [TYPES.alarm],
  check({ name, props }) {
    return Array.isArray(props.alarmActions) && props.alarmActions.length > 0
      ? []
      : [`${name}: alarm has no alarmActions; send it to the stack's alarm topic`];
  },
};

const KNOWN_ROUTES = new Set(ROUTES.map(routeKey));

const routesVerified: StackRule = {
  name: 'routes-authenticated-or-verified',
  description:
    'Every API route either has an authorizer or is a route of lambdas/routes.ts, whose handler verifies X-Twilio-Signature or a bearer token.',
  check(resources) {
    return resources
      .filter((r) => r.type === TYPES.route)
      .flatMap(({ name, props }) => {
        const key = String(props.routeKey ?? '');
        const authorization = props.authorizationType ?? 'NONE';
        if (authorization !== 'NONE') return [];
        return KNOWN_ROUTES.has(key)
          ? []
          : [`${name}: route "${key}" has no authorizer and no handler that verifies its caller`];
      });
  },
};

const canaryAlarmedInProduction: StackRule = {
  name: 'canary-alarmed-in-production',
  description:
    'A production stack’s canary (a function tagged voiceai:canary, voiceai:release-stage=production) has an alarm on its CanarySuccess metric (same Service) that notifies someone: a failing canary nobody hears watches nothing.',
  check(resources) {
    const heard = new Set(
      resources
        .filter(
          ({ type, props }) =>
            type === TYPES.alarm &&
            props.namespace === METRICS_NAMESPACE &&
            props.metricName === 'CanarySuccess' &&
            Array.isArray(props.alarmActions) &&
            props.alarmActions.length > 0,
        )
        .map(({ props }) => (isRecord(props.dimensions) ? props.dimensions.Service : undefined)),
    );
    return resources
      .filter(({ type, props }) => {
        const tags = isRecord(props.tags) ? props.tags : {};
        return (
          type === TYPES.lambda && tags['voiceai:canary'] === 'true' && tags['voiceai:release-stage'] === 'production'
        );
      })
      .flatMap(({ name, props }) => {
        const variables =
          isRecord(props.environment) && isRecord(props.environment.variables) ? props.environment.variables : {};
        const service = variables.SERVICE_NAME;
        return heard.has(service)
          ? []
          : [
              `${name}: the canary of a production stack has no alarm on CanarySuccess (Service ${String(service)}) that notifies anyone; set alarms: true`,
            ];
      });
  },
};

/** Every resource rule of the pack. */
export const RESOURCE_RULES: readonly ResourceRule[] = [
  noPlaintextSecrets,
  logRetention,
  stageThrottled,
  lambdaTimeout,
  iamNoWildcards,
  permissionScoped,
  alarmNotifies,
];
/** Every stack rule of the pack. */
export const STACK_RULES: readonly StackRule[] = [routesVerified, routesThrottledSeparately, canaryAlarmedInProduction];

/** Runs every rule over a set of resources: the violations, each prefixed with its rule's name. */
export function evaluate(resources: readonly PolicyResource[]): string[] {
  const violations: string[] = [];
  for (const resource of resources) {
    for (const rule of RESOURCE_RULES) {
      if (rule.appliesTo.includes(resource.type))
        violations.push(...rule.check(resource).map((m) => `[${rule.name}] ${m}`));
    }
  }
  for (const rule of STACK_RULES) violations.push(...rule.check(resources).map((m) => `[${rule.name}] ${m}`));
  return violations;
}
