/**
 * Which CloudWatch alarms the stack raises, decided without Pulumi: one row per alarm, naming the metric and what
 * it is measured on. infra/alarms-builder.ts resolves the subjects to the stack's resources.
 */
import { FALLBACK_KINDS } from '../lambdas/shared/metrics';
import type { FunctionName } from './layout';

/** What an alarm's metric is about: one deployed function, or the API. */
export type AlarmSubject = { readonly kind: 'function'; readonly function: FunctionName } | { readonly kind: 'api' };

/** One alarm: any occurrence of the metric within a minute raises it. */
export interface AlarmDefinition {
  /** Name part of the alarm resource. */
  readonly part: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly subject: AlarmSubject;
  readonly description: string;
}

/** The alarms on errors and throttles of each deployed function and on API 5xx. */
export function alarmPlan(functions: readonly FunctionName[]): AlarmDefinition[] {
  return [
    ...functions.flatMap((fn): AlarmDefinition[] => [
      {
        part: `${fn}-errors`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        subject: { kind: 'function', function: fn },
        description: `${fn} failed: callers may not reach the agent`,
      },
      {
        part: `${fn}-throttles`,
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        subject: { kind: 'function', function: fn },
        description: `${fn} was throttled: raise reserved/account concurrency`,
      },
    ]),
    {
      part: 'api-5xx',
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      subject: { kind: 'api' },
      description: 'The API answered 5xx: Twilio falls back or retries',
    },
  ];
}

/** The alarm thresholds on the handlers' own metrics (config keys alarmFallbackPercent, ...). */
export interface CallAlarmThresholds {
  readonly fallbackPercent: number;
  readonly timeToAgentP95Ms: number;
  readonly agentQueueTimeP95Ms: number;
  readonly signatureRejectedPer5Min: number;
}

/** One metric of a metric-math alarm. */
export interface AlarmMetricQuery {
  readonly id: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
}

/** An alarm on the handlers' metrics (namespace METRICS_NAMESPACE, dimension Service). */
export interface CallAlarmDefinition {
  readonly part: string;
  readonly description: string;
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** Which side of the threshold alarms (default: above it). */
  readonly comparison?: 'GreaterThanThreshold' | 'LessThanThreshold';
  /** How a period without data counts (default notBreaching: no calls, no data, no alarm). */
  readonly missingData?: 'notBreaching' | 'breaching';
  /** A single metric and its statistic, or metric math over several. */
  readonly watch:
    | { readonly kind: 'metric'; readonly query: AlarmMetricQuery }
    | {
        readonly kind: 'math';
        readonly expression: string;
        readonly label: string;
        readonly queries: readonly AlarmMetricQuery[];
      };
}

/**
 * The prod alarms on what callers live through: too many fallbacks per call, callers waiting too long for the
 * agent, Twilio's calls-per-second queue being the reason, a spike in rejected signatures (a wrong Auth Token after a rotation, a proxy changing the URL, or a
 * forger). Every metric is the one the handlers publish with `Service` = `service`.
 */
export function callAlarmPlan(service: string, thresholds: CallAlarmThresholds): CallAlarmDefinition[] {
  const fallbacks = FALLBACK_KINDS.map((kind, i) => ({
    id: `f${i}`,
    metricName: 'Fallbacks',
    dimensions: { Service: service, Kind: kind },
    stat: 'Sum',
  }));
  return [
    {
      part: 'fallback-rate',
      description:
        `More than ${thresholds.fallbackPercent} fallbacks per 100 calls in 15 minutes: callers are not reaching ` +
        'the agent (agent down, From number refused, agent legs failing); see the dashboard by Kind and Cause',
      threshold: thresholds.fallbackPercent,
      periodSeconds: 900,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      watch: {
        kind: 'math',
        expression: `100 * (${fallbacks.map((f) => `FILL(${f.id}, 0)`).join(' + ')}) / calls`,
        label: 'Fallbacks per 100 calls',
        queries: [
          { id: 'calls', metricName: 'CallsStarted', dimensions: { Service: service }, stat: 'Sum' },
          ...fallbacks,
        ],
      },
    },
    {
      part: 'time-to-agent-p95',
      description:
        `p95 time from caller join to agent join above ${thresholds.timeToAgentP95Ms} ms in two of three ` +
        '5-minute periods: callers wait on hold (Twilio queueing agent calls at the account CPS, slow agent answer)',
      threshold: thresholds.timeToAgentP95Ms,
      periodSeconds: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      watch: {
        kind: 'metric',
        query: { id: 'tta', metricName: 'TimeToAgent', dimensions: { Service: service }, stat: 'p95' },
      },
    },
    {
      part: 'agent-queue-time-p95',
      description:
        `p95 of Twilio's queue_time for agent legs above ${thresholds.agentQueueTimeP95Ms} ms in two of three ` +
        "5-minute periods: the account's calls-per-second rate, not the stack, keeps callers waiting; raise CPS in " +
        'Console (Voice > Settings) or ask Twilio (the capacity plan in the README gives the rate per burst size)',
      threshold: thresholds.agentQueueTimeP95Ms,
      periodSeconds: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      watch: {
        kind: 'metric',
        query: { id: 'queue', metricName: 'AgentQueueTime', dimensions: { Service: service }, stat: 'p95' },
      },
    },
    {
      part: 'signature-rejected',
      description:
        `More than ${thresholds.signatureRejectedPer5Min} webhooks refused for their X-Twilio-Signature in 5 minutes: ` +
        'a wrong or rotated Auth Token, a proxy changing the URL, or forged requests; see the dashboard by Handler',
      threshold: thresholds.signatureRejectedPer5Min,
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      watch: {
        kind: 'metric',
        query: { id: 'rejected', metricName: 'SignatureRejected', dimensions: { Service: service }, stat: 'Sum' },
      },
    },
  ];
}

/** What the canary's alarm is built from (StackSettings.canary). */
export interface CanaryAlarmInput {
  /** The schedule expression, for the description. */
  readonly schedule: string;
  readonly periodSeconds: number;
  readonly alarmAfterFailures: number;
}

/**
 * The canary's alarm: no passing run (`CanarySuccess` Minimum below 1) in `alarmAfterFailures` periods in a row,
 * each period the schedule's longest gap, so each holds a run. A period without data is breaching: a canary that
 * stopped reporting (its schedule disabled, a broken deploy that cannot start, a run Lambda cut off, a run skipped at
 * the daily cap) no longer watches the stack, and nothing else would say so.
 */
export function canaryAlarmPlan(service: string, canary: CanaryAlarmInput): CallAlarmDefinition {
  const n = canary.alarmAfterFailures;
  return {
    part: 'canary-failing',
    description:
      `No passing canary test call in ${n} ${n === 1 ? 'period' : 'periods in a row'} of ${canary.periodSeconds} s ` +
      `(schedule ${canary.schedule}): callers may not reach the agent. A failed run logs the step and its likeliest ` +
      "cause in the canary function's log group; a missing run (no data) also counts: the canary stopped, or skipped " +
      'at canaryMaxCallsPerDay (CanarySkipped on the dashboard)',
    threshold: 1,
    periodSeconds: canary.periodSeconds,
    evaluationPeriods: n,
    datapointsToAlarm: n,
    comparison: 'LessThanThreshold',
    missingData: 'breaching',
    watch: {
      kind: 'metric',
      query: { id: 'canary', metricName: 'CanarySuccess', dimensions: { Service: service }, stat: 'Minimum' },
    },
  };
}
