/**
 * The scheduled canary, decided without Pulumi: its function's settings and environment, the secrets it reads, what
 * a schedule must satisfy, and how Scheduler and Lambda are told not to retry. infra/canary-builder.ts creates the
 * resources; the alarm is in alarm-plan.ts, the IAM documents in iam.ts.
 *
 * What keeps the test calls within `canaryMaxCallsPerDay`:
 * - at deploy, a schedule that can run more often than the cap (maxRunsPerDay) is refused;
 * - runs never overlap: the function has reserved concurrency 1 and a schedule must leave a run its whole timeout;
 * - nothing is retried: a failed run is a result, not an error, and both Scheduler's retry policy and Lambda's
 *   asynchronous retries are 0, so one schedule tick is at most one call;
 * - at run time, the canary counts the test calls in Twilio's call log of the last 24 hours and skips at the cap
 *   (lambdas/canary/cap.ts), which covers what the schedule cannot see: manual invocations, `npm run verify`.
 */
import { DEFAULT_TIMES, hangUpReserveSeconds, runBudgetSeconds } from '../lambdas/acceptance/plan';
import { ENV } from '../lambdas/shared/config';
import { SECRET_ARN_ENV, type SecretName } from './functions';
import { longestGapSeconds, maxRunsPerDay, type RecurringSchedule, shortestGapSeconds } from './schedule';

/** The canary function's name part (`<prefix>-<stack>-canary`) and bundle folder (dist/canary, scripts/build.mjs). */
export const CANARY_FUNCTION = 'canary';

/** Name part of the role EventBridge Scheduler assumes to invoke the canary (12 characters: IAM's 64 still fit). */
export const CANARY_SCHEDULER_ROLE = 'canary-sched';

/** The canary waits on Twilio most of its run: 256 MB is plenty, whatever the handlers' lambdaMemoryMb. */
export const CANARY_MEMORY_MB = 256;

/** A cold start and the secret reads before the run starts. */
const START_SECONDS = 5;

/**
 * The canary's timeout: the acceptance call's run budget (its watchdog then interrupts it), the time an interrupted
 * run needs to hang up, and the start. With DEFAULT_TIMES: 115 + 30 + 5 = 150 s, within Lambda's 900.
 */
export const CANARY_TIMEOUT_SECONDS =
  runBudgetSeconds(DEFAULT_TIMES) + hangUpReserveSeconds(DEFAULT_TIMES) + START_SECONDS;

/** Lambda's longest timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * Scheduler's retry policy of the canary's target and Lambda's asynchronous invoke settings: no retries (a retry is
 * another billed call) and the shortest event age each allows (60 s), so an invocation throttled by the reserved
 * concurrency of 1 is dropped instead of queued for hours.
 */
export const CANARY_NO_RETRIES = { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } as const;

/** The schedule suggested for a canary (and the cost table's): 96 runs a day, within the default cap of 100. */
export const SUGGESTED_CANARY_SCHEDULE = 'rate(15 minutes)';

/**
 * The secrets the canary reads: the one Twilio REST credential (the API key secret when the stack uses one, else
 * the Auth Token: it checks no signature) and the participants API token.
 */
export function canarySecrets(usesApiKey: boolean): SecretName[] {
  return [usesApiKey ? 'twilioApiKeySecret' : 'twilioAuthToken', 'participantsApiToken'];
}

/** CloudWatch's limit on an alarm's evaluation range: 7 days, or 1 day for periods under an hour. */
export function alarmRangeLimitSeconds(periodSeconds: number): number {
  return periodSeconds < 3600 ? 86_400 : 604_800;
}

/** The canary's limits a schedule is checked against. */
export interface CanaryLimits {
  readonly maxCallsPerDay: number;
  readonly alarmAfterFailures: number;
}

/** Why a schedule cannot drive the canary (the config key to change and why), or undefined. */
export function canaryScheduleProblem(
  schedule: RecurringSchedule,
  limits: CanaryLimits,
): { readonly key: 'canarySchedule' | 'canaryAlarmAfterFailures'; readonly reason: string } | undefined {
  const expression = schedule.expression;
  if (schedule.kind === 'cron' && !schedule.everyDay)
    return {
      key: 'canarySchedule',
      reason: `${expression} leaves days out; the canary must run every day (day-of-month and day-of-week * or ?, month and year *), since its alarm counts a period without a run as a failure`,
    };
  const runs = maxRunsPerDay(schedule);
  if (runs > limits.maxCallsPerDay)
    return {
      key: 'canarySchedule',
      reason: `${expression} places up to ${runs} test calls a day, over canaryMaxCallsPerDay (${limits.maxCallsPerDay}): choose a slower schedule or raise the cap`,
    };
  const shortest = shortestGapSeconds(schedule);
  if (shortest < CANARY_TIMEOUT_SECONDS)
    return {
      key: 'canarySchedule',
      reason: `${expression} starts a run ${shortest} s after another, but a run may take up to ${CANARY_TIMEOUT_SECONDS} s (the canary's timeout): runs must not overlap`,
    };
  const period = longestGapSeconds(schedule);
  const range = period * limits.alarmAfterFailures;
  if (range > alarmRangeLimitSeconds(period))
    return {
      key: 'canaryAlarmAfterFailures',
      reason: `${limits.alarmAfterFailures} runs of ${expression} span ${range} s, over CloudWatch's ${alarmRangeLimitSeconds(period)} s for an alarm with a ${period} s period: alarm after fewer failures or run more often`,
    };
  return undefined;
}

/**
 * The canary's environment from config, for the stack and its number: the same variable names the handlers read
 * (labels, conference prefix, agent mode, Twilio account), the canary's own, and SERVICE_NAME for its metrics.
 */
export function canaryConfiguredEnvironment(input: {
  readonly stack: string;
  readonly phoneNumber: string;
  readonly from: string;
  readonly maxCallsPerDay: number;
  /** The handlers' environments (infra/stack-config.ts) the shared values are taken from. */
  readonly handlers: {
    readonly inbound: Readonly<Record<string, string>>;
    readonly agent: Readonly<Record<string, string>>;
    readonly events: Readonly<Record<string, string>>;
  };
}): Record<string, string> {
  const { inbound, agent, events } = input.handlers;
  const copy = (from: Readonly<Record<string, string>>, names: readonly string[]) =>
    Object.fromEntries(names.filter((n) => from[n] !== undefined).map((n) => [n, from[n]]));
  return {
    ...copy(events, [ENV.accountSid, ENV.apiKeySid, ENV.agentLabel, 'SERVICE_NAME', 'LOG_LEVEL']),
    ...copy(inbound, [ENV.conferenceNamePrefix, ENV.callerLabel]),
    ...copy(agent, [ENV.agentMode]),
    [ENV.canaryStack]: input.stack,
    [ENV.canaryPhoneNumber]: input.phoneNumber,
    [ENV.canaryFromNumber]: input.from,
    [ENV.canaryMaxCallsPerDay]: String(input.maxCallsPerDay),
  };
}

/**
 * The canary's whole environment: the configured part, the stack's API base URL and TwiML App (known once
 * deployed), and the ARN of each secret it reads. Generic over the value type so Pulumi outputs pass through.
 */
export function canaryEnvironment<V>(
  configured: Readonly<Record<string, string>>,
  deployed: { readonly apiBaseUrl: V; readonly twimlAppSid: V },
  secretArns: Partial<Record<SecretName, V>>,
  usesApiKey: boolean,
): Record<string, string | V> {
  const variables: Record<string, string | V> = {
    ...configured,
    [ENV.canaryApiBaseUrl]: deployed.apiBaseUrl,
    [ENV.twimlAppSid]: deployed.twimlAppSid,
  };
  for (const secret of canarySecrets(usesApiKey)) {
    const arn = secretArns[secret];
    if (arn === undefined) throw new Error(`the canary reads ${secret}, which the stack does not store`);
    variables[SECRET_ARN_ENV[secret]] = arn;
  }
  return variables;
}

/**
 * The schedule's input to the function: Scheduler fills in its context attributes, which the canary logs with its
 * run (lambdas/canary/canary.ts, scheduleContext).
 */
export const CANARY_SCHEDULE_INPUT = JSON.stringify({
  scheduledTime: '<aws.scheduler.scheduled-time>',
  executionId: '<aws.scheduler.execution-id>',
});

/** The account of an ARN (`arn:partition:service:region:account:...`). */
export function accountOfArn(arn: string): string {
  const account = arn.split(':')[4];
  if (!/^\d{12}$/.test(account ?? '')) throw new Error(`no account in ARN ${arn}`);
  return account;
}
