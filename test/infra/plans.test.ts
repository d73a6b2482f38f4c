/**
 * The stack's deciding logic without Pulumi: names, the route → function plan, function environments and the
 * alarm plan, as plain tables.
 */
import { ROUTES } from '../../lambdas/routes';
import { alarmPlan, callAlarmPlan } from '../../infra/alarm-plan';
import { FALLBACK_KINDS } from '../../lambdas/shared/metrics';
import {
  defaultRouteSettings,
  permissionSourcePath,
  permissionStatementId,
  routePlan,
  routeThrottles,
} from '../../infra/api-plan';
import { functionEnvironment, maxRetryBudgetMs } from '../../infra/functions';
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
    const parts = routePlan().map((r) => r.part);

    // Assert
    expect(new Set(parts).size).toBe(ROUTES.length);
  });

  it.each([
    ['POST /twilio/voice/inbound', 'inbound'],
    ['POST /twilio/voice/agent', 'agent'],
    ['POST /twilio/voice/agent-fallback', 'agent'],
    ['POST /twilio/conference/events', 'events'],
    ['POST /conferences/{conference}/participants', 'participants'],
    ['DELETE /conferences/{conference}/participants/{participant}', 'participants'],
  ])('when the route key is %s, the %s function serves it', (key, handler) => {
    // Act
    const planned = routePlan().find((r) => r.routeKey === key);

    // Assert
    expect(planned?.handler).toBe(handler);
  });

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
    const settings = routeThrottles(THROTTLING).filter((r) => r.routeKey === key);

    // Assert
    expect(settings).toEqual([{ routeKey: key, throttlingRateLimit: rate, throttlingBurstLimit: burst }]);
  });

  it('when the stage is planned, every route of the table has its own settings', () => {
    // Act
    const keys = routeThrottles(THROTTLING).map((r) => r.routeKey);

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
    const ids = routePlan().map(permissionStatementId);

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

  it.each([
    ['inbound', false, { TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth' }],
    ['agent', true, { TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth' }],
    ['events', false, { TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth', TWIML_APP_SID: 'AP1' }],
    [
      'events',
      true,
      { TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth', TWILIO_API_KEY_SECRET_ARN: 'arn:key', TWIML_APP_SID: 'AP1' },
    ],
    [
      'participants',
      false,
      {
        TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:auth',
        PARTICIPANTS_API_TOKEN_SECRET_ARN: 'arn:api',
        TWIML_APP_SID: 'AP1',
      },
    ],
  ] as const)(
    'when the handler is %s and an API key is used: %s, it gets exactly %j',
    (handler, usesApiKey, expected) => {
      // Act
      const env = functionEnvironment(handler, { LOG_LEVEL: 'info' }, arns, usesApiKey, 'AP1');

      // Assert
      expect(env).toEqual({ LOG_LEVEL: 'info', ...expected });
    },
  );

  it('when a secret the function reads is not stored, it refuses', () => {
    // Act / Assert
    expect(() => functionEnvironment('participants', {}, { twilioAuthToken: 'arn:auth' }, false, 'AP1')).toThrow(
      'participants reads participantsApiToken',
    );
  });
});

describe('alarmPlan', () => {
  it('when alarms are planned, every function has an errors and a throttles alarm and the API one on 5xx', () => {
    // Act
    const plan = alarmPlan(['inbound', 'events']);

    // Assert
    expect(plan.map((a) => [a.part, a.namespace, a.metricName])).toEqual([
      ['inbound-errors', 'AWS/Lambda', 'Errors'],
      ['inbound-throttles', 'AWS/Lambda', 'Throttles'],
      ['events-errors', 'AWS/Lambda', 'Errors'],
      ['events-throttles', 'AWS/Lambda', 'Throttles'],
      ['api-5xx', 'AWS/ApiGateway', '5xx'],
    ]);
  });
});

describe('nameLengthProblem', () => {
  const plan = { handlers: ['inbound', 'participants'], secrets: ['participantsApiToken'] as const, alarmParts: [] };
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
