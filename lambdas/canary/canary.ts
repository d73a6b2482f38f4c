/**
 * One canary run: the acceptance call (lambdas/acceptance, the code of `npm run verify`) against the canary's own
 * stack, behind the daily cap, reported as metrics (`CanarySuccess` 1/0, `CanaryTimeToAgent`, `CanarySkipped`) and
 * as log lines: each step as it happens, then the step and hop tables. Every run ends with one line whose message
 * starts "canary run ", written after its metrics. Every I/O is a port, so tests run it on
 * scripted records and the sandbox runs the built bundle against its emulators.
 */
import { DEFAULT_TIMES, type AcceptanceTimes } from '../acceptance/plan';
import type { Clock, ParticipantsApi, TwilioRecords } from '../acceptance/records';
import { describeStep, hopTable } from '../acceptance/report';
import { runAcceptanceCall } from '../acceptance/run';
import { hops } from '../acceptance/timeline';
import type { CanaryConfig } from '../shared/config';
import type { Logger } from '../shared/log';
import type { MetricsWriter } from '../shared/metrics';
import { callLogLimit, testCallsInLastDay } from './cap';
import { canaryTarget } from './target';

/** What a run uses. */
export interface CanaryIo {
  readonly twilio: TwilioRecords;
  readonly api: ParticipantsApi;
  readonly clock: Clock;
  readonly metrics: Pick<MetricsWriter, 'put'>;
  readonly log: Logger;
}

/** How a run ended; `step` and `cause` name a failure (no secret, no CallToken: the run's own sanitized text). */
export type CanaryOutcome =
  | { readonly outcome: 'passed'; readonly timeToAgentMs: number | null }
  | { readonly outcome: 'failed'; readonly step: string; readonly cause: string; readonly timeToAgentMs: number | null }
  | { readonly outcome: 'skipped'; readonly testCallsInLastDay: number };

/** A run that could not start (configuration, secrets): reported as a failed run, so the alarm hears of it. */
export function reportUnstartable(io: Pick<CanaryIo, 'metrics' | 'log'>, step: string, cause: string): CanaryOutcome {
  io.metrics.put('CanarySuccess', 0);
  io.log.error('canary run failed before dialling', { step, cause });
  return { outcome: 'failed', step, cause, timeToAgentMs: null };
}

/** Runs the canary once; never throws. */
export async function runCanary(
  config: CanaryConfig,
  io: CanaryIo,
  times: AcceptanceTimes = DEFAULT_TIMES,
  signal?: AbortSignal,
): Promise<CanaryOutcome> {
  const { log, metrics } = io;
  let placed: number;
  try {
    const calls = await io.twilio.listCalls({
      to: config.phoneNumber,
      from: config.from,
      limit: callLogLimit(config.maxCallsPerDay),
    });
    placed = testCallsInLastDay(calls, io.clock.now());
  } catch (error) {
    // Without the count the cap cannot be kept: dial nothing, and report it (Twilio refusing us is a failure too).
    return reportUnstartable(
      io,
      'callLog',
      `could not read Twilio's call log to keep the daily cap: ${(error as Error).message}`,
    );
  }
  if (placed >= config.maxCallsPerDay) {
    metrics.put('CanarySkipped', 1);
    log.warn('canary run skipped: the daily cap of test calls is reached', {
      testCallsInLastDay: placed,
      maxCallsPerDay: config.maxCallsPerDay,
    });
    return { outcome: 'skipped', testCallsInLastDay: placed };
  }

  const result = await runAcceptanceCall(
    canaryTarget(config),
    {
      twilio: io.twilio,
      api: io.api,
      clock: io.clock,
      progress: (step) => log.info('canary step', { step: step.id, ok: step.ok, atMs: step.atMs, detail: step.detail }),
    },
    times,
    signal,
  );
  const timeToAgentMs = hops(result.observations).timeToAgent.seenMs;
  metrics.put('CanarySuccess', result.ok ? 1 : 0);
  if (timeToAgentMs !== null) metrics.put('CanaryTimeToAgent', Math.round(timeToAgentMs));
  const tables = { steps: result.steps.map(describeStep), hops: hopTable(result).split('\n').filter(Boolean) };
  if (result.ok) {
    log.info('canary run passed', { timeToAgentMs, ...tables });
    return { outcome: 'passed', timeToAgentMs };
  }
  const failure = result.failure!;
  log.error('canary run failed', {
    step: failure.step,
    cause: failure.cause,
    alerts: failure.alerts,
    legs: result.legs,
    timeToAgentMs,
    ...tables,
  });
  return { outcome: 'failed', step: failure.step, cause: failure.cause, timeToAgentMs };
}

/** What the schedule says about an invocation (its input, see infra/canary-plan.ts), for the log; untrusted. */
export function scheduleContext(event: unknown): Record<string, string> {
  if (typeof event !== 'object' || event === null) return {};
  const context: Record<string, string> = {};
  for (const key of ['scheduledTime', 'executionId'] as const) {
    const value = (event as Record<string, unknown>)[key];
    if (typeof value === 'string' && /^[\w:.+-]{1,100}$/.test(value)) context[key] = value;
  }
  return context;
}
