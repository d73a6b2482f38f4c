/**
 * The canary as the real program declares it under mocks (fixture canary-on, and variants): the function, its role
 * and secrets, the schedule and its role, the alarm; and a stack without `canarySchedule` declares none of it.
 */
import * as path from 'node:path';
import {
  RESOURCE_TYPES,
  ROOT,
  runProgram,
  TEST_API_KEY_SECRET,
  TEST_API_TOKEN,
  TEST_AUTH_TOKEN,
  type ProgramRun,
} from './support/program';

// A program run is seconds of CPU; on a loaded 2-core machine, with another heavy file in the other worker, the
// first (cold) one has taken more than jest's 30 s.
jest.setTimeout(120_000);

const T = RESOURCE_TYPES;

type Env = Record<string, string>;
const policyOf = (run: ProgramRun, name: string) =>
  JSON.parse(String(run.one(T.rolePolicy, name).inputs.policy)) as {
    Statement: { Sid: string; Action: string[]; Resource: string[] }[];
  };

describe('fixture canary-on', () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram('canary-on');
  });

  it('declares the canary function from dist/canary: arm64, 256 MB, 150 s, one run at a time, no asynchronous retries', async () => {
    // Act
    const fn = run.one(T.fn, '-canary').inputs;

    // Assert
    expect(fn).toMatchObject({
      name: 'voiceai-live-canary',
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      memorySize: 256,
      timeout: 150,
      reservedConcurrentExecutions: 1,
      loggingConfig: { logGroup: '/aws/lambda/voiceai-live-canary' },
      tags: { 'voiceai:canary': 'true', 'voiceai:release-stage': 'production', 'voiceai:twilio-facing': 'false' },
    });
    expect(await (fn.code as { path: Promise<string> }).path).toBe(path.join(ROOT, 'dist', 'canary'));
    expect(run.one(T.invokeConfig, '-canary').inputs).toEqual({
      functionName: 'voiceai-live-canary',
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
    });
    expect(run.one(T.logGroup, '-canary').inputs).toMatchObject({ retentionInDays: 30 });
  });

  it('gives it the stack’s API, App, number and caller ID, and only ARNs of the Auth Token and the API token', () => {
    // Arrange
    const env = (run.one(T.fn, '-canary').inputs.environment as { variables: Env }).variables;
    const arn = (part: string) => run.one(T.secret, part).state.arn;

    // Act
    const secretVariables = Object.keys(env).filter((k) => /SECRET_ARN$/.test(k));

    // Assert
    expect(env).toMatchObject({
      CANARY_API_BASE_URL: run.outputs.apiBaseUrl,
      TWIML_APP_SID: run.outputs.twimlAppSid,
      CANARY_PHONE_NUMBER: '+15005550020',
      CANARY_FROM_NUMBER: '+15005550021',
      CANARY_STACK: 'live',
      CANARY_MAX_CALLS_PER_DAY: '100',
      SERVICE_NAME: 'voiceai-live',
    });
    expect(secretVariables.sort()).toEqual(['PARTICIPANTS_API_TOKEN_SECRET_ARN', 'TWILIO_AUTH_TOKEN_SECRET_ARN']);
    expect(env.TWILIO_AUTH_TOKEN_SECRET_ARN).toBe(arn('-twilio-auth-token'));
    const text = JSON.stringify(env);
    for (const secret of [TEST_AUTH_TOKEN, TEST_API_TOKEN]) expect(text).not.toContain(secret);
  });

  it('lets its role write its own log group and read exactly the two secrets it uses', () => {
    // Arrange
    const arn = (part: string) => run.one(T.secret, part).state.arn;

    // Act
    const { Statement } = policyOf(run, 'voiceai-live-canary');

    // Assert
    expect(Statement).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: ['arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/voiceai-live-canary:*'],
      },
      {
        Sid: 'ReadOwnSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [arn('-twilio-auth-token'), arn('-participants-api-token')],
      },
    ]);
  });

  it('schedules it with canarySchedule, no flexible window and no retries, through a role Scheduler assumes for this account only', () => {
    // Arrange
    const fn = run.one(T.fn, '-canary');
    const schedulerRole = run.one(T.role, '-canary-sched');

    // Act
    const schedule = run.one(T.schedule, '-canary').inputs as Record<string, any>;

    // Assert
    expect(schedule).toMatchObject({
      name: 'voiceai-live-canary',
      scheduleExpression: 'rate(15 minutes)',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fn.state.arn,
        roleArn: schedulerRole.state.arn,
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
    expect(JSON.parse(schedule.target.input)).toEqual({
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
    });
    expect(JSON.parse(String(schedulerRole.inputs.assumeRolePolicy)).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
    expect(policyOf(run, 'voiceai-live-canary-sched').Statement).toEqual([
      { Sid: 'InvokeCanary', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [fn.state.arn] },
    ]);
  });

  it('alarms to the stack’s topic after 3 periods of 15 minutes without a passing run, and graphs the canary', () => {
    // Act
    const alarm = run.one(T.alarm, '-canary-failing').inputs;

    // Assert
    expect(alarm).toMatchObject({
      namespace: 'VoiceAiConference',
      metricName: 'CanarySuccess',
      dimensions: { Service: 'voiceai-live' },
      statistic: 'Minimum',
      period: 900,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      alarmActions: [run.one(T.topic, '-alarms').state.arn],
    });
    expect(String(run.one(T.dashboard, '-dashboard').inputs.dashboardBody)).toContain(
      '"AWS/Lambda","Duration","FunctionName","voiceai-live-canary"',
    );
  });
});

describe('fixture canary-on with an API key and alarms off', () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram('canary-on', {
      twilioApiKeySid: `SK${'b'.repeat(32)}`,
      twilioApiKeySecret: TEST_API_KEY_SECRET,
      alarms: 'false',
    });
  });

  it('reads the API key secret instead of the Auth Token, which it then never holds', () => {
    // Arrange
    const arn = (part: string) => run.one(T.secret, part).state.arn;

    // Act
    const env = (run.one(T.fn, '-canary').inputs.environment as { variables: Env }).variables;

    // Assert
    expect(env.TWILIO_API_KEY_SID).toBe(`SK${'b'.repeat(32)}`);
    expect(env.TWILIO_API_KEY_SECRET_ARN).toBe(arn('-twilio-api-key-secret'));
    expect(env.TWILIO_AUTH_TOKEN_SECRET_ARN).toBeUndefined();
    expect(policyOf(run, 'voiceai-live-canary').Statement[1].Resource).toEqual([
      arn('-twilio-api-key-secret'),
      arn('-participants-api-token'),
    ]);
  });

  it('still runs and graphs the canary, without an alarm (a production stack then fails the policy pack)', () => {
    // Act / Assert
    expect(run.byType(T.schedule)).toHaveLength(1);
    expect(run.byType(T.alarm)).toEqual([]);
    expect(String(run.one(T.dashboard, '-dashboard').inputs.dashboardBody)).toContain('CanarySuccess');
  });
});

describe('a stack without canarySchedule (minimal-dev)', () => {
  it('declares no canary: no function, schedule, role or alarm of it', async () => {
    // Act
    const run = await runProgram('minimal-dev');

    // Assert
    expect(run.resources.filter((r) => r.name.includes('canary')).map((r) => r.name)).toEqual([]);
    expect(run.byType(T.schedule)).toEqual([]);
  });
});
