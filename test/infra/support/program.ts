/**
 * Runs the Pulumi program (infra/index.ts) in-process under `pulumi.runtime.setMocks` with a test-owned stack
 * fixture's config (test/fixtures/stacks) plus test secrets, and captures every resource it declares.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import YAML from 'yaml';
import { stackFixture } from '../../support/stack-fixtures';

export const PROJECT = 'voice-ai-conference';
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const TEST_AUTH_TOKEN = 'infra-test-auth-token-5f0c1e2d3b4a';
export const TEST_API_TOKEN = 'infra-test-participants-token-9a8b7c6d5e4f';
export const TEST_API_KEY_SECRET = 'infra-test-api-key-secret-0f1e2d3c';
export const GENERATED_TOKEN = 'generated-participants-token-from-random';
const ACCOUNT = '123456789012';

/** The resource types the program declares, by a short name the program tests use. */
export const RESOURCE_TYPES = {
  api: 'aws:apigatewayv2/api:Api',
  integration: 'aws:apigatewayv2/integration:Integration',
  route: 'aws:apigatewayv2/route:Route',
  stage: 'aws:apigatewayv2/stage:Stage',
  fn: 'aws:lambda/function:Function',
  permission: 'aws:lambda/permission:Permission',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  secret: 'aws:secretsmanager/secret:Secret',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  app: 'pulumi-nodejs:dynamic/twilio:TwimlApp',
  number: 'pulumi-nodejs:dynamic/twilio:PhoneNumberVoiceConfig',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  topic: 'aws:sns/topic:Topic',
  alias: 'aws:lambda/alias:Alias',
  dashboard: 'aws:cloudwatch/dashboard:Dashboard',
  provisioned: 'aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig',
  schedule: 'aws:scheduler/schedule:Schedule',
  invokeConfig: 'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig',
} as const;

/** A resource as the program declared it, with the state the mocks returned. */
export interface CapturedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

/** What a program run produced. */
export interface ProgramRun {
  readonly resources: CapturedResource[];
  readonly outputs: Record<string, unknown>;
  byType(type: string): CapturedResource[];
  one(type: string, nameEnding: string): CapturedResource;
}

/**
 * Applies `overrides` to `config` in place (bare keys are project keys; undefined removes a key) and returns the
 * secret keys present, as `pulumi config set --secret` would have marked them.
 */
export function applyOverrides(
  config: Record<string, string>,
  overrides: Record<string, string | undefined>,
): string[] {
  for (const [key, value] of Object.entries(overrides)) {
    const full = key.includes(':') ? key : `${PROJECT}:${key}`;
    if (value === undefined) delete config[full];
    else config[full] = value;
  }
  return ['twilioAuthToken', 'participantsApiToken', 'twilioApiKeySecret']
    .map((k) => `${PROJECT}:${k}`)
    .filter((k) => k in config);
}

/** The committed stack file's config as the strings Pulumi hands the program (lists as JSON). */
export function stackFileConfig(stack: string): Record<string, string> {
  const file = YAML.parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), 'utf8')) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

function hex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 32);
}

/** What AWS and Twilio would compute for a resource, enough for the program's wiring to resolve (also used by the engine-protocol harness). */
export function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  id: string,
  region: string,
): Record<string, unknown> {
  switch (type) {
    case 'aws:apigatewayv2/api:Api':
      return {
        apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${region}:${ACCOUNT}:${id}`,
        arn: `arn:aws:apigateway:${region}::/apis/${id}`,
      };
    case 'aws:lambda/function:Function': {
      const arn = `arn:aws:lambda:${region}:${ACCOUNT}:function:${inputs.name}`;
      return {
        arn,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        // A new function publishes version 1; an unpublished one is only $LATEST.
        version: inputs.publish === true ? '1' : '$LATEST',
      };
    }
    case 'aws:lambda/alias:Alias':
      return { arn: `arn:aws:lambda:${region}:${ACCOUNT}:function:${inputs.functionName}:${inputs.name}` };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { arn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${inputs.name}` };
    case 'aws:iam/role:Role':
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}-1234567`, name: `${name}-1234567` };
    case 'aws:secretsmanager/secret:Secret':
      return { arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-AbCdEf` };
    case 'aws:apigatewayv2/domainName:DomainName':
      return {
        domainNameConfiguration: {
          ...(inputs.domainNameConfiguration as object),
          targetDomainName: `d-${hex(name).slice(0, 10)}.execute-api.${region}.amazonaws.com`,
          hostedZoneId: 'Z1UJRXOUMOOFQ8',
        },
      };
    case 'aws:sns/topic:Topic':
      return { arn: `arn:aws:sns:${region}:${ACCOUNT}:${name}` };
    case 'random:index/randomPassword:RandomPassword':
      return { result: GENERATED_TOKEN };
    case 'pulumi-nodejs:dynamic/twilio:TwimlApp':
      return { sid: `AP${hex(name)}`, accountSid: `AC${hex('account')}` };
    case 'pulumi-nodejs:dynamic/twilio:PhoneNumberVoiceConfig':
      return { sid: `PN${hex(String(inputs.phoneNumber))}`, accountSid: `AC${hex('account')}` };
    default:
      return {};
  }
}

function resolve<T>(output: pulumi.Output<T> | T): Promise<T> {
  return pulumi.Output.isInstance(output)
    ? new Promise((r) => (output as pulumi.Output<T>).apply(r))
    : Promise.resolve(output);
}

/**
 * Runs the program (once per test file for the same arguments) with stack fixture `fixture`'s config,
 * `overrides` on top (namespaced keys or bare project keys), and the test secrets (an entry set to undefined leaves
 * that secret out), as the fixture's stack, or as `stackName` when given.
 */
export function runProgram(
  fixture: string,
  overrides: Record<string, string | undefined> = {},
  stackName?: string,
): Promise<ProgramRun> {
  const key = JSON.stringify([fixture, overrides, stackName], (_k, v: unknown) => (v === undefined ? null : v));
  let run = runs.get(key);
  if (!run) {
    run = runProgramOnce(fixture, overrides, stackName);
    runs.set(key, run);
  }
  return run;
}

// Each run registers process exit hooks inside @pulumi/pulumi; a test file runs the program a handful of times.
process.setMaxListeners(50);
const runs = new Map<string, Promise<ProgramRun>>();

/**
 * Loads infra/index.ts afresh: under jest in an isolated module registry (a test file runs it several times);
 * outside jest (npm run snapshot, one fixture per process) with a plain require. The Pulumi SDKs are not
 * reloaded: each isolated registry gets the instances this file loaded (re-evaluating @pulumi/aws costs ~2.5 s of
 * CPU a run), and the program must share @pulumi/pulumi with the mocks set here anyway.
 */
function loadProgram(): Record<string, unknown> {
  const entry = '../../../infra/index';
  if (typeof jest === 'undefined') return require(entry) as Record<string, unknown>;
  const shared = sharedSdks();
  let program: Record<string, unknown> = {};
  jest.isolateModules(() => {
    for (const [name, sdk] of Object.entries(shared)) jest.doMock(name, () => sdk);
    program = require(entry) as Record<string, unknown>;
  });
  return program;
}

let sdks: Record<string, unknown> | undefined;
function sharedSdks(): Record<string, unknown> {
  sdks ??= {
    '@pulumi/pulumi': require('@pulumi/pulumi'),
    '@pulumi/aws': require('@pulumi/aws'),
    '@pulumi/random': require('@pulumi/random'),
  };
  return sdks;
}

async function runProgramOnce(
  fixtureName: string,
  overrides: Record<string, string | undefined>,
  stackName: string | undefined,
): Promise<ProgramRun> {
  const fixture = stackFixture(fixtureName);
  const config: Record<string, string> = {
    ...fixture.config,
    [`${PROJECT}:twilioAuthToken`]: TEST_AUTH_TOKEN,
    [`${PROJECT}:participantsApiToken`]: TEST_API_TOKEN,
  };
  const secretKeys = applyOverrides(config, overrides);
  const region = config['aws:region'] ?? 'us-east-1';
  const resources: CapturedResource[] = [];
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = `${args.name}-id`;
        const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs, id, region) };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id, state };
      },
      call(args) {
        return args.inputs;
      },
    },
    PROJECT,
    stackName ?? fixture.stackName,
    false,
  );
  process.env.VOICEAI_CODE_DIR = path.join(ROOT, 'dist');
  const restoreStackTraces = plainStackTraces();
  try {
    return await declare(resources);
  } finally {
    restoreStackTraces();
  }
}

/**
 * Stack traces formatted by V8 alone while the program runs: @pulumi/pulumi takes a `new Error().stack` for every
 * promise and resource, and jest's source-map support would map each frame (most of a run's CPU time). A failing
 * run's trace then names transpiled positions.
 */
function plainStackTraces(): () => void {
  const saved = Error.prepareStackTrace;
  (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  return () => {
    Error.prepareStackTrace = saved;
  };
}

async function declare(resources: CapturedResource[]): Promise<ProgramRun> {
  const program = loadProgram();
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(program)) {
    outputs[key] =
      typeof value === 'object' && value !== null && !pulumi.Output.isInstance(value)
        ? Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v)])))
        : await resolve(value);
  }
  // Let registrations that no output depends on (alarms, permissions) finish.
  for (let seen = -1; seen !== resources.length; ) {
    seen = resources.length;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    resources,
    outputs,
    byType: (type) => resources.filter((r) => r.type === type),
    one(type, nameEnding) {
      const found = resources.filter((r) => r.type === type && r.name.endsWith(nameEnding));
      if (found.length !== 1)
        throw new Error(
          `expected one ${type} named *${nameEnding}, found ${found.map((r) => r.name).join(', ') || 'none'}`,
        );
      return found[0];
    },
  };
}
