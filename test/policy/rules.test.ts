import { evaluate, TYPES, wildcardViolations, type PolicyResource } from '../../policy/rules';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:voiceai-dev-twilio-auth-token-AbCdEf';

/** A compliant miniature of the stack: one of each resource kind the policies look at. */
function compliantStack(): PolicyResource[] {
  return [
    {
      type: TYPES.lambda,
      name: 'inbound',
      props: {
        timeout: 10,
        environment: {
          variables: {
            TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
            TWILIO_AUTH_TOKEN_SECRET_ARN: ARN,
            PUBLIC_BASE_URL: 'https://x.execute-api.us-east-1.amazonaws.com',
          },
        },
      },
    },
    { type: TYPES.logGroup, name: 'inbound-logs', props: { retentionInDays: 14 } },
    {
      type: TYPES.stage,
      name: 'stage',
      props: {
        defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
        // The keys the route cases below switch to are throttled too, so each case breaks one rule.
        routeSettings: ['POST /twilio/voice/inbound', '$default', 'GET /admin'].map((routeKey) => ({
          routeKey,
          throttlingRateLimit: 20,
          throttlingBurstLimit: 40,
        })),
      },
    },
    {
      type: TYPES.rolePolicy,
      name: 'inbound-policy',
      props: {
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/inbound:*',
            },
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ARN },
          ],
        }),
      },
    },
    {
      type: TYPES.permission,
      name: 'inbound-permission',
      props: {
        principal: 'apigateway.amazonaws.com',
        sourceArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/twilio/voice/inbound',
      },
    },
    {
      type: TYPES.route,
      name: 'route-inbound',
      props: { routeKey: 'POST /twilio/voice/inbound', authorizationType: 'NONE' },
    },
  ];
}

function breakOne(type: string, change: (props: Record<string, any>) => void): PolicyResource[] {
  return compliantStack().map((r) => {
    if (r.type !== type) return r;
    const props = JSON.parse(JSON.stringify(r.props));
    change(props);
    return { ...r, props };
  });
}

describe('policy rules', () => {
  it('pass a compliant stack', () => {
    expect(evaluate(compliantStack())).toEqual([]);
  });

  describe.each<[string, string, (p: Record<string, any>) => void, RegExp]>([
    [
      'a plaintext Auth Token in a Lambda environment',
      TYPES.lambda,
      (p) => (p.environment.variables.TWILIO_AUTH_TOKEN = 'x'),
      /\[lambda-no-plaintext-secrets\] inbound: environment variable TWILIO_AUTH_TOKEN holds a secret value/,
    ],
    [
      'a credential-looking value under an innocent name',
      TYPES.lambda,
      (p) => (p.environment.variables.EXTRA = 'f'.repeat(32)),
      /\[lambda-no-plaintext-secrets\] inbound: environment variable EXTRA looks like a credential/,
    ],
    [
      'a log group without retention',
      TYPES.logGroup,
      (p) => delete p.retentionInDays,
      /\[log-retention-set\] inbound-logs: log group has no retentionInDays/,
    ],
    [
      'a stage without a rate limit',
      TYPES.stage,
      (p) => delete p.defaultRouteSettings.throttlingRateLimit,
      /\[api-stage-throttled\] stage: stage has no defaultRouteSettings.throttlingRateLimit/,
    ],
    [
      'a Lambda timeout at Twilio’s limit',
      TYPES.lambda,
      (p) => (p.timeout = 15),
      /\[lambda-timeout-below-twilio-limit\] inbound: timeout 15 s is not below/,
    ],
    [
      'a Lambda without explicit timeout',
      TYPES.lambda,
      (p) => delete p.timeout,
      /\[lambda-timeout-below-twilio-limit\] inbound: timeout is not set/,
    ],
    [
      'an IAM statement on Resource "*"',
      TYPES.rolePolicy,
      (p) =>
        (p.policy = JSON.stringify({
          Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
        })),
      /\[iam-no-wildcards\] inbound-policy: statement allows secretsmanager:GetSecretValue on Resource "\*"/,
    ],
    [
      'an IAM statement with a service-wide action',
      TYPES.rolePolicy,
      (p) =>
        (p.policy = JSON.stringify({
          Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: 'arn:aws:logs:us-east-1:1:log-group:x' }],
        })),
      /\[iam-no-wildcards\] inbound-policy: statement allows every action \("logs:\*"\)/,
    ],
    [
      'an API Gateway permission without sourceArn',
      TYPES.permission,
      (p) => delete p.sourceArn,
      /\[lambda-permission-scoped\] inbound-permission: API Gateway permission has no sourceArn/,
    ],
    [
      'an API Gateway permission for every route of the API',
      TYPES.permission,
      (p) => (p.sourceArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/*/*'),
      /\[lambda-permission-scoped\] inbound-permission: API Gateway permission ".*\/\*\/\*" lets every route invoke/,
    ],
    [
      'an API Gateway permission for any method on any path',
      TYPES.permission,
      (p) => (p.sourceArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/$default/*/*/*'),
      /\[lambda-permission-scoped\] inbound-permission: .* lets every route invoke/,
    ],
    [
      'a stage without throttling of its own for a route',
      TYPES.stage,
      (p) => (p.routeSettings = []),
      /\[routes-throttled-separately\] route-inbound: route "POST \/twilio\/voice\/inbound" has no throttling of its own/,
    ],
    [
      'an unknown unauthenticated route',
      TYPES.route,
      (p) => (p.routeKey = '$default'),
      /\[routes-authenticated-or-verified\] route-inbound: route "\$default" has no authorizer/,
    ],
  ])('fail %s', (_name, type, change, message) => {
    it('with a readable message naming the resource', () => {
      const violations = evaluate(breakOne(type, change));
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatch(message);
    });
  });

  it('let a function opt out of the Twilio timeout limit explicitly', () => {
    const stack = breakOne(TYPES.lambda, (p) => {
      p.timeout = 29;
      p.tags = { 'voiceai:twilio-facing': 'false' };
    });
    expect(evaluate(stack)).toEqual([]);
  });

  it('accept an unknown route that has an authorizer', () => {
    expect(
      evaluate(breakOne(TYPES.route, (p) => Object.assign(p, { routeKey: 'GET /admin', authorizationType: 'JWT' }))),
    ).toEqual([]);
  });

  it.each([
    [{ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }, 0],
    [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 2],
    ['not json', 0],
  ])('wildcardViolations(%o) finds %i', (document, count) => {
    expect(wildcardViolations('p', document)).toHaveLength(count);
  });
});
