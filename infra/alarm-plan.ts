/**
 * Which CloudWatch alarms the stack raises, decided without Pulumi: one row per alarm, naming the metric and what
 * it is measured on. infra/alarms-builder.ts resolves the subjects to the stack's resources.
 */
import { HANDLERS, type HandlerName } from '../lambdas/routes';

/** What an alarm's metric is about: one function, or the API. */
export type AlarmSubject = { readonly kind: 'function'; readonly handler: HandlerName } | { readonly kind: 'api' };

/** One alarm: any occurrence of the metric within a minute raises it. */
export interface AlarmDefinition {
  /** Name part of the alarm resource. */
  readonly part: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly subject: AlarmSubject;
  readonly description: string;
}

/** The alarms on function errors and throttles and on API 5xx. */
export function alarmPlan(handlers: readonly HandlerName[] = HANDLERS): AlarmDefinition[] {
  return [
    ...handlers.flatMap((handler): AlarmDefinition[] => [
      {
        part: `${handler}-errors`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        subject: { kind: 'function', handler },
        description: `${handler} failed: callers may not reach the agent`,
      },
      {
        part: `${handler}-throttles`,
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        subject: { kind: 'function', handler },
        description: `${handler} was throttled: raise reserved/account concurrency`,
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
