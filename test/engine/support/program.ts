/**
 * Runs the Pulumi program (infra/index.ts) the way `pulumi preview` / `pulumi up` run it: Pulumi's language
 * runtime entry point (`@pulumi/pulumi/cmd/run`) in a child process, with the command line and environment the
 * Node.js language host gives it (pulumi-language-nodejs 3.248), connected to stand-in monitor and engine
 * services that record every registration.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { applyOverrides, computedState, PROJECT, ROOT } from '../../infra/support/program';
import { stackFixture } from '../../support/stack-fixtures';
import {
  EngineStandIns,
  type InvokeCall,
  type LogEntry,
  type Registration,
  type RegistrationAnswer,
} from './stand-ins';
import type { Props } from './wire';

export { PROJECT, ROOT };

/** Secret config the harness sets, as `pulumi config set --secret` would (values never expected in output). */
export const HARNESS_SECRETS = {
  twilioAuthToken: 'engine-harness-auth-token-3c2b1a09',
  participantsApiToken: 'engine-harness-participants-token-8f7e6d5c',
} as const;

/**
 * A run's stack config as the engine resolves it: project defaults from Pulumi.yaml, a stack fixture's config
 * (test/fixtures/stacks) in place of the stack file, then overrides.
 */
export interface StackConfig {
  /** The Pulumi stack name of the run (the fixture's). */
  readonly stackName: string;
  /** `project:key` (or `aws:key`) to string value. */
  readonly values: Record<string, string>;
  /** The keys whose values are secret. */
  readonly secretKeys: string[];
}

/** Project defaults from Pulumi.yaml, as strings keyed `project:key` (lists as JSON). */
function projectDefaults(): Record<string, string> {
  const project = YAML.parse(readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')) as {
    config: Record<string, { default?: unknown }>;
  };
  const defaults: Record<string, string> = {};
  for (const [key, spec] of Object.entries(project.config)) {
    if (spec.default === undefined) continue;
    defaults[`${PROJECT}:${key}`] = typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default);
  }
  return defaults;
}

/** The resolved config of stack fixture `fixture` with the harness secrets and `overrides` (bare keys are project keys). */
export function stackConfig(fixture: string, overrides: Record<string, string | undefined> = {}): StackConfig {
  const { stackName, config } = stackFixture(fixture);
  const values: Record<string, string> = { ...projectDefaults(), ...config };
  for (const [key, value] of Object.entries(HARNESS_SECRETS)) values[`${PROJECT}:${key}`] = value;
  const secretKeys = applyOverrides(values, overrides);
  return { stackName, values, secretKeys };
}

/** What one run of the program sent. */
export interface ProgramRun {
  readonly stack: string;
  readonly dryRun: boolean;
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly registrations: Registration[];
  readonly logs: LogEntry[];
  readonly invokes: InvokeCall[];
  readonly features: string[];
  readonly stackOutputs: Props;
  readonly shutdownSignalled: boolean;
  /** The one registration of `type` (throws unless exactly one). */
  one(type: string): Registration;
}

/** Options of one run. */
export interface RunOptions {
  readonly dryRun: boolean;
  /** The run's config; the program runs as its stackName. */
  readonly config: StackConfig;
  /** Answers custom resources; default: preview answers (empty id, inputs) or fake cloud outputs. */
  readonly answer?: (registration: Registration, dryRun: boolean) => Promise<RegistrationAnswer> | RegistrationAnswer;
}

/**
 * The engine's answer without a provider behind it: in a preview of a new stack, an empty id and the inputs (so
 * every computed output is unknown to the program); in an update, an id and what the cloud would compute.
 */
export function defaultAnswer(registration: Registration, dryRun: boolean, region = 'us-east-1'): RegistrationAnswer {
  if (dryRun) return { id: '', outputs: registration.inputs };
  const id = `${registration.name}-id`;
  const computed = computedState(registration.type, registration.name, registration.inputs, id, region);
  return { id, outputs: { ...registration.inputs, ...computed } };
}

/** Answers the data sources a pulumi-aws program may call, as AWS would for the stack's region. */
function answerInvoke(region: string, call: InvokeCall): Props {
  switch (call.token) {
    case 'aws:index/getRegion:getRegion':
      return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return {
        accountId: '123456789012',
        arn: 'arn:aws:iam::123456789012:user/deployer',
        userId: 'AIDAEXAMPLE',
        id: '123456789012',
      };
    default:
      throw new Error(`the harness has no answer for invoke ${call.token}`);
  }
}

const RUN_ENTRY = path.join(ROOT, 'node_modules', '@pulumi', 'pulumi', 'cmd', 'run');

/** Runs the program once as `config.stackName` and resolves when the process has exited. */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const { dryRun, config } = options;
  const stack = config.stackName;
  const region = config.values['aws:region'] ?? 'us-east-1';
  const standIns = await new EngineStandIns({
    project: PROJECT,
    stack,
    answer: (r) => (options.answer ?? ((reg, dry) => defaultAnswer(reg, dry, region)))(r, dryRun),
    invoke: (call) => answerInvoke(region, call),
  }).start();
  try {
    const args = [
      RUN_ENTRY,
      '--monitor',
      standIns.address,
      '--engine',
      standIns.address,
      '--project',
      PROJECT,
      '--root-directory',
      ROOT,
      '--stack',
      stack,
      '--pwd',
      ROOT,
      ...(dryRun ? ['--dry-run'] : []),
      '--parallel',
      '16',
      './infra/index.ts',
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PULUMI_CONFIG: JSON.stringify(config.values),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(config.secretKeys),
        PULUMI_NODEJS_TYPESCRIPT: 'true',
        // npm test type-checks the program once (tsc); the deploy workflows also run Pulumi's ts-node transpile-only.
        PULUMI_NODEJS_TRANSPILE_ONLY: 'true',
        VOICEAI_CODE_DIR: 'dist',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
    const registrations = standIns.registrations;
    return {
      stack,
      dryRun,
      exitCode,
      stderr,
      registrations,
      logs: standIns.logs,
      invokes: standIns.invokes,
      features: standIns.features,
      stackOutputs: standIns.stackOutputs,
      shutdownSignalled: standIns.shutdownSignalled,
      one(type) {
        const found = registrations.filter((r) => r.type === type);
        if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
        return found[0];
      },
    };
  } finally {
    await standIns.stop();
  }
}
