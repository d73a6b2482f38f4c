/**
 * The stack's CloudWatch dashboard, decided without Pulumi: what callers live through (the handlers' metrics in
 * namespace METRICS_NAMESPACE, dimension Service) above the platform's health (Lambda, API Gateway). Pure: the body
 * is built from plain values, so tests check every published metric is on it.
 */
import { METRICS_NAMESPACE } from '../lambdas/shared/metrics';

/** What the dashboard is drawn for. */
export interface DashboardTarget {
  readonly service: string;
  readonly region: string;
  readonly apiId: string;
  /**
   * Each deployed function, in plan order: its name part (as the graphs label it), its physical name and, when it
   * has provisioned concurrency, the alias that carries it.
   */
  readonly functions: readonly { readonly part: string; readonly name: string; readonly provisionedAlias?: string }[];
  /** The scheduled canary, when the stack runs one: its schedule, its period (one run each) and its function. */
  readonly canary?: { readonly schedule: string; readonly periodSeconds: number; readonly functionName: string };
}

type MetricRow = (string | Record<string, unknown>)[];

interface Widget {
  readonly type: 'metric';
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

const FIVE_MINUTES = 300;

function widget(title: string, metrics: MetricRow[], extra: Record<string, unknown>, region: string): Widget {
  return {
    type: 'metric',
    width: 12,
    height: 6,
    properties: { title, region, metrics, view: 'timeSeries', period: FIVE_MINUTES, ...extra },
  };
}

/** A graph line per value of `dimension` (a SEARCH: kinds and causes appear as the handlers publish them). */
function byDimension(service: string, metric: string, dimension: string): MetricRow {
  const search = `SEARCH('{${METRICS_NAMESPACE},Service,${dimension}} MetricName="${metric}" Service="${service}"', 'Sum', ${FIVE_MINUTES})`;
  return [{ expression: search, label: `${metric} by ${dimension}`, id: `${metric.toLowerCase()}_by` }];
}

/**
 * With provisioned concurrency: the invocations that found every provisioned environment busy and ran on an
 * on-demand one (a cold start a caller may have waited for), per alias (Lambda's `Resource` dimension,
 * `<function>:<alias>`). None without.
 */
function provisionedWidget(functions: DashboardTarget['functions'], region: string): Widget[] {
  const warmed = functions.filter((f) => f.provisionedAlias !== undefined);
  if (warmed.length === 0) return [];
  return [
    widget(
      'Invocations beyond provisioned concurrency (on-demand, may start cold)',
      warmed.map(
        ({ part, name, provisionedAlias }): MetricRow => [
          'AWS/Lambda',
          'ProvisionedConcurrencySpilloverInvocations',
          'FunctionName',
          name,
          'Resource',
          `${name}:${provisionedAlias}`,
          { stat: 'Sum', label: `${part} spillover` },
        ],
      ),
      { stat: 'Sum' },
      region,
    ),
  ];
}

/**
 * With a canary: a row of its runs, one point per schedule period (its alarm's): passed (1) or failed (0), the runs
 * skipped at the daily cap, the time from its dial to the agent connected, and how long each run took.
 */
function canaryWidgets(service: string, canary: DashboardTarget['canary'], region: string): Widget[] {
  if (!canary) return [];
  const own = (metric: string, stat: string, label: string): MetricRow => [
    METRICS_NAMESPACE,
    metric,
    'Service',
    service,
    { stat, label },
  ];
  const period = { period: canary.periodSeconds };
  return [
    widget(
      `Canary test calls (${canary.schedule}): passed 1, failed 0`,
      [own('CanarySuccess', 'Minimum', 'worst run'), own('CanarySkipped', 'Sum', 'skipped at the daily cap')],
      period,
      region,
    ),
    widget(
      'Canary: dial to agent connected, and run duration (ms)',
      [
        own('CanaryTimeToAgent', 'Maximum', 'dial to agent connected'),
        [
          'AWS/Lambda',
          'Duration',
          'FunctionName',
          canary.functionName,
          { stat: 'Maximum', label: 'run duration', yAxis: 'right' },
        ],
      ],
      period,
      region,
    ),
  ];
}

/** The dashboard body (CloudWatch's dashboard body structure, as an object). */
export function dashboardBody(target: DashboardTarget): { widgets: Widget[] } {
  const { service, region, apiId, functions } = target;
  const own = (metric: string, stat: string, label: string): MetricRow => [
    METRICS_NAMESPACE,
    metric,
    'Service',
    service,
    { stat, label },
  ];
  const sum = { stat: 'Sum' };
  return {
    widgets: [
      widget(
        'Calls',
        [
          own('CallsStarted', 'Sum', 'calls started'),
          own('CallsEndedUnattended', 'Sum', 'ended without agent or human'),
        ],
        sum,
        region,
      ),
      widget(
        'Time to agent (caller join to agent join, ms)',
        [
          own('TimeToAgent', 'p50', 'p50'),
          own('TimeToAgent', 'p95', 'p95'),
          own('TimeToAgent', 'Maximum', 'max'),
          own('AgentQueueTime', 'p95', 'Twilio queue_time p95'),
        ],
        {},
        region,
      ),
      widget('Agent join failures by cause', [byDimension(service, 'AgentJoinFailures', 'Cause')], sum, region),
      widget('Fallbacks by kind', [byDimension(service, 'Fallbacks', 'Kind')], sum, region),
      widget('Transfer outcomes', [byDimension(service, 'TransferOutcomes', 'Outcome')], sum, region),
      widget(
        'Webhooks refused for their signature',
        [own('SignatureRejected', 'Sum', 'all handlers'), byDimension(service, 'SignatureRejected', 'Handler')],
        sum,
        region,
      ),
      ...canaryWidgets(service, target.canary, region),
      widget(
        'Function errors and throttles',
        functions.flatMap(({ part, name }): MetricRow[] => [
          ['AWS/Lambda', 'Errors', 'FunctionName', name, { stat: 'Sum', label: `${part} errors` }],
          ['AWS/Lambda', 'Throttles', 'FunctionName', name, { stat: 'Sum', label: `${part} throttles` }],
        ]),
        sum,
        region,
      ),
      ...provisionedWidget(functions, region),
      widget(
        'API',
        [
          ['AWS/ApiGateway', 'Count', 'ApiId', apiId, { stat: 'Sum', label: 'requests' }],
          ['AWS/ApiGateway', '4xx', 'ApiId', apiId, { stat: 'Sum', label: '4xx (throttled, refused)' }],
          ['AWS/ApiGateway', '5xx', 'ApiId', apiId, { stat: 'Sum', label: '5xx' }],
          ['AWS/ApiGateway', 'Latency', 'ApiId', apiId, { stat: 'p95', label: 'latency p95 (ms)', yAxis: 'right' }],
        ],
        {},
        region,
      ),
    ],
  };
}
