/**
 * The alarms of infra/alarm-plan.ts, to one SNS topic (with an e-mail subscription when configured).
 */
import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { HandlerName } from '../lambdas/routes';
import { alarmPlan, type AlarmSubject } from './alarm-plan';
import type { BuildScope } from './scope';

/** Declares the topic and the alarms. */
export function buildAlarms(
  scope: BuildScope,
  functions: Record<HandlerName, aws.lambda.Function>,
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
  const dimensions = (subject: AlarmSubject): Record<string, pulumi.Input<string>> =>
    subject.kind === 'api' ? { ApiId: api.id } : { FunctionName: functions[subject.handler].name };
  for (const alarm of alarmPlan()) {
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
  return topic;
}
