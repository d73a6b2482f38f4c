/**
 * The Pulumi program under mocks, for each stack fixture (test/fixtures/stacks): each resource exists with the intended
 * properties and the wiring holds (number -> inbound route of this API, App -> agent route, route -> function,
 * permissions -> this API, no plaintext secret in any function, IAM names specific ARNs).
 */
import * as path from 'node:path';
import { API_PATHS, HANDLERS, ROUTES, routeKey, TWILIO_PATHS, type HandlerName } from '../../lambdas/routes';
import {
  GENERATED_TOKEN,
  RESOURCE_TYPES,
  ROOT,
  runProgram,
  TEST_API_KEY_SECRET,
  TEST_API_TOKEN,
  TEST_AUTH_TOKEN,
  type ProgramRun,
} from './support/program';
import { stackFixture } from '../support/stack-fixtures';

// A program run is seconds of CPU; on a loaded 2-core machine, with another heavy file in the other worker, the
// first (cold) one has taken more than jest's 30 s.
jest.setTimeout(120_000);

const T = RESOURCE_TYPES;

type Env = Record<string, string>;
type Layout = 'combined' | 'split';

/** The function (name part) that serves each handler, and each function's timeout and Twilio-facing tag, per layout. */
const LAYOUTS: Record<Layout, { serving: Record<HandlerName, string>; functions: Record<string, [number, boolean]> }> =
  {
    combined: {
      serving: { inbound: 'twilio', agent: 'twilio', events: 'twilio', participants: 'participants' },
      functions: { twilio: [14, true], participants: [20, false] },
    },
    split: {
      serving: { inbound: 'inbound', agent: 'agent', events: 'events', participants: 'participants' },
      functions: { inbound: [5, true], agent: [5, true], events: [14, true], participants: [20, false] },
    },
  };
const overridesOf = (layout: Layout) => (layout === 'combined' ? {} : { functionLayout: layout });

/** The environment of the function that serves `handler`. */
const envOf = (run: ProgramRun, handler: HandlerName, layout: Layout = 'combined'): Env =>
  (run.one(T.fn, `-${LAYOUTS[layout].serving[handler]}`).inputs.environment as { variables: Env }).variables;

describe.each([
  ['minimal-dev', 'combined'],
  ['production-like', 'combined'],
  ['minimal-dev', 'split'],
  ['production-like', 'split'],
] as const)('fixture %s, function layout %s', (fixture, layout) => {
  let run: ProgramRun;
  const { config: cfg, stackName: stack } = stackFixture(fixture);
  const apiEndpoint = `https://voiceai-${stack}-api-id.execute-api.us-east-1.amazonaws.com`;
  const domain = cfg['voice-ai-conference:customDomainName'];
  const base = domain ? `https://${domain}` : (cfg['voice-ai-conference:publicBaseUrl'] ?? apiEndpoint);
  const { serving, functions: expectedFunctions } = LAYOUTS[layout];
  const names = Object.keys(expectedFunctions);

  beforeAll(async () => {
    run = await runProgram(fixture, overridesOf(layout));
  });

  it('declares the layout’s functions on nodejs22.x arm64, each from its bundle folder, with explicit timeout and memory', async () => {
    // Act
    const functions = run.byType(T.fn);

    // Assert
    expect(functions.map((f) => f.inputs.name).sort()).toEqual(names.map((n) => `voiceai-${stack}-${n}`).sort());
    for (const f of functions) {
      const name = String(f.inputs.name).split('-').pop()!;
      const [timeout, twilioFacing] = expectedFunctions[name];
      expect(f.inputs).toMatchObject({
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        timeout,
        memorySize: Number(cfg['voice-ai-conference:lambdaMemoryMb']),
      });
      expect(f.inputs.publish).toBeUndefined();
      expect((f.inputs.tags as Env)['voiceai:twilio-facing']).toBe(String(twilioFacing));
      expect((f.inputs.loggingConfig as Env).logGroup).toBe(`/aws/lambda/voiceai-${stack}-${name}`);
      expect(await (f.inputs.code as { path: Promise<string> }).path).toBe(path.join(ROOT, 'dist', name));
    }
    expect(run.byType(T.alias)).toEqual([]);
    expect(run.byType(T.provisioned)).toEqual([]);
  });

  it('gives every function its own log group with the configured retention', () => {
    // Arrange
    const retention = Number(cfg['voice-ai-conference:logRetentionDays']);

    // Act
    const groups = run.byType(T.logGroup);

    // Assert
    for (const n of names)
      expect(groups.find((g) => g.inputs.name === `/aws/lambda/voiceai-${stack}-${n}`)?.inputs.retentionInDays).toBe(
        retention,
      );
    expect(groups.every((g) => g.inputs.retentionInDays === retention)).toBe(true);
  });

  it('exports, per handler, the name of the function that serves it', () => {
    // Act
    const exported = run.outputs.functionNames;

    // Assert
    expect(exported).toEqual(Object.fromEntries(HANDLERS.map((h) => [h, `voiceai-${stack}-${serving[h]}`])));
  });

  it('points the phone number at the inbound route of this stack’s API, never a voice application', () => {
    // Act
    const number = run.byType(T.number);

    // Assert
    expect(number).toHaveLength(1);
    expect(number[0].inputs).toMatchObject({
      phoneNumber: cfg['voice-ai-conference:phoneNumber'],
      voiceUrl: base + TWILIO_PATHS.inbound,
      voiceMethod: 'POST',
    });
    expect(run.outputs.inboundWebhookUrl).toBe(base + TWILIO_PATHS.inbound);
  });

  it('points the TwiML App at the agent route, with the fallback route', () => {
    // Act
    const app = run.one(T.app, '-agent-app');

    // Assert
    expect(app.inputs).toMatchObject({
      voiceUrl: base + TWILIO_PATHS.agent,
      voiceMethod: 'POST',
      voiceFallbackUrl: base + TWILIO_PATHS.agentFallback,
    });
    expect(String(app.inputs.friendlyName)).toContain(stack);
    expect(String(app.inputs.friendlyName).length).toBeLessThanOrEqual(64);
  });

  it('hands the App SID to the functions that dial the agent', () => {
    // Arrange
    const appSid = run.one(T.app, '-agent-app').state.sid;

    // Act / Assert
    expect(envOf(run, 'events', layout).TWIML_APP_SID).toBe(appSid);
    expect(envOf(run, 'participants', layout).TWIML_APP_SID).toBe(appSid);
    if (layout === 'split') expect(envOf(run, 'inbound', layout).TWIML_APP_SID).toBeUndefined();
    expect(run.outputs.twimlAppSid).toBe(appSid);
  });

  it('routes every entry of the route table to the function serving its handler through an AWS_PROXY 2.0 integration', () => {
    // Arrange
    const integrations = new Map(run.byType(T.integration).map((i) => [`integrations/${i.name}-id`, i]));

    // Act
    const routes = run.byType(T.route);

    // Assert
    expect(routes.map((r) => r.inputs.routeKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    expect(integrations.size).toBe(names.length);
    for (const route of ROUTES) {
      const declared = routes.find((r) => r.inputs.routeKey === routeKey(route))!;
      const integration = integrations.get(String(declared.inputs.target))!;
      expect(integration.inputs).toMatchObject({
        integrationType: 'AWS_PROXY',
        payloadFormatVersion: '2.0',
        apiId: `voiceai-${stack}-api-id`,
      });
      expect(integration.inputs.integrationUri).toBe(run.one(T.fn, `-${serving[route.handler]}`).state.arn);
    }
  });

  it('lets this API invoke each function only for that function’s own routes', () => {
    // Arrange
    const executionArn = `arn:aws:execute-api:us-east-1:123456789012:voiceai-${stack}-api-id`;
    const functionOf = (name: unknown) => String(name).replace(`voiceai-${stack}-`, '');

    // Act
    const permissions = run.byType(T.permission);

    // Assert
    const granted = permissions.map((p) => [functionOf(p.inputs.function), p.inputs.sourceArn]);
    expect(granted).toHaveLength(ROUTES.length);
    expect(new Set(granted.map(([, arn]) => arn)).size).toBe(ROUTES.length);
    for (const example of [
      [serving.inbound, `${executionArn}/*/POST/twilio/voice/inbound`],
      [serving.agent, `${executionArn}/*/POST/twilio/voice/agent`],
      [serving.agent, `${executionArn}/*/POST/twilio/voice/agent-fallback`],
      [serving.events, `${executionArn}/*/POST/twilio/conference/events`],
      ['participants', `${executionArn}/*/GET/conferences/*/participants`],
      ['participants', `${executionArn}/*/POST/conferences/*/participants`],
      ['participants', `${executionArn}/*/PATCH/conferences/*/participants/*`],
      ['participants', `${executionArn}/*/POST/conferences/*/transfers/complete`],
    ])
      expect(granted).toContainEqual(example);
    for (const [fn, arn] of granted) {
      const route = ROUTES.find((r) => String(arn).endsWith(`/*/${r.method}${r.path.replace(/\{\w+\}/g, '*')}`));
      expect([arn, route && serving[route.handler]]).toEqual([arn, fn]);
    }
    for (const p of permissions) {
      expect(p.inputs).toMatchObject({ action: 'lambda:InvokeFunction', principal: 'apigateway.amazonaws.com' });
      expect(p.inputs.qualifier).toBeUndefined();
    }
  });

  it('throttles each route in its own bucket: the webhooks at the webhook limits, the participants API at its own', () => {
    // Arrange
    const webhooks = {
      throttlingRateLimit: Number(cfg['voice-ai-conference:throttlingRateLimit']),
      throttlingBurstLimit: Number(cfg['voice-ai-conference:throttlingBurstLimit']),
    };
    const api = {
      throttlingRateLimit: Number(cfg['voice-ai-conference:apiThrottlingRateLimit'] ?? 10),
      throttlingBurstLimit: Number(cfg['voice-ai-conference:apiThrottlingBurstLimit'] ?? 20),
    };

    // Act
    const [stage] = run.byType(T.stage);

    // Assert
    expect(stage.inputs).toMatchObject({ name: '$default', autoDeploy: true, defaultRouteSettings: webhooks });
    const settings = stage.inputs.routeSettings as { routeKey: string }[];
    expect(settings.map((r) => r.routeKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const route of ROUTES)
      expect(settings.find((r) => r.routeKey === routeKey(route))).toMatchObject(
        route.path.startsWith('/twilio/') ? webhooks : api,
      );
  });

  it('keeps every secret out of function environments: only secret ARNs', () => {
    // Act
    const environments = HANDLERS.map((h) => envOf(run, h, layout));

    // Assert
    for (const env of environments) {
      const text = JSON.stringify(env);
      for (const secret of [TEST_AUTH_TOKEN, TEST_API_TOKEN, GENERATED_TOKEN, TEST_API_KEY_SECRET])
        expect(text).not.toContain(secret);
      expect(env.TWILIO_AUTH_TOKEN_SECRET_ARN).toMatch(/^arn:aws:secretsmanager:/);
      expect(Object.keys(env).filter((k) => /(TOKEN|SECRET)$/.test(k))).toEqual([]);
    }
    expect(envOf(run, 'participants', layout).PARTICIPANTS_API_TOKEN_SECRET_ARN).toMatch(/participants-api-token/);
    expect(envOf(run, 'inbound', layout).PARTICIPANTS_API_TOKEN_SECRET_ARN).toBeUndefined();
  });

  it('grants each role its own log group and exactly the secrets its function reads', () => {
    // Arrange
    const secretArn = (part: string) => run.one(T.secret, part).state.arn;

    // Act
    const policies = Object.fromEntries(
      run.byType(T.rolePolicy).map((p) => [p.name.split('-').pop(), JSON.parse(String(p.inputs.policy))]),
    );

    // Assert
    expect(Object.keys(policies).sort()).toEqual([...names].sort());
    for (const name of names) {
      const statements = policies[name].Statement as { Action: string[]; Resource: string[] }[];
      expect(statements.flatMap((s) => s.Resource).some((r) => r === '*' || r.endsWith(':*:*'))).toBe(false);
      expect(statements[0].Resource).toEqual([
        `arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/voiceai-${stack}-${name}:*`,
      ]);
    }
    // No API key in the fixtures: the Auth Token is the only Twilio secret, whichever the layout.
    expect(policies[serving.inbound].Statement[1].Resource).toEqual([secretArn('-twilio-auth-token')]);
    expect(policies[serving.events].Statement[1].Resource).toEqual([secretArn('-twilio-auth-token')]);
    expect(policies.participants.Statement[1].Resource).toEqual([
      secretArn('-twilio-auth-token'),
      secretArn('-participants-api-token'),
    ]);
  });

  it('stores the Auth Token and the API token in Secrets Manager', () => {
    // Act
    const versions = run.byType(T.secretVersion).map((v) => v.name);

    // Assert
    expect(versions.sort()).toEqual([`voiceai-${stack}-participants-api-token`, `voiceai-${stack}-twilio-auth-token`]);
  });

  it('exports the URLs, the App SID, the number and the add_agent command, sending only context names the stack allows', () => {
    // Act
    const { outputs } = run;
    const command = String(outputs.addAgentCommand);
    const body = JSON.parse(/ -d '([^']*)'/.exec(command)?.[1] ?? 'null');

    // Assert
    expect(outputs.apiBaseUrl).toBe(base);
    expect(outputs.participantsEndpoint).toBe(base + API_PATHS.participants);
    expect(outputs.phoneNumber).toBe(cfg['voice-ai-conference:phoneNumber']);
    expect(command).toMatch(/^add_agent\(\) \{$/m);
    expect(command).toContain(`'${base}/conferences/'"$1"'/participants'`);
    expect(command).toContain(`$(pulumi stack output --stack ${stack} --show-secrets participantsApiToken)`);
    expect(command).not.toContain(TEST_API_TOKEN);
    // Pulumi.dev.yaml allows customerId and language; Pulumi.prod.yaml customerId only (no ticket in either).
    expect(body).toEqual({
      context: stack === 'dev' ? { customerId: '42', language: 'en-US' } : { customerId: '42' },
    });
  });
});

describe('custom domain (production-like)', () => {
  it('maps the domain to the $default stage, adds its alias record and gives Twilio and the functions https://<domain>', async () => {
    // Arrange
    const cfg = stackFixture('production-like').config;
    const domain = cfg['voice-ai-conference:customDomainName'];

    // Act
    const run = await runProgram('production-like');

    // Assert
    const [domainName] = run.byType('aws:apigatewayv2/domainName:DomainName');
    expect(domainName.inputs).toMatchObject({
      domainName: domain,
      domainNameConfiguration: {
        certificateArn: cfg['voice-ai-conference:customDomainCertificateArn'],
        endpointType: 'REGIONAL',
        securityPolicy: 'TLS_1_2',
      },
    });
    const [mapping] = run.byType('aws:apigatewayv2/apiMapping:ApiMapping');
    expect(mapping.inputs).toMatchObject({
      apiId: 'voiceai-prod-api-id',
      domainName: domain,
      stage: 'voiceai-prod-default-id',
    });
    const [record] = run.byType('aws:route53/record:Record');
    expect(record.inputs).toMatchObject({
      zoneId: cfg['voice-ai-conference:customDomainZoneId'],
      name: domain,
      type: 'A',
      aliases: [
        {
          name:
            domainName.state.domainNameConfiguration &&
            (domainName.state.domainNameConfiguration as Record<string, string>).targetDomainName,
          evaluateTargetHealth: false,
        },
      ],
    });
    for (const h of HANDLERS) expect(envOf(run, h).PUBLIC_BASE_URL).toBe(`https://${domain}`);
    expect(run.outputs.customDomainTarget).toMatch(/\.execute-api\.us-east-1\.amazonaws\.com$/);
  });

  it('has no custom domain resources without one (minimal-dev)', async () => {
    // Act
    const run = await runProgram('minimal-dev');

    // Assert
    expect(run.byType('aws:apigatewayv2/domainName:DomainName')).toEqual([]);
    expect(run.outputs.customDomainTarget).toBe('none (customDomainName is not set)');
  });
});

describe('differences between fixtures', () => {
  it('gives production-like alarms to an SNS topic and minimal-dev none', async () => {
    // Act
    const dev = await runProgram('minimal-dev');
    const prod = await runProgram('production-like');

    // Assert
    expect(dev.byType(T.alarm)).toHaveLength(0);
    const parts = prod.byType(T.alarm).map((a) => a.name.replace('voiceai-prod-', ''));
    expect(parts.sort()).toEqual(
      [
        'twilio-errors',
        'twilio-throttles',
        'participants-errors',
        'participants-throttles',
        'api-5xx',
        'fallback-rate',
        'time-to-agent-p95',
        'agent-queue-time-p95',
        'signature-rejected',
      ].sort(),
    );
    const twilioErrors = prod.byType(T.alarm).find((a) => a.name === 'voiceai-prod-twilio-errors')!;
    expect(twilioErrors.inputs.dimensions).toEqual({ FunctionName: 'voiceai-prod-twilio' });
    expect(prod.byType(T.topic)).toHaveLength(1);
  });

  it('names every physical resource after its stack so two stacks can share an account', async () => {
    // Act
    const dev = await runProgram('minimal-dev');
    const prod = await runProgram('production-like');

    // Assert
    // A stage's name ($default) is scoped by its API.
    const names = (run: ProgramRun) =>
      run.resources.filter((r) => r.type !== T.stage).map((r) => `${r.type}::${r.inputs.name ?? r.name}`);
    const shared = names(dev).filter((n) => names(prod).includes(n));
    expect(shared).toEqual([]);
  });

  it('generates the API token when none is configured, as a secret output', async () => {
    // Act
    const run = await runProgram('minimal-dev', { participantsApiToken: undefined });

    // Assert
    expect(run.byType('random:index/randomPassword:RandomPassword')).toHaveLength(1);
    expect(run.byType('random:index/randomPassword:RandomPassword')[0].inputs).toMatchObject({
      length: 48,
      special: false,
    });
    expect(run.outputs.participantsApiToken).toBe(GENERATED_TOKEN);
  });

  it.each([
    ['split', false],
    ['combined', true],
  ] as const)(
    'when an API key is configured and the layout is %s, the diallers read its secret and inbound’s function reads it: %s',
    async (layout, inboundReads) => {
      // Act
      const run = await runProgram('minimal-dev', {
        twilioApiKeySid: `SK${'b'.repeat(32)}`,
        twilioApiKeySecret: TEST_API_KEY_SECRET,
        ...overridesOf(layout),
      });

      // Assert
      const keySecret = run.one(T.secret, '-twilio-api-key-secret').state.arn;
      expect(envOf(run, 'events', layout).TWILIO_API_KEY_SID).toBe(`SK${'b'.repeat(32)}`);
      expect(envOf(run, 'events', layout).TWILIO_API_KEY_SECRET_ARN).toBe(keySecret);
      expect(envOf(run, 'participants', layout).TWILIO_API_KEY_SECRET_ARN).toBe(keySecret);
      expect(envOf(run, 'inbound', layout).TWILIO_API_KEY_SECRET_ARN !== undefined).toBe(inboundReads);
      const inboundPolicy = run
        .byType(T.rolePolicy)
        .find((p) => p.name === `voiceai-dev-${LAYOUTS[layout].serving.inbound}`)!;
      expect(String(inboundPolicy.inputs.policy).includes(String(keySecret))).toBe(inboundReads);
    },
  );

  it('gives split-layout alarms to each of the four functions', async () => {
    // Act
    const prod = await runProgram('production-like', overridesOf('split'));

    // Assert
    const parts = prod.byType(T.alarm).map((a) => a.name.replace('voiceai-prod-', ''));
    for (const fn of ['inbound', 'agent', 'events', 'participants'])
      expect(parts).toEqual(expect.arrayContaining([`${fn}-errors`, `${fn}-throttles`]));
    // Besides the functions' alarms: api-5xx, fallback-rate, time-to-agent-p95, agent-queue-time-p95, signature-rejected.
    expect(parts).toHaveLength(4 * 2 + 5);
  });
});

describe.each([
  ['combined', ['twilio']],
  ['split', ['inbound', 'agent', 'events']],
] as const)('provisioned concurrency 3 in the %s layout', (layout, warmed) => {
  let run: ProgramRun;
  const executionArn = 'arn:aws:execute-api:us-east-1:123456789012:voiceai-dev-api-id';

  beforeAll(async () => {
    run = await runProgram('minimal-dev', { ...overridesOf(layout), provisionedConcurrency: '3' });
  });

  it('publishes versions of the Twilio-facing functions only, each behind an alias live kept warm with 3 environments', () => {
    // Act
    const published = run.byType(T.fn).filter((f) => f.inputs.publish === true);
    const aliases = run.byType(T.alias);
    const configs = run.byType(T.provisioned);

    // Assert
    expect(published.map((f) => f.inputs.name).sort()).toEqual(warmed.map((n) => `voiceai-dev-${n}`).sort());
    expect(aliases.map((a) => [a.inputs.functionName, a.inputs.functionVersion, a.inputs.name]).sort()).toEqual(
      warmed.map((n) => [`voiceai-dev-${n}`, '1', 'live']).sort(),
    );
    expect(
      configs.map((c) => [c.inputs.functionName, c.inputs.qualifier, c.inputs.provisionedConcurrentExecutions]).sort(),
    ).toEqual(warmed.map((n) => [`voiceai-dev-${n}`, 'live', 3]).sort());
  });

  it('integrates the API with the alias of each warmed function and the participants API with its function', () => {
    // Arrange
    const integrations = new Map(run.byType(T.integration).map((i) => [`integrations/${i.name}-id`, i]));
    const uriOf = (key: string) =>
      integrations.get(String(run.byType(T.route).find((r) => r.inputs.routeKey === key)!.inputs.target))!.inputs
        .integrationUri;

    // Act / Assert
    expect(uriOf('POST /twilio/voice/inbound')).toBe(
      `arn:aws:lambda:us-east-1:123456789012:function:voiceai-dev-${LAYOUTS[layout].serving.inbound}:live`,
    );
    expect(uriOf('POST /twilio/conference/events')).toBe(
      `arn:aws:lambda:us-east-1:123456789012:function:voiceai-dev-${LAYOUTS[layout].serving.events}:live`,
    );
    expect(uriOf('POST /conferences/{conference}/participants')).toBe(
      'arn:aws:lambda:us-east-1:123456789012:function:voiceai-dev-participants',
    );
  });

  it('scopes each permission to its route and to what the route invokes: the alias, or the participants function', () => {
    // Act
    const permissions = run.byType(T.permission);

    // Assert
    expect(permissions).toHaveLength(ROUTES.length);
    const grant = (sourceArn: string) => {
      const p = permissions.find((x) => x.inputs.sourceArn === sourceArn)!;
      return [p.inputs.function, p.inputs.qualifier];
    };
    expect(grant(`${executionArn}/*/POST/twilio/voice/agent`)).toEqual([
      `voiceai-dev-${LAYOUTS[layout].serving.agent}`,
      'live',
    ]);
    expect(grant(`${executionArn}/*/POST/twilio/calls/status`)).toEqual([
      `voiceai-dev-${LAYOUTS[layout].serving.events}`,
      'live',
    ]);
    expect(grant(`${executionArn}/*/DELETE/conferences/*/participants/*`)).toEqual([
      'voiceai-dev-participants',
      undefined,
    ]);
  });
});

describe.each([
  ['combined', ['twilio']],
  ['split', ['inbound', 'agent', 'events']],
] as const)('the dashboard with provisioned concurrency in the %s layout', (layout, warmed) => {
  it('graphs the invocations that ran beyond the provisioned environments, per warmed alias', async () => {
    // Act
    const run = await runProgram('minimal-dev', { ...overridesOf(layout), provisionedConcurrency: '1' });
    const without = await runProgram('minimal-dev', overridesOf(layout));

    // Assert
    const rows = (r: ProgramRun) =>
      (
        JSON.parse(String(r.one(T.dashboard, '-dashboard').inputs.dashboardBody)).widgets as {
          properties: { metrics: unknown[][] };
        }[]
      )
        .flatMap((w) => w.properties.metrics)
        .filter((m) => m[1] === 'ProvisionedConcurrencySpilloverInvocations');
    expect(rows(run).map((m) => m.slice(0, 6))).toEqual(
      warmed.map((n) => [
        'AWS/Lambda',
        'ProvisionedConcurrencySpilloverInvocations',
        'FunctionName',
        `voiceai-dev-${n}`,
        'Resource',
        `voiceai-dev-${n}:live`,
      ]),
    );
    expect(rows(without)).toEqual([]);
  });
});

describe('function layout config', () => {
  it('refuses a layout it does not know, naming the key and the choices', async () => {
    // Act
    const run = runProgram('minimal-dev', { functionLayout: 'one-per-route' });

    // Assert
    await expect(run).rejects.toThrow(
      'voice-ai-conference:functionLayout: must be combined or split, got "one-per-route"',
    );
  });

  it('refuses provisioned concurrency above 100', async () => {
    // Act
    const run = runProgram('minimal-dev', { provisionedConcurrency: '101' });

    // Assert
    await expect(run).rejects.toThrow('voice-ai-conference:provisionedConcurrency: must be from 0 to 100, got 101');
  });
});

describe('secrets in state', () => {
  it('keeps secret values out of every resource input but the Secrets Manager versions, including the serialized providers', async () => {
    // Arrange
    const run = await runProgram('minimal-dev', {
      twilioApiKeySid: `SK${'b'.repeat(32)}`,
      twilioApiKeySecret: TEST_API_KEY_SECRET,
    });
    const secrets = [TEST_AUTH_TOKEN, TEST_API_TOKEN, TEST_API_KEY_SECRET];

    // Act
    const holders = run.resources.filter((r) => secrets.some((s) => JSON.stringify(r.inputs).includes(s)));

    // Assert
    expect(holders.map((r) => r.type)).toEqual([
      'aws:secretsmanager/secretVersion:SecretVersion',
      'aws:secretsmanager/secretVersion:SecretVersion',
      'aws:secretsmanager/secretVersion:SecretVersion',
    ]);
    const providers = run.resources
      .filter((r) => r.type.startsWith('pulumi-nodejs:dynamic/'))
      .map((r) => String(r.inputs.__provider));
    expect(providers).toHaveLength(2);
    for (const text of providers) expect(text).toMatch(/exports\.handler/);
  });
});

describe('physical names within AWS limits', () => {
  // AWS's limits (IAM, Lambda, CloudWatch, Secrets Manager, SNS, API Gateway quotas pages). pulumi-aws autonames a
  // resource without an explicit name `<logical name>-<7 random characters>`.
  const LIMITS: Record<string, { max: number; explicit?: string }> = {
    'aws:iam/role:Role': { max: 64 },
    'aws:iam/rolePolicy:RolePolicy': { max: 128 },
    'aws:lambda/function:Function': { max: 64, explicit: 'name' },
    'aws:lambda/permission:Permission': { max: 100, explicit: 'statementId' },
    'aws:cloudwatch/logGroup:LogGroup': { max: 512, explicit: 'name' },
    'aws:cloudwatch/metricAlarm:MetricAlarm': { max: 255, explicit: 'name' },
    'aws:cloudwatch/dashboard:Dashboard': { max: 255, explicit: 'dashboardName' },
    'aws:secretsmanager/secret:Secret': { max: 512, explicit: 'name' },
    'aws:sns/topic:Topic': { max: 256, explicit: 'name' },
    'aws:apigatewayv2/api:Api': { max: 128, explicit: 'name' },
  };
  const physical = (r: ProgramRun['resources'][number]) => {
    const field = LIMITS[r.type].explicit;
    const given = field ? r.inputs[field] : undefined;
    return typeof given === 'string' ? given : `${r.name}-abcdefg`;
  };

  it.each([
    ['a 20-character prefix and a 22-character stack name', 'a'.repeat(20), 'production-eu-west-one'],
    ['the default prefix and a 30-character stack name', 'voiceai', 'p'.repeat(30)],
  ])('when the stack has %s, every name it declares fits its AWS limit', async (_case, prefix, stackName) => {
    // Act
    const run = await runProgram('production-like', { namePrefix: prefix }, stackName);

    // Assert
    const named = run.resources.filter((r) => r.type in LIMITS);
    expect(named.length).toBeGreaterThan(20);
    const tooLong = named
      .map((r) => ({ type: r.type, name: physical(r), max: LIMITS[r.type].max }))
      .filter((n) => n.name.length > n.max);
    expect(tooLong).toEqual([]);
  });

  it.each([
    ['a 20-character prefix and a 25-character stack name', 'a'.repeat(20), 'production-eu-west-one-ab'],
    ['a 20-character prefix and a 30-character stack name', 'b'.repeat(20), 's'.repeat(30)],
  ])('when the stack has %s, preview stops naming namePrefix and the stack', async (_case, prefix, stackName) => {
    // Act
    const run = runProgram('production-like', { namePrefix: prefix }, stackName);

    // Assert
    await expect(run).rejects.toThrow(/^voice-ai-conference:namePrefix: .*IAM role/);
    await expect(run).rejects.toThrow(`stack "${stackName}"`);
  });
});
