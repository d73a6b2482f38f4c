/**
 * Reads and validates the stack's configuration into typed settings, failing early with a message that names the
 * config key. Pure: it takes a lookup function, so tests use plain objects and the program uses pulumi.Config.
 *
 * Lambda-facing values are validated by the handlers' own config readers (lambdas/shared/config/) on the exact
 * environment each function will get, so `pulumi preview` rejects what a function would reject at run time.
 */
import { HANDLERS, type HandlerName } from '../lambdas/routes';
import {
  CANARY_ENV,
  ConfigError,
  ENV,
  MAX_CANARY_CALLS_PER_DAY,
  readCanaryConfig,
  readAgentTwimlConfig,
  readContextAllowlist,
  readTransferConfig,
  readApiAuthConfig,
  readConferenceConfig,
  readDialConfig,
  readHandoffConfig,
  readRecoveryConfig,
  readTwilioConfig,
  readWebhookConfig,
  type Env,
} from '../lambdas/shared/config';
import { logLevelFrom } from '../lambdas/shared/log';
import { alarmPlan, type CallAlarmThresholds, callAlarmPlan, canaryAlarmPlan } from './alarm-plan';
import { canaryConfiguredEnvironment, canaryScheduleProblem } from './canary-plan';
import { CONFIG_KEYS, configKey, type ConfigKey, RELEASE_STAGES, type ReleaseStage } from './config-schema';
import {
  FUNCTION_SPECS,
  maxRetryBudgetMs,
  SECRET_NAMES,
  START_AND_ANSWER_MS,
  TWILIO_REQUEST_TIMEOUT_MS,
} from './functions';
import { FUNCTION_LAYOUTS, functionPlan, type FunctionLayout } from './layout';
import { nameLengthProblem, plannedNames, serviceName, SERVICE_NAME_ENV, STACK_NAME } from './naming';
import { longestGapSeconds, parseSchedule, type RecurringSchedule } from './schedule';

/** Thrown for invalid stack config; the message starts with the `project:key`. */
export class StackConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
    this.name = 'StackConfigError';
  }
}

/** A plain config lookup: the raw string Pulumi holds for a key (arrays and objects as JSON), or undefined. */
export type ConfigLookup = (key: string) => string | undefined;

/** The validated settings the component needs. Secret values are not here: they stay Pulumi secrets. */
export interface StackSettings {
  readonly project: string;
  readonly stack: string;
  /** The deploy wave of the stack (the delivery workflows read it from the stack file). */
  readonly releaseStage: ReleaseStage;
  /** Whether the deploy workflow places the acceptance call after this stack's update (always for pre-production). */
  readonly verifyAfterDeploy: boolean;
  readonly namePrefix: string;
  readonly accountSid: string;
  readonly phoneNumber: string;
  readonly usesApiKey: boolean;
  readonly publicBaseUrl?: string;
  /** An API Gateway custom domain the stack creates. */
  readonly customDomain?: { readonly name: string; readonly certificateArn: string; readonly zoneId?: string };
  readonly logRetentionDays: number;
  readonly lambdaMemoryMb: number;
  /** Which function serves which handler (infra/layout.ts). */
  readonly functionLayout: FunctionLayout;
  /** Pre-initialized environments of each Twilio-facing function; 0: none (no versions, no alias). */
  readonly provisionedConcurrency: number;
  /** Per route bucket: Twilio's webhook routes and the participants API routes never share one. */
  readonly throttling: { readonly webhooks: Throttle; readonly api: Throttle };
  readonly alarms: { readonly enabled: boolean; readonly email?: string } & CallAlarmThresholds;
  /** The scheduled canary (config `canarySchedule`); undefined: none. */
  readonly canary?: CanarySettings;
  /** `SERVICE_NAME` of every function: the `Service` dimension of the handlers' metrics. */
  readonly service: string;
  /** Per handler, the non-secret environment from config (secret ARNs and the App SID are added by the component). */
  readonly environment: Readonly<Record<HandlerName, Readonly<Record<string, string>>>>;
}

/** The scheduled canary's settings (infra/canary-plan.ts). */
export interface CanarySettings {
  readonly schedule: RecurringSchedule;
  /**
   * The alarm's period and the dashboard's: the longest gap between two runs, so every period holds a run (one, for
   * a rate() schedule) and a period without one means the canary did not run.
   */
  readonly periodSeconds: number;
  readonly alarmAfterFailures: number;
  readonly maxCallsPerDay: number;
  /** The canary's non-secret environment from config (the component adds the API, the App SID, secret ARNs). */
  readonly environment: Readonly<Record<string, string>>;
}

/** A token bucket: steady-state requests per second and burst. */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Which secret config keys are set (their values never pass through here). */
export interface SecretPresence {
  readonly twilioAuthToken: boolean;
  readonly twilioApiKeySecret: boolean;
  readonly participantsApiToken: boolean;
}

/** CloudWatch Logs accepts only these retention values. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const E164 = /^\+[1-9]\d{1,14}$/;
/** Stand-ins for values the deployment creates, so the handlers' readers can check the rest. */
const PLACEHOLDER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:placeholder';
const PLACEHOLDER_APP_SID = 'AP00000000000000000000000000000000';

/** The value of a key as the Lambda environment string it becomes (arrays comma-joined), with the default. */
function rawValue(lookup: ConfigLookup, project: string, entry: ConfigKey): string | undefined {
  const raw = lookup(entry.key);
  const name = `${project}:${entry.key}`;
  if (raw === undefined || raw === '') {
    if (entry.default === undefined) return undefined;
    return Array.isArray(entry.default) ? entry.default.join(',') : String(entry.default);
  }
  switch (entry.type) {
    case 'integer':
      if (!/^-?\d+$/.test(raw.trim())) throw new StackConfigError(name, `must be an integer, got "${raw}"`);
      return raw.trim();
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new StackConfigError(name, `must be true or false, got "${raw}"`);
      return raw;
    case 'array': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new StackConfigError(name, `must be a list (pulumi config set --path "${entry.key}[0]" value)`);
      }
      if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string' || v.includes(','))) {
        throw new StackConfigError(name, 'must be a list of strings without commas');
      }
      return parsed.join(',');
    }
    default:
      return raw;
  }
}

const ENV_TO_KEY = new Map(CONFIG_KEYS.filter((k) => k.env).map((k) => [k.env!.name, k.key]));

/** Runs the handler's own config readers on its environment; a rejection names the stack config key. */
function validateHandlerEnv(project: string, handler: HandlerName, env: Env): void {
  try {
    readTwilioConfig(env);
    readWebhookConfig(env);
    if (handler === 'inbound') readConferenceConfig(env);
    if (handler === 'agent') readAgentTwimlConfig(env);
    if (FUNCTION_SPECS[handler].dials) readDialConfig(env);
    if (handler === 'participants') {
      readApiAuthConfig(env);
      readContextAllowlist(env);
      readTransferConfig(env);
    }
    if (handler === 'events') {
      readRecoveryConfig(env, readDialConfig(env).allowedTargets);
      readHandoffConfig(env, readDialConfig(env).allowedTargets);
      readTransferConfig(env);
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const key = ENV_TO_KEY.get(error.key) ?? error.key;
    const reason = error.message.replace(/^Configuration \S+: /, '');
    throw new StackConfigError(`${project}:${key}`, reason);
  }
}

/** Where a canary variable comes from in stack config, for messages (the rest are the handlers' variables). */
const CANARY_ENV_TO_KEY: Readonly<Record<string, string>> = {
  [CANARY_ENV.canaryFromNumber]: 'canaryFromNumber',
  [CANARY_ENV.canaryMaxCallsPerDay]: 'canaryMaxCallsPerDay',
  [CANARY_ENV.canaryPhoneNumber]: 'phoneNumber',
};

/**
 * The canary's settings when `canarySchedule` is set: the schedule checked against the cap, the function's timeout
 * and CloudWatch's alarm range, and the environment checked by the canary's own reader.
 */
function readCanarySettings(
  lookup: ConfigLookup,
  project: string,
  stack: string,
  phoneNumber: string,
  environment: Readonly<Record<HandlerName, Readonly<Record<string, string>>>>,
): CanarySettings | undefined {
  const expression = lookup('canarySchedule')?.trim();
  if (expression === undefined) return undefined;
  const parsed = parseSchedule(expression);
  if ('problem' in parsed) throw new StackConfigError(`${project}:canarySchedule`, `"${expression}" ${parsed.problem}`);
  const maxCallsPerDay = integerSetting(lookup, project, 'canaryMaxCallsPerDay', 1, MAX_CANARY_CALLS_PER_DAY);
  const alarmAfterFailures = integerSetting(lookup, project, 'canaryAlarmAfterFailures', 1, 100);
  const problem = canaryScheduleProblem(parsed.schedule, { maxCallsPerDay, alarmAfterFailures });
  if (problem) throw new StackConfigError(`${project}:${problem.key}`, problem.reason);
  const canaryEnvironment = canaryConfiguredEnvironment({
    stack,
    phoneNumber,
    from: lookup('canaryFromNumber')?.trim() ?? phoneNumber,
    maxCallsPerDay,
    handlers: environment,
  });
  try {
    readCanaryConfig({
      ...canaryEnvironment,
      [ENV.canaryApiBaseUrl]: 'https://placeholder.execute-api.us-east-1.amazonaws.com',
      [ENV.twimlAppSid]: PLACEHOLDER_APP_SID,
      [ENV.authTokenSecretArn]: PLACEHOLDER_ARN,
      [ENV.apiKeySecretArn]: PLACEHOLDER_ARN,
      [ENV.apiTokenSecretArn]: PLACEHOLDER_ARN,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const key = CANARY_ENV_TO_KEY[error.key] ?? ENV_TO_KEY.get(error.key) ?? error.key;
    throw new StackConfigError(`${project}:${key}`, error.message.replace(/^Configuration \S+: /, ''));
  }
  return {
    schedule: parsed.schedule,
    periodSeconds: longestGapSeconds(parsed.schedule),
    alarmAfterFailures,
    maxCallsPerDay,
    environment: canaryEnvironment,
  };
}

function integerSetting(lookup: ConfigLookup, project: string, key: string, min: number, max: number): number {
  const value = Number(rawValue(lookup, project, configKey(key)));
  if (value < min || value > max)
    throw new StackConfigError(`${project}:${key}`, `must be from ${min} to ${max}, got ${value}`);
  return value;
}

/** The custom domain settings: name and certificate together, a plain hostname, an ACM ARN. */
function readCustomDomain(lookup: ConfigLookup, project: string): StackSettings['customDomain'] {
  const name = lookup('customDomainName')?.trim().toLowerCase();
  const certificateArn = lookup('customDomainCertificateArn')?.trim();
  const zoneId = lookup('customDomainZoneId')?.trim();
  if (name === undefined && certificateArn === undefined && zoneId === undefined) return undefined;
  if (name === undefined)
    throw new StackConfigError(
      `${project}:customDomainName`,
      'is required with customDomainCertificateArn or customDomainZoneId',
    );
  if (!/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(name)) {
    throw new StackConfigError(
      `${project}:customDomainName`,
      `must be a hostname such as voice.example.com (no scheme or path), got "${name}"`,
    );
  }
  if (certificateArn === undefined || !/^arn:aws[\w-]*:acm:[\w-]+:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
    throw new StackConfigError(
      `${project}:customDomainCertificateArn`,
      "must be the ARN of an ACM certificate for customDomainName, in the stack's region",
    );
  }
  if (zoneId !== undefined && !/^Z[A-Z0-9]{1,32}$/.test(zoneId))
    throw new StackConfigError(`${project}:customDomainZoneId`, 'must be a Route 53 hosted zone ID (Z...)');
  return { name, certificateArn, zoneId };
}

/**
 * Reads the stack config.
 * @example readStackSettings((k) => config.get(k), presence, 'voice-ai-conference', pulumi.getStack())
 */
export function readStackSettings(
  rawLookup: ConfigLookup,
  secrets: SecretPresence,
  project: string,
  stack: string,
): StackSettings {
  // Pulumi.yaml gives optional keys an empty default (Pulumi requires declared keys without one): '' is unset.
  const lookup: ConfigLookup = (key) => {
    const value = rawLookup(key);
    return value === undefined || value.trim() === '' || value.trim() === '[]' ? undefined : value;
  };
  const name = (key: string) => `${project}:${key}`;
  for (const entry of CONFIG_KEYS) if (!entry.secret) rawValue(lookup, project, entry);

  const accountSid = lookup('twilioAccountSid');
  if (!accountSid)
    throw new StackConfigError(name('twilioAccountSid'), 'is required (pulumi config set twilioAccountSid AC...)');
  if (!secrets.twilioAuthToken)
    throw new StackConfigError(
      name('twilioAuthToken'),
      'is required (pulumi config set --secret twilioAuthToken ...): it signs every webhook',
    );
  const phoneNumber = lookup('phoneNumber');
  if (!phoneNumber || !E164.test(phoneNumber))
    throw new StackConfigError(
      name('phoneNumber'),
      `must be an E.164 number such as +15551234567, got "${phoneNumber ?? ''}"`,
    );
  const usesApiKey = lookup('twilioApiKeySid') !== undefined;
  if (usesApiKey !== secrets.twilioApiKeySecret)
    throw new StackConfigError(
      name(usesApiKey ? 'twilioApiKeySecret' : 'twilioApiKeySid'),
      'twilioApiKeySid and twilioApiKeySecret are set together or not at all',
    );

  const releaseStage = rawValue(lookup, project, configKey('releaseStage')) as ReleaseStage;
  if (!RELEASE_STAGES.includes(releaseStage))
    throw new StackConfigError(name('releaseStage'), `must be ${RELEASE_STAGES.join(' or ')}, got "${releaseStage}"`);
  // Pre-production stacks are always verified: production's approval waits for their calls.
  const verifyAfterDeploy =
    releaseStage === 'pre-production' || rawValue(lookup, project, configKey('verifyAfterDeploy')) === 'true';
  const namePrefix = rawValue(lookup, project, configKey('namePrefix'))!;
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(namePrefix))
    throw new StackConfigError(
      name('namePrefix'),
      'must be 1-20 lowercase letters, digits or -, starting with a letter',
    );
  if (!STACK_NAME.test(stack))
    throw new StackConfigError(
      'stack',
      `name "${stack}" must be 1-30 letters, digits, _ . - (it goes into resource names)`,
    );
  const functionLayout = rawValue(lookup, project, configKey('functionLayout')) as FunctionLayout;
  if (!FUNCTION_LAYOUTS.includes(functionLayout))
    throw new StackConfigError(
      name('functionLayout'),
      `must be ${FUNCTION_LAYOUTS.join(' or ')}, got "${functionLayout}"`,
    );
  const functions = functionPlan(functionLayout).map((f) => f.name);
  const withCanary = lookup('canarySchedule') !== undefined;
  const tooLong = nameLengthProblem(
    namePrefix,
    stack,
    plannedNames(namePrefix, stack, {
      functions,
      canary: withCanary,
      secrets: SECRET_NAMES,
      alarmParts: [
        ...alarmPlan(functions),
        ...callAlarmPlan('', {
          fallbackPercent: 1,
          timeToAgentP95Ms: 1,
          agentQueueTimeP95Ms: 1,
          signatureRejectedPer5Min: 1,
        }),
        ...(withCanary
          ? [canaryAlarmPlan('', { schedule: 'rate(1 day)', periodSeconds: 60, alarmAfterFailures: 1 })]
          : []),
      ].map((a) => a.part),
    }),
  );
  if (tooLong) throw new StackConfigError(name('namePrefix'), tooLong);
  const logLevel = rawValue(lookup, project, configKey('logLevel'))!;
  if (logLevelFrom(logLevel) !== logLevel)
    throw new StackConfigError(name('logLevel'), 'must be debug, info, warn or error');
  const logRetentionDays = Number(rawValue(lookup, project, configKey('logRetentionDays')));
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays))
    throw new StackConfigError(
      name('logRetentionDays'),
      `must be one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  const alarmEmail = lookup('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail))
    throw new StackConfigError(name('alarmEmail'), 'must be an email address');

  const customDomain = readCustomDomain(lookup, project);
  if (customDomain && lookup('publicBaseUrl') !== undefined) {
    throw new StackConfigError(
      name('publicBaseUrl'),
      `leave it unset with customDomainName: the stack derives it (https://${customDomain.name})`,
    );
  }

  const service = serviceName(namePrefix, stack);
  const environment = {} as Record<HandlerName, Record<string, string>>;
  for (const handler of HANDLERS) {
    const env: Record<string, string> = {};
    for (const entry of CONFIG_KEYS) {
      if (!entry.env?.handlers.includes(handler)) continue;
      const value =
        entry.key === 'agentFromNumber'
          ? rawValue(lookup, project, entry) || phoneNumber
          : rawValue(lookup, project, entry);
      if (value !== undefined && value !== '') env[entry.env.name] = value;
    }
    env[SERVICE_NAME_ENV] = service;
    // Twilio signs the URL it was given: with a custom domain, that is https://<domain>/<route>.
    if (customDomain) env[ENV.publicBaseUrl] = `https://${customDomain.name}`;
    environment[handler] = env;
    validateHandlerEnv(project, handler, {
      ...env,
      [ENV.authTokenSecretArn]: PLACEHOLDER_ARN,
      [ENV.apiKeySecretArn]: usesApiKey ? PLACEHOLDER_ARN : undefined,
      [ENV.apiTokenSecretArn]: PLACEHOLDER_ARN,
      [ENV.twimlAppSid]: PLACEHOLDER_APP_SID,
    });
  }

  const budgetMs = Number(rawValue(lookup, project, configKey('twilioRetryBudgetMs')));
  for (const handler of configKey('twilioRetryBudgetMs').env?.handlers ?? []) {
    const max = maxRetryBudgetMs(handler);
    if (budgetMs > max)
      throw new StackConfigError(
        name('twilioRetryBudgetMs'),
        `must be at most ${max} ms, got ${budgetMs}: the ${handler} function times out after ` +
          `${FUNCTION_SPECS[handler].timeoutSeconds} s and keeps ${TWILIO_REQUEST_TIMEOUT_MS} ms for the last Twilio ` +
          `request and ${START_AND_ANSWER_MS} ms to start and answer`,
      );
  }

  const canary = readCanarySettings(lookup, project, stack, phoneNumber, environment);

  return {
    project,
    stack,
    releaseStage,
    verifyAfterDeploy,
    namePrefix,
    accountSid,
    phoneNumber,
    usesApiKey,
    publicBaseUrl: environment.inbound[ENV.publicBaseUrl]?.replace(/\/+$/, ''),
    customDomain,
    logRetentionDays,
    lambdaMemoryMb: integerSetting(lookup, project, 'lambdaMemoryMb', 128, 10240),
    functionLayout,
    provisionedConcurrency: integerSetting(lookup, project, 'provisionedConcurrency', 0, 100),
    throttling: {
      webhooks: {
        rateLimit: integerSetting(lookup, project, 'throttlingRateLimit', 1, 10000),
        burstLimit: integerSetting(lookup, project, 'throttlingBurstLimit', 1, 5000),
      },
      api: {
        rateLimit: integerSetting(lookup, project, 'apiThrottlingRateLimit', 1, 10000),
        burstLimit: integerSetting(lookup, project, 'apiThrottlingBurstLimit', 1, 5000),
      },
    },
    alarms: {
      enabled: rawValue(lookup, project, configKey('alarms')) === 'true',
      email: alarmEmail,
      fallbackPercent: integerSetting(lookup, project, 'alarmFallbackPercent', 1, 10000),
      timeToAgentP95Ms: integerSetting(lookup, project, 'alarmTimeToAgentP95Ms', 1000, 600000),
      agentQueueTimeP95Ms: integerSetting(lookup, project, 'alarmAgentQueueTimeP95Ms', 1000, 600000),
      signatureRejectedPer5Min: integerSetting(lookup, project, 'alarmSignatureRejectedPer5Min', 1, 1000000),
    },
    ...(canary && { canary }),
    service,
    environment,
  };
}
