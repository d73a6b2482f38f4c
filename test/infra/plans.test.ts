/**
 * The stack's deciding logic without Pulumi: names, the route → function plan, function environments and the
 * alarm plan, as plain tables.
 */
import { HANDLERS, ROUTES } from '../../lambdas/routes';
import { alarmPlan, callAlarmPlan, canaryAlarmPlan } from '../../infra/alarm-plan';
import {
  accountOfArn,
  CANARY_TIMEOUT_SECONDS,
  canaryConfiguredEnvironment,
  canaryEnvironment,
  canaryScheduleProblem,
  canarySecrets,
  LAMBDA_MAX_TIMEOUT_SECONDS,
} from '../../infra/canary-plan';
import { dashboardBody } from '../../infra/dashboard-plan';
import { invokeFunctionPolicy, schedulerAssumeRolePolicy } from '../../infra/iam';
import { parseSchedule } from '../../infra/schedule';
import { DEFAULT_TIMES, hangUpReserveSeconds, runBudgetSeconds } from '../../lambdas/acceptance/plan';
import { wildcardViolations } from '../../policy/rules';
import { FALLBACK_KINDS } from '../../lambdas/shared/metrics';
import {
  defaultRouteSettings,
  permissionSourcePath,
  permissionStatementId,
  routePlan,
  routeThrottles,
} from '../../infra/api-plan';
import { FUNCTION_SPECS, functionEnvironment, maxRetryBudgetMs } from '../../infra/functions';
import { configuredEnvironment, FUNCTION_LAYOUTS, functionPlan, functionServing } from '../../infra/layout';
import { nameLengthProblem, physicalName, plannedNames, routePart, secretPart } from '../../infra/naming';

describe('physicalName', () => {
  it.each([
    ['voiceai', 'dev', 'inbound', 'voiceai-dev-inbound'],
    ['voiceai', 'Prod_EU.1', 'api', 'voiceai-prod-eu-1-api'],
    ['acme', 'staging', 'participants-api-token', 'acme-staging-participants-api-token'],
  ])('when the prefix is %s and the stack %s, names %s as %s', (prefix, stack, part, expected) => {
    // Act / Assert
    expect(physicalName(prefix, stack, part)).toBe(expected);
  });
});

describe('routePart', () => {
  it.each([
    ['POST', '/twilio/voice/inbound', 'post-twilio-voice-inbound'],
    [
      'PATCH',
      '/conferences/{conference}/participants/{participant}',
      'patch-conferences-conference-participants-participant',
    ],
    ['POST', '/conferences/{conference}/transfers/complete', 'post-conferences-conference-transfers-complete'],
  ] as const)('when the route is %s %s, its resources are named …-%s', (method, path, expected) => {
    // Act / Assert
    expect(routePart({ method, path })).toBe(expected);
  });
});

describe('secretPart', () => {
  it.each([
    ['twilioAuthToken', 'twilio-auth-token'],
    ['twilioApiKeySecret', 'twilio-api-key-secret'],
    ['participantsApiToken', 'participants-api-token'],
  ] as const)('when the secret is %s, its resources are named …-%s', (secret, expected) => {
    // Act / Assert
    expect(secretPart(secret)).toBe(expected);
  });
});

describe('routePlan', () => {
  it('when every route of the table is planned, no two routes share a resource name', () => {
    // Act
    const parts = routePlan('combined').map((r) => r.part);

    // Assert
    expect(new Set(parts).size).toBe(ROUTES.length);
  });

  it.each([
    ['POST /twilio/voice/inbound', 'inbound', 'twilio', 'inbound'],
    ['POST /twilio/voice/agent', 'agent', 'twilio', 'agent'],
    ['POST /twilio/voice/agent-fallback', 'agent', 'twilio', 'agent'],
    ['POST /twilio/voice/agent-ended', 'events', 'twilio', 'events'],
    ['POST /twilio/conference/events', 'events', 'twilio', 'events'],
    ['POST /twilio/calls/status', 'events', 'twilio', 'events'],
    ['POST /conferences/{conference}/participants', 'participants', 'participants', 'participants'],
    ['DELETE /conferences/{conference}/participants/{participant}', 'participants', 'participants', 'participants'],
  ])(
    'when the route key is %s, the %s module answers it, from function %s when combined and %s when split',
    (key, handler, combined, split) => {
      // Act
      const inCombined = routePlan('combined').find((r) => r.routeKey === key);
      const inSplit = routePlan('split').find((r) => r.routeKey === key);

      // Assert
      expect([inCombined?.handler, inCombined?.function]).toEqual([handler, combined]);
      expect([inSplit?.handler, inSplit?.function]).toEqual([handler, split]);
    },
  );

  it('when the throttling is configured, the stage default carries the webhook rate and burst', () => {
    // Act / Assert
    expect(defaultRouteSettings(THROTTLING)).toEqual({ throttlingRateLimit: 50, throttlingBurstLimit: 100 });
  });
});

const THROTTLING = { webhooks: { rateLimit: 50, burstLimit: 100 }, api: { rateLimit: 5, burstLimit: 7 } };

describe('routeThrottles', () => {
  it.each([
    ['POST /twilio/voice/inbound', 50, 100],
    ['POST /twilio/voice/agent-fallback', 50, 100],
    ['POST /twilio/conference/events', 50, 100],
    ['POST /conferences/{conference}/participants', 5, 7],
    ['PATCH /conferences/{conference}/participants/{participant}', 5, 7],
    ['POST /conferences/{conference}/transfers/complete', 5, 7],
  ])('when the route is %s, its own bucket allows %i per second, bursts of %i', (key, rate, burst) => {
    // Act
    const settings = routeThrottles(THROTTLING, routePlan('combined')).filter((r) => r.routeKey === key);

    // Assert
    expect(settings).toEqual([{ routeKey: key, throttlingRateLimit: rate, throttlingBurstLimit: burst }]);
  });

  it('when the stage is planned, every route of the table has its own settings', () => {
    // Act
    const keys = routeThrottles(THROTTLING, routePlan('combined')).map((r) => r.routeKey);

    // Assert
    expect(keys.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });
});

describe('permissionSourcePath', () => {
  it.each([
    ['POST', '/twilio/voice/inbound', '/*/POST/twilio/voice/inbound'],
    ['GET', '/conferences/{conference}/participants', '/*/GET/conferences/*/participants'],
    ['DELETE', '/conferences/{conference}/participants/{participant}', '/*/DELETE/conferences/*/participants/*'],
  ] as const)('when the route is %s %s, API Gateway may invoke for %s only', (method, path, expected) => {
    // Act / Assert
    expect(permissionSourcePath({ method, path })).toBe(expected);
  });

  it('when the longest route is named, its statement ID stays within 100 characters', () => {
    // Act
    const ids = routePlan('combined').map(permissionStatementId);

    // Assert
    expect(Math.max(...ids.map((id) => id.length))).toBeLessThanOrEqual(100);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('maxRetryBudgetMs', () => {
  it.each([
    ['events', 8000],
    ['participants', 14000],
  ] as const)('when the %s function retries, it may spend at most %i ms', (handler, expected) => {
    // Act / Assert
    expect(maxRetryBudgetMs(handler)).toBe(expected);
  });
});

describe('functionEnvironment', () => {
  const arns = {
    twilioAuthToken: 'arn:auth',
    twilioApiKeySecret: 'arn:key',
    participantsApiToken: 'arn:api',
  };
  const auth = { TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth' };
  const key = { TWILIO_API_KEY_SECRET_ARN: 'arn:key' };
  const app = { TWIML_APP_SID: 'AP1' };
  const apiToken = { PARTICIPANTS_API_TOKEN_SECRET_ARN: 'arn:api' };

  it.each([
    ['split', 'inbound', false, auth],
    ['split', 'inbound', true, auth],
    ['split', 'agent', true, auth],
    ['split', 'events', false, { ...auth, ...app }],
    ['split', 'events', true, { ...auth, ...key, ...app }],
    ['split', 'participants', false, { ...auth, ...apiToken, ...app }],
    ['split', 'participants', true, { ...auth, ...key, ...apiToken, ...app }],
    ['combined', 'twilio', false, { ...auth, ...app }],
    ['combined', 'twilio', true, { ...auth, ...key, ...app }],
    ['combined', 'participants', true, { ...auth, ...key, ...apiToken, ...app }],
  ] as const)(
    'when the layout is %s, the %s function with an API key %s gets exactly %j',
    (layout, name, usesApiKey, expected) => {
      // Arrange
      const fn = functionPlan(layout).find((f) => f.name === name)!;

      // Act
      const env = functionEnvironment(fn, { LOG_LEVEL: 'info' }, arns, usesApiKey, 'AP1');

      // Assert
      expect(env).toEqual({ LOG_LEVEL: 'info', ...expected });
    },
  );

  it('when a secret the function reads is not stored, it refuses', () => {
    // Arrange
    const participants = functionServing('combined', 'participants');

    // Act / Assert
    expect(() => functionEnvironment(participants, {}, { twilioAuthToken: 'arn:auth' }, false, 'AP1')).toThrow(
      'participants reads participantsApiToken',
    );
  });
});

describe('functionPlan', () => {
  it.each([
    [
      'combined',
      [
        ['twilio', ['inbound', 'agent', 'events']],
        ['participants', ['participants']],
      ],
    ],
    [
      'split',
      [
        ['inbound', ['inbound']],
        ['agent', ['agent']],
        ['events', ['events']],
        ['participants', ['participants']],
      ],
    ],
  ] as const)('when the layout is %s, it deploys these functions serving these handlers: %j', (layout, expected) => {
    // Act
    const plan = functionPlan(layout).map((f) => [f.name, f.handlers]);

    // Assert
    expect(plan).toEqual(expected);
  });

  it.each([
    ['combined', 'twilio', 14, true, true, ['twilioAuthToken', 'twilioApiKeySecret']],
    ['combined', 'participants', 20, false, true, ['twilioAuthToken', 'twilioApiKeySecret', 'participantsApiToken']],
    ['split', 'inbound', 5, true, false, ['twilioAuthToken']],
    ['split', 'agent', 5, true, false, ['twilioAuthToken']],
    ['split', 'events', 14, true, true, ['twilioAuthToken', 'twilioApiKeySecret']],
    ['split', 'participants', 20, false, true, ['twilioAuthToken', 'twilioApiKeySecret', 'participantsApiToken']],
  ] as const)(
    'when the layout is %s, the %s function times out after %i s, Twilio-facing %s, dialling %s, reading %j',
    (layout, name, timeout, twilioFacing, dials, secrets) => {
      // Act
      const { spec } = functionPlan(layout).find((f) => f.name === name)!;

      // Assert
      expect({ timeout: spec.timeoutSeconds, twilioFacing: spec.twilioFacing, dials: spec.dials }).toEqual({
        timeout,
        twilioFacing,
        dials,
      });
      expect(spec.secrets).toEqual(secrets);
    },
  );

  it.each(FUNCTION_LAYOUTS)('when the layout is %s, every handler is served by exactly one function', (layout) => {
    // Act
    const served = functionPlan(layout).flatMap((f) => f.handlers);

    // Assert
    expect([...served].sort()).toEqual([...HANDLERS].sort());
  });

  it('when combined, what inbound and agent gain over their own functions is the REST credential and dialling settings, nothing of the participants API', () => {
    // Arrange
    const twilio = functionServing('combined', 'inbound');

    // Act
    const gained = twilio.spec.secrets.filter((s) => !FUNCTION_SPECS.inbound.secrets.includes(s));

    // Assert
    expect(gained).toEqual(['twilioApiKeySecret']);
    expect(twilio.spec.secrets).not.toContain('participantsApiToken');
    expect(functionServing('combined', 'agent').name).toBe(twilio.name);
  });
});

describe('configuredEnvironment', () => {
  const combined = functionServing('combined', 'events');

  it('when the handlers of a function share variables with one value, it gets their union', () => {
    // Arrange
    const environment = {
      inbound: { LOG_LEVEL: 'info', CONFERENCE_NAME_PREFIX: 'conf-' },
      agent: { LOG_LEVEL: 'info', AGENT_MODE: 'stream' },
      events: { LOG_LEVEL: 'info', AGENT_LABEL: 'ai-agent' },
      participants: { PARTICIPANTS_ONLY: 'x' },
    };

    // Act
    const env = configuredEnvironment(combined, environment);

    // Assert
    expect(env).toEqual({
      LOG_LEVEL: 'info',
      CONFERENCE_NAME_PREFIX: 'conf-',
      AGENT_MODE: 'stream',
      AGENT_LABEL: 'ai-agent',
    });
  });

  it('when two handlers of a function would need different values of one variable, it refuses', () => {
    // Arrange
    const environment = { inbound: { LOG_LEVEL: 'info' }, agent: { LOG_LEVEL: 'debug' }, events: {}, participants: {} };

    // Act / Assert
    expect(() => configuredEnvironment(combined, environment)).toThrow(
      'twilio serves handlers that need different values of LOG_LEVEL',
    );
  });
});

describe('alarmPlan', () => {
  it('when alarms are planned, every function has an errors and a throttles alarm and the API one on 5xx', () => {
    // Act
    const plan = alarmPlan(['twilio', 'participants']);

    // Assert
    expect(plan.map((a) => [a.part, a.namespace, a.metricName])).toEqual([
      ['twilio-errors', 'AWS/Lambda', 'Errors'],
      ['twilio-throttles', 'AWS/Lambda', 'Throttles'],
      ['participants-errors', 'AWS/Lambda', 'Errors'],
      ['participants-throttles', 'AWS/Lambda', 'Throttles'],
      ['api-5xx', 'AWS/ApiGateway', '5xx'],
    ]);
  });
});

describe('nameLengthProblem', () => {
  const plan = { functions: ['twilio', 'participants'], secrets: ['participantsApiToken'] as const, alarmParts: [] };
  const problem = (prefix: string, stack: string) =>
    nameLengthProblem(prefix, stack, plannedNames(prefix, stack, plan));

  it.each([
    ['voiceai', 'dev'],
    ['a'.repeat(20), 'b'.repeat(22)],
    ['voiceai', 'c'.repeat(35)],
  ])('when the prefix is %s and the stack %s, every name fits', (prefix, stack) => {
    // Act / Assert
    expect(problem(prefix, stack)).toBeUndefined();
  });

  it.each([
    [
      'a'.repeat(20),
      'b'.repeat(23),
      `makes the IAM role of participants 65 characters long, over AWS's 64: keep namePrefix plus the stack name within 42 characters (now 43)`,
    ],
    [
      'a'.repeat(20),
      'production-eu-west-one-ab',
      "makes the IAM role of participants 67 characters long, over AWS's 64",
    ],
    ['x', 'y'.repeat(60), "makes the IAM role of participants 83 characters long, over AWS's 64"],
  ])(
    'when the prefix is %s and the stack %s, it says which name overflows and by how much',
    (prefix, stack, expected) => {
      // Act / Assert
      expect(problem(prefix, stack)).toContain(expected);
    },
  );
});

describe('callAlarmPlan', () => {
  const plan = callAlarmPlan('voiceai-prod', {
    fallbackPercent: 10,
    timeToAgentP95Ms: 10000,
    agentQueueTimeP95Ms: 7000,
    signatureRejectedPer5Min: 5,
  });
  const alarm = (part: string) => plan.find((a) => a.part === part)!;

  it('when fallbacks are rated, every kind counts (a missing kind counts as 0) per 100 calls started', () => {
    // Act
    const { watch } = alarm('fallback-rate');

    // Assert
    if (watch.kind !== 'math') throw new Error('expected metric math');
    const kinds = watch.queries.filter((q) => q.metricName === 'Fallbacks').map((q) => q.dimensions.Kind);
    expect(kinds).toEqual([...FALLBACK_KINDS]);
    for (const q of watch.queries) expect(q.dimensions.Service).toBe('voiceai-prod');
    expect(watch.expression).toMatch(/^100 \* \(FILL\(f0, 0\)( \+ FILL\(f\d, 0\)){4}\) \/ calls$/);
  });

  it.each([
    ['time-to-agent-p95', 10000, 'TimeToAgent', 'p95'],
    ['agent-queue-time-p95', 7000, 'AgentQueueTime', 'p95'],
    ['signature-rejected', 5, 'SignatureRejected', 'Sum'],
  ])('when %s is planned, it watches the threshold %i on %s (%s)', (part, threshold, metricName, stat) => {
    // Act
    const planned = alarm(part);

    // Assert
    expect(planned.threshold).toBe(threshold);
    expect(planned.watch).toEqual({
      kind: 'metric',
      query: expect.objectContaining({ metricName, stat, dimensions: { Service: 'voiceai-prod' } }),
    });
  });
});

describe('the canary plan', () => {
  const schedule = (expression: string) => {
    const parsed = parseSchedule(expression);
    if ('problem' in parsed) throw new Error(parsed.problem);
    return parsed.schedule;
  };

  it('when its timeout is planned, it covers the run’s budget and the hang-up after it, within Lambda’s 900 s', () => {
    // Act / Assert
    expect(CANARY_TIMEOUT_SECONDS).toBeGreaterThan(
      runBudgetSeconds(DEFAULT_TIMES) + hangUpReserveSeconds(DEFAULT_TIMES),
    );
    // The run's own TimeLimit, its alert and hang-up waits fit in the budget the watchdog gives it.
    expect(runBudgetSeconds(DEFAULT_TIMES)).toBeGreaterThan(
      DEFAULT_TIMES.timeLimitSeconds + DEFAULT_TIMES.alertWaitSeconds + DEFAULT_TIMES.hangUpWaitSeconds,
    );
    expect(CANARY_TIMEOUT_SECONDS).toBeLessThanOrEqual(LAMBDA_MAX_TIMEOUT_SECONDS);
  });

  it.each([
    ['without an API key', false, ['twilioAuthToken', 'participantsApiToken']],
    ['with an API key', true, ['twilioApiKeySecret', 'participantsApiToken']],
  ])(
    'when the stack runs %s, the canary reads exactly its REST credential and the API token',
    (_n, usesApiKey, secrets) => {
      // Act / Assert
      expect(canarySecrets(usesApiKey)).toEqual(secrets);
    },
  );

  it.each([
    [false, { TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth' }],
    [true, { TWILIO_API_KEY_SECRET_ARN: 'arn:key' }],
  ])(
    'when the stack uses an API key (%s), the environment carries the API, the App and only its secrets’ ARNs',
    (usesApiKey, credential) => {
      // Arrange
      const arns = { twilioAuthToken: 'arn:auth', twilioApiKeySecret: 'arn:key', participantsApiToken: 'arn:api' };

      // Act
      const env = canaryEnvironment(
        { LOG_LEVEL: 'info' },
        { apiBaseUrl: 'https://api', twimlAppSid: 'AP1' },
        arns,
        usesApiKey,
      );

      // Assert
      expect(env).toEqual({
        LOG_LEVEL: 'info',
        CANARY_API_BASE_URL: 'https://api',
        TWIML_APP_SID: 'AP1',
        PARTICIPANTS_API_TOKEN_SECRET_ARN: 'arn:api',
        ...credential,
      });
    },
  );

  it('when a secret it reads is not stored, it refuses', () => {
    // Act / Assert
    expect(() =>
      canaryEnvironment({}, { apiBaseUrl: 'a', twimlAppSid: 'b' }, { twilioAuthToken: 'arn' }, false),
    ).toThrow('the canary reads participantsApiToken, which the stack does not store');
  });

  it('when its environment is taken from the handlers’, it gets their labels, prefix, mode and account, and its own values', () => {
    // Act
    const env = canaryConfiguredEnvironment({
      stack: 'prod',
      phoneNumber: '+15550001111',
      from: '+15550002222',
      maxCallsPerDay: 96,
      handlers: {
        inbound: { CONFERENCE_NAME_PREFIX: 'room-', CONFERENCE_CALLER_LABEL: 'customer', CONFERENCE_BEEP: 'false' },
        agent: { AGENT_MODE: 'conversation-relay', AGENT_STREAM_URL: 'wss://agent' },
        events: {
          TWILIO_ACCOUNT_SID: 'AC1',
          TWILIO_API_KEY_SID: 'SK1',
          AGENT_LABEL: 'bot',
          SERVICE_NAME: 'voiceai-prod',
          LOG_LEVEL: 'warn',
          AGENT_RETRIES: '1',
        },
      },
    });

    // Assert
    expect(env).toEqual({
      TWILIO_ACCOUNT_SID: 'AC1',
      TWILIO_API_KEY_SID: 'SK1',
      AGENT_LABEL: 'bot',
      SERVICE_NAME: 'voiceai-prod',
      LOG_LEVEL: 'warn',
      CONFERENCE_NAME_PREFIX: 'room-',
      CONFERENCE_CALLER_LABEL: 'customer',
      AGENT_MODE: 'conversation-relay',
      CANARY_STACK: 'prod',
      CANARY_PHONE_NUMBER: '+15550001111',
      CANARY_FROM_NUMBER: '+15550002222',
      CANARY_MAX_CALLS_PER_DAY: '96',
    });
  });

  it.each([
    ['rate(15 minutes)', 100, 2, undefined],
    ['rate(15 minutes)', 96, 96, undefined],
    ['cron(0/30 * * * ? *)', 48, 2, undefined],
    ['rate(1 day)', 1, 7, undefined],
    [
      'rate(10 minutes)',
      100,
      2,
      'canarySchedule: rate(10 minutes) places up to 144 test calls a day, over canaryMaxCallsPerDay (100): choose a slower schedule or raise the cap',
    ],
    [
      'rate(2 minutes)',
      1440,
      2,
      "canarySchedule: rate(2 minutes) starts a run 120 s after another, but a run may take up to 150 s (the canary's timeout): runs must not overlap",
    ],
    [
      'cron(0,2 * * * ? *)',
      100,
      2,
      "canarySchedule: cron(0,2 * * * ? *) starts a run 120 s after another, but a run may take up to 150 s (the canary's timeout): runs must not overlap",
    ],
    [
      'cron(0 9 ? * MON-FRI *)',
      100,
      2,
      'canarySchedule: cron(0 9 ? * MON-FRI *) leaves days out; the canary must run every day',
    ],
    [
      'rate(15 minutes)',
      100,
      97,
      "canaryAlarmAfterFailures: 97 runs of rate(15 minutes) span 87300 s, over CloudWatch's 86400 s for an alarm with a 900 s period",
    ],
    [
      'rate(1 day)',
      100,
      8,
      "canaryAlarmAfterFailures: 8 runs of rate(1 day) span 691200 s, over CloudWatch's 604800 s for an alarm with a 86400 s period",
    ],
  ])(
    'when the schedule is %s, the cap %i and the alarm after %i failures, the problem is %s',
    (expression, cap, n, expected) => {
      // Act
      const problem = canaryScheduleProblem(schedule(expression), { maxCallsPerDay: cap, alarmAfterFailures: n });

      // Assert
      if (expected === undefined) expect(problem).toBeUndefined();
      else expect(`${problem?.key}: ${problem?.reason}`).toContain(expected);
    },
  );

  it('when the alarm is planned, it fires below one passing run in N periods of the schedule, counting a period without a run', () => {
    // Act
    const alarm = canaryAlarmPlan('voiceai-prod', {
      schedule: 'rate(15 minutes)',
      periodSeconds: 900,
      alarmAfterFailures: 3,
    });

    // Assert
    expect(alarm).toMatchObject({
      part: 'canary-failing',
      threshold: 1,
      comparison: 'LessThanThreshold',
      missingData: 'breaching',
      periodSeconds: 900,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      watch: {
        kind: 'metric',
        query: { metricName: 'CanarySuccess', dimensions: { Service: 'voiceai-prod' }, stat: 'Minimum' },
      },
    });
    expect(alarm.description).toContain('No passing canary test call in 3 periods in a row of 900 s');
  });

  it('when Scheduler assumes the schedule’s role, only for this account, and may invoke the canary only', () => {
    // Arrange
    const fn = 'arn:aws:lambda:eu-west-1:210987654321:function:voiceai-prod-canary';

    // Act
    const trust = schedulerAssumeRolePolicy(accountOfArn(fn));
    const invoke = invokeFunctionPolicy(fn);

    // Assert
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '210987654321' } },
      },
    ]);
    expect(invoke.Statement).toEqual([
      { Sid: 'InvokeCanary', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [fn] },
    ]);
    expect(wildcardViolations('schedule role', invoke)).toEqual([]);
  });

  it.each(['arn:aws:lambda:us-east-1::function:x', 'not-an-arn'])(
    'when the ARN %s has no account, it refuses',
    (arn) => {
      // Act / Assert
      expect(() => accountOfArn(arn)).toThrow(`no account in ARN ${arn}`);
    },
  );

  it.each([
    ['a'.repeat(20), 'b'.repeat(22), undefined],
    ['a'.repeat(20), 'b'.repeat(23), 'keep namePrefix plus the stack name within 42 characters'],
  ])(
    'when the prefix is %s and the stack %s, the canary’s names keep the stack’s limit (%s)',
    (prefix, stack, expected) => {
      // Act
      const problem = nameLengthProblem(
        prefix,
        stack,
        plannedNames(prefix, stack, {
          functions: ['twilio', 'participants'],
          canary: true,
          secrets: [],
          alarmParts: ['canary-failing'],
        }),
      );

      // Assert
      if (expected === undefined) expect(problem).toBeUndefined();
      else expect(problem).toContain(expected);
    },
  );
});

describe('dashboardBody with and without the canary', () => {
  const target = {
    service: 'voiceai-prod',
    region: 'us-east-1',
    apiId: 'api1',
    functions: [{ part: 'twilio', name: 'voiceai-prod-twilio' }],
  };

  it('when the stack runs a canary, a row graphs its runs and time to agent, one point per schedule period', () => {
    // Act
    const { widgets } = dashboardBody({
      ...target,
      canary: { schedule: 'rate(15 minutes)', periodSeconds: 900, functionName: 'voiceai-prod-canary' },
    });

    // Assert
    const canary = widgets.filter((w) => String(w.properties.title).startsWith('Canary'));
    expect(canary.map((w) => [w.properties.title, w.properties.period])).toEqual([
      ['Canary test calls (rate(15 minutes)): passed 1, failed 0', 900],
      ['Canary: dial to agent connected, and run duration (ms)', 900],
    ]);
    expect(JSON.stringify(canary)).toContain(
      '["VoiceAiConference","CanarySuccess","Service","voiceai-prod",{"stat":"Minimum"',
    );
    expect(JSON.stringify(canary)).toContain('"AWS/Lambda","Duration","FunctionName","voiceai-prod-canary"');
  });

  it('when the stack runs none, no canary metric is on the dashboard', () => {
    // Act / Assert
    expect(JSON.stringify(dashboardBody(target))).not.toContain('Canary');
  });
});
