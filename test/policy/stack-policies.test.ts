/**
 * The policy pack against the resources the real program declares under mocks: every stack fixture passes, and a
 * deliberately broken copy of each checked property fails with a readable message.
 */
import { evaluate, TYPES, type PolicyResource } from '../../policy/rules';
import { runProgram, type CapturedResource } from '../infra/support/program';
import { fixtureNames } from '../support/stack-fixtures';

// A program run is seconds of CPU; on a loaded 2-core machine, with another heavy file in the other worker, the
// first (cold) one has taken more than jest's 30 s.
jest.setTimeout(120_000);

const asPolicyResources = (resources: CapturedResource[]): PolicyResource[] =>
  resources.map((r) => ({ type: r.type, name: r.name, props: JSON.parse(JSON.stringify(r.inputs)) }));

describe.each<[string, Record<string, string>]>([
  ...fixtureNames().map((f): [string, Record<string, string>] => [f, {}]),
  ['minimal-dev', { functionLayout: 'split' }],
  ['production-like', { functionLayout: 'split', provisionedConcurrency: '2' }],
  ['production-like', { provisionedConcurrency: '2' }],
])('fixture %s with %j', (fixture, overrides) => {
  it('passes every policy', async () => {
    // Arrange
    const run = await runProgram(fixture, overrides);

    // Act
    const violations = evaluate(asPolicyResources(run.resources));

    // Assert
    expect(violations).toEqual([]);
  });
});

/** The minimal-dev fixture's resources with one resource of `type` (named *`nameEnding`) changed. */
async function brokenStack(
  type: string,
  nameEnding: string,
  change: (props: Record<string, any>) => void,
): Promise<PolicyResource[]> {
  const run = await runProgram('minimal-dev');
  let changed = 0;
  const resources = asPolicyResources(run.resources).map((r) => {
    if (r.type !== type || !r.name.endsWith(nameEnding) || changed++ > 0) return r;
    change(r.props);
    return r;
  });
  if (changed === 0) throw new Error(`no ${type} named *${nameEnding}`);
  return resources;
}

describe('a broken copy of the production-like stack', () => {
  it('fails on an alarm nobody hears, with a readable message', async () => {
    // Arrange
    const run = await runProgram('production-like');
    const resources = asPolicyResources(run.resources).map((r) =>
      r.type === TYPES.alarm && r.name.endsWith('-fallback-rate')
        ? { ...r, props: { ...r.props, alarmActions: [] } }
        : r,
    );

    // Act
    const violations = evaluate(resources);

    // Assert
    expect(violations).toEqual([
      "[alarm-notifies] voiceai-prod-fallback-rate: alarm has no alarmActions; send it to the stack's alarm topic",
    ]);
  });
});

describe('a broken copy of the stack', () => {
  it.each([
    [
      'an Auth Token in a function environment',
      TYPES.lambda,
      '-twilio',
      (p: any): void => {
        p.environment.variables.TWILIO_AUTH_TOKEN = 'f'.repeat(32);
      },
      '[lambda-no-plaintext-secrets] voiceai-dev-twilio: environment variable TWILIO_AUTH_TOKEN holds a secret value',
    ],
    [
      'a credential-shaped value under an innocent name',
      TYPES.lambda,
      '-participants',
      (p: any): void => {
        p.environment.variables.EXTRA = '0123456789abcdef0123456789abcdef';
      },
      '[lambda-no-plaintext-secrets] voiceai-dev-participants: environment variable EXTRA looks like a credential',
    ],
    [
      'a log group without retention',
      TYPES.logGroup,
      '-twilio',
      (p: any): void => {
        delete p.retentionInDays;
      },
      '[log-retention-set] voiceai-dev-twilio: log group has no retentionInDays',
    ],
    [
      'an unthrottled stage',
      TYPES.stage,
      '-default',
      (p: any): void => {
        delete p.defaultRouteSettings.throttlingRateLimit;
      },
      '[api-stage-throttled] voiceai-dev-default: stage has no defaultRouteSettings.throttlingRateLimit',
    ],
    [
      'a Twilio-facing function allowed 30 s',
      TYPES.lambda,
      '-twilio',
      (p: any): void => {
        p.timeout = 30;
      },
      '[lambda-timeout-below-twilio-limit] voiceai-dev-twilio',
    ],
    [
      'a role policy on every resource',
      TYPES.rolePolicy,
      '-participants',
      (p: any): void => {
        p.policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: '*' }],
        });
      },
      '[iam-no-wildcards] voiceai-dev-participants: statement allows secretsmanager:GetSecretValue on Resource "*"',
    ],
    [
      'a permission any API may use',
      TYPES.permission,
      '-post-twilio-voice-inbound',
      (p: any): void => {
        delete p.sourceArn;
      },
      '[lambda-permission-scoped] voiceai-dev-post-twilio-voice-inbound: API Gateway permission has no sourceArn',
    ],
    [
      'a route outside the route table without an authorizer',
      TYPES.route,
      '-post-twilio-voice-inbound',
      (p: any): void => {
        p.routeKey = 'POST /debug';
      },
      [
        '[routes-authenticated-or-verified] voiceai-dev-post-twilio-voice-inbound: route "POST /debug" has no authorizer',
        '[routes-throttled-separately] voiceai-dev-post-twilio-voice-inbound: route "POST /debug" has no throttling of its own',
      ],
    ],
    [
      'a permission for every route of the API',
      TYPES.permission,
      '-post-conferences-conference-participants',
      (p: any): void => {
        p.sourceArn = p.sourceArn.replace(/\/\*\/POST\/.*$/, '/*/*');
      },
      '[lambda-permission-scoped] voiceai-dev-post-conferences-conference-participants: API Gateway permission',
    ],
    [
      'a webhook route sharing the stage default bucket',
      TYPES.stage,
      '-default',
      (p: any): void => {
        p.routeSettings = p.routeSettings.filter(
          (r: { routeKey: string }) => r.routeKey !== 'POST /twilio/voice/agent',
        );
      },
      '[routes-throttled-separately] voiceai-dev-post-twilio-voice-agent: route "POST /twilio/voice/agent" has no throttling of its own',
    ],
  ])('fails on %s with a readable message', async (_name, type, nameEnding, change, message) => {
    // Arrange
    const resources = await brokenStack(type, nameEnding, change);

    // Act
    const violations = evaluate(resources);

    // Assert
    const expected = Array.isArray(message) ? message : [message];
    expect(violations).toHaveLength(expected.length);
    expected.forEach((m, i) => {
      expect(violations[i]).toContain(m);
    });
  });
});

describe('a canary without its alarm', () => {
  it('when the stack is production (canary-on with alarms false), fails: nobody would hear the canary fail', async () => {
    // Arrange
    const run = await runProgram('canary-on', { alarms: 'false' });

    // Act
    const violations = evaluate(asPolicyResources(run.resources));

    // Assert
    expect(violations).toEqual([
      '[canary-alarmed-in-production] voiceai-live-canary: the canary of a production stack has no alarm on CanarySuccess (Service voiceai-live) that notifies anyone; set alarms: true',
    ]);
  });

  it('when the stack is pre-production, passes: a development canary may report to the dashboard only', async () => {
    // Arrange
    const run = await runProgram('canary-on', { alarms: 'false', releaseStage: 'pre-production' });

    // Act
    const violations = evaluate(asPolicyResources(run.resources));

    // Assert
    expect(violations).toEqual([]);
  });

  it('when a production canary’s alarm notifies nobody, fails twice: the alarm and the canary', async () => {
    // Arrange
    const run = await runProgram('canary-on');
    const resources = asPolicyResources(run.resources).map((r) =>
      r.type === TYPES.alarm && r.name.endsWith('-canary-failing')
        ? { ...r, props: { ...r.props, alarmActions: [] } }
        : r,
    );

    // Act
    const violations = evaluate(resources);

    // Assert
    expect(violations).toEqual([
      "[alarm-notifies] voiceai-live-canary-failing: alarm has no alarmActions; send it to the stack's alarm topic",
      '[canary-alarmed-in-production] voiceai-live-canary: the canary of a production stack has no alarm on CanarySuccess (Service voiceai-live) that notifies anyone; set alarms: true',
    ]);
  });
});
