/**
 * The canary function: EventBridge Scheduler invokes it on the stack's `canarySchedule`, and it places the
 * acceptance call against its own stack (lambdas/canary/canary.ts). Its settings come from its environment
 * (lambdas/shared/config/canary.ts), its two secrets from Secrets Manager through the handlers' secret reader.
 *
 * It never throws: a failed run is a result (`CanarySuccess` 0), and Lambda's retries stay off. Its watchdog
 * interrupts the run while the function still has time to hang up (plan.ts: runBudgetSeconds, hangUpReserveSeconds);
 * should Lambda stop it anyway, the test call's TimeLimit ends every leg.
 */
import { DEFAULT_TIMES, hangUpReserveSeconds, runBudgetSeconds } from '../acceptance/plan';
import { participantsApi } from '../acceptance/participants-api';
import { systemClock } from '../acceptance/records';
import { twilioRecords } from '../acceptance/twilio-records';
import { once, readCanaryConfig } from '../shared/config';
import { rootLogger } from '../shared/log';
import { MetricsWriter } from '../shared/metrics';
import { secrets } from '../shared/secrets';
import { type CanaryOutcome, reportUnstartable, runCanary, scheduleContext } from './canary';

const config = once(() => readCanaryConfig(process.env));

/** The part of Lambda's context the canary reads. */
interface CanaryContext {
  getRemainingTimeInMillis(): number;
}

/** Runs the canary once (the event is the schedule's input, read only for the log). */
export async function handler(event: unknown, context: CanaryContext): Promise<CanaryOutcome> {
  // Every metric of a run carries its start: one run, one datapoint in the alarm's period of its schedule.
  const startedAt = Date.now();
  const metrics = new MetricsWriter(
    process.env.SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || 'unknown',
    undefined,
    () => startedAt,
  );
  const log = rootLogger().child({ canary: true, ...scheduleContext(event) });

  let settings: ReturnType<typeof config>;
  let password: string;
  let apiToken: string;
  try {
    settings = config();
    [password, apiToken] = await Promise.all([
      secrets.resolve(settings.twilio.password),
      secrets.resolve(settings.apiToken),
    ]);
  } catch (error) {
    // ConfigError and SecretError name the variable or the failure, never a value.
    return reportUnstartable({ metrics, log }, 'setup', (error as Error).message);
  }

  const controller = new AbortController();
  const budgetMs = Math.min(
    runBudgetSeconds(DEFAULT_TIMES) * 1000,
    context.getRemainingTimeInMillis() - hangUpReserveSeconds(DEFAULT_TIMES) * 1000,
  );
  const watchdog = setTimeout(() => controller.abort('the canary’s time-out'), Math.max(0, budgetMs));
  try {
    return await runCanary(
      settings,
      {
        twilio: twilioRecords({
          accountSid: settings.twilio.accountSid,
          username: settings.twilio.username,
          password,
          baseUrl: settings.twilio.apiBaseUrl,
        }),
        api: participantsApi(settings.apiBaseUrl, apiToken),
        clock: systemClock,
        metrics,
        log,
      },
      DEFAULT_TIMES,
      controller.signal,
    );
  } finally {
    clearTimeout(watchdog);
  }
}
