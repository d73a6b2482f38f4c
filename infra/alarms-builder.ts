/**
 * The alarms of infra/alarm-plan.ts (platform alarms, the alarms on the handlers' own metrics and, with a canary,
 * the canary's), to one SNS topic (with an e-mail subscription when configured).
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { METRICS_NAMESPACE } from '../lambdas/shared/metrics';
import {
  type AlarmMetricQuery,
  type AlarmSubject,
  alarmPlan,
  type CallAlarmDefinition,
  callAlarmPlan,
  canaryAlarmPlan,
} from './alarm-plan';
import type { DeployedFunction } from './functions-builder';
import type { BuildScope } from './scope';

/** Declares the topic and the alarms. */
export function buildAlarms(
  scope: BuildScope,
  functions: readonly DeployedFunction[],
  api: aws.apigatewayv2.Api,
): aws.sns.Topic {
  const { settings, tags, opts } = scope;
  const topic = new aws.sns.Topic(scope.name('alarms'), { tags }, opts);
  if (settings.alarms.email)
    new aws.sns.TopicSubscription(
      scope.name('alarms-email'),
      { topic: topic.arn, protocol: 'email', endpoint: settings.alarms.email },
      opts,
    );
  // FunctionName alone: the function's metrics over all its versions and aliases.
  const nameOf = new Map(functions.map((f) => [f.planned.name, f.function.name]));
  const dimensions = (subject: AlarmSubject): Record<string, pulumi.Input<string>> =>
    subject.kind === 'api' ? { ApiId: api.id } : { FunctionName: nameOf.get(subject.function)! };
  for (const alarm of alarmPlan(functions.map((f) => f.planned.name))) {
    new aws.cloudwatch.MetricAlarm(
      scope.name(alarm.part),
      {
        namespace: alarm.namespace,
        metricName: alarm.metricName,
        dimensions: dimensions(alarm.subject),
        statistic: 'Sum',
        period: 60,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmDescription: alarm.description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        tags,
      },
      opts,
    );
  }
  const callAlarms = [
    ...callAlarmPlan(settings.service, settings.alarms),
    ...(settings.canary
      ? [canaryAlarmPlan(settings.service, { ...settings.canary, schedule: settings.canary.schedule.expression })]
      : []),
  ];
  for (const alarm of callAlarms)
    new aws.cloudwatch.MetricAlarm(
      scope.name(alarm.part),
      {
        ...watched(alarm),
        threshold: alarm.threshold,
        evaluationPeriods: alarm.evaluationPeriods,
        datapointsToAlarm: alarm.datapointsToAlarm,
        comparisonOperator: alarm.comparison ?? 'GreaterThanThreshold',
        // No calls, no data: quiet, not an alarm (the canary's own alarm says otherwise: alarm-plan.ts).
        treatMissingData: alarm.missingData ?? 'notBreaching',
        alarmDescription: alarm.description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        tags,
      },
      opts,
    );
  return topic;
}

const PERCENTILE = /^p\d+(\.\d+)?$/;

/** The metric (with its statistic) or the metric math an alarm watches, as MetricAlarm arguments. */
function watched(alarm: CallAlarmDefinition): Partial<aws.cloudwatch.MetricAlarmArgs> {
  if (alarm.watch.kind === 'metric') {
    const { metricName, dimensions, stat } = alarm.watch.query;
    return {
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensions,
      period: alarm.periodSeconds,
      ...(PERCENTILE.test(stat) ? { extendedStatistic: stat } : { statistic: stat }),
    };
  }
  const query = (q: AlarmMetricQuery) => ({
    id: q.id,
    returnData: false,
    metric: {
      namespace: METRICS_NAMESPACE,
      metricName: q.metricName,
      dimensions: q.dimensions,
      period: alarm.periodSeconds,
      stat: q.stat,
    },
  });
  return {
    metricQueries: [
      { id: 'result', expression: alarm.watch.expression, label: alarm.watch.label, returnData: true },
      ...alarm.watch.queries.map(query),
    ],
  };
}
