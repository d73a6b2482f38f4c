/**
 * The stack's metrics, written as CloudWatch embedded metric format (EMF) log lines: CloudWatch Logs extracts
 * them into metrics, so no API call, no SDK and no flush at the end of an invocation are needed (each metric is
 * one line, written when it happens, so a failing invocation still reports what it did before failing).
 *
 * Format: AWS docs "Specification: Embedded metric format" (CloudWatch User Guide): a JSON object whose `_aws`
 * member holds `Timestamp` (ms since the epoch) and `CloudWatchMetrics` directives (`Namespace`, `Dimensions`
 * as an array of dimension sets, `Metrics` with `Name` and `Unit`); values of metrics and dimensions are members
 * of the root object.
 *
 * Lines go to `process.stdout` directly, not through `console.log`: Lambda's Node runtime prefixes console
 * output with a timestamp, request id and level, and a prefixed line is not extracted as EMF.
 */

/** The namespace every metric of the stack is published under (the dashboard and alarms read it). */
export const METRICS_NAMESPACE = 'VoiceAiConference';

/**
 * The `Kind`s `Fallbacks` is published under: the agent tried again, the fallback target dialled, the call ended
 * with the message or voicemail, the agent dialled back after a transfer failed. Infra's alarm adds them up by
 * name (metric math cannot SEARCH), so this is the one list both read.
 */
export const FALLBACK_KINDS = ['retry', 'target', 'message', 'voicemail', 'agent'] as const;
/** One of {@link FALLBACK_KINDS}. */
export type FallbackKind = (typeof FALLBACK_KINDS)[number];

/**
 * Every metric: its unit and the dimension sets it is published under, each set besides `Service` (the function,
 * from `SERVICE_NAME`). This table is the contract with the dashboard and alarms in infra/.
 */
export const METRICS = {
  /** A caller joined their conference (the start of the time-to-agent clock). */
  CallsStarted: { unit: 'Count', dimensionSets: [[]] },
  /** Caller join to agent join, from Twilio's event `Timestamp`s. */
  TimeToAgent: { unit: 'Milliseconds', dimensionSets: [[]] },
  /** The agent create's `queue_time`: how long Twilio queued the call at the account's calls-per-second rate. */
  AgentQueueTime: { unit: 'Milliseconds', dimensionSets: [[]] },
  /** An agent leg that did not join, by cause (busy, failed, no-answer, rejected, dropped...). */
  AgentJoinFailures: { unit: 'Count', dimensionSets: [['Cause']] },
  /** A fallback outcome taken, by kind (retry, target, message, voicemail). */
  Fallbacks: { unit: 'Count', dimensionSets: [['Kind']] },
  /** How a transfer to a human ended (answered, no-answer, busy, failed...). */
  TransferOutcomes: { unit: 'Count', dimensionSets: [['Outcome']] },
  /** A call that ended without the agent or a human ever talking to the caller. */
  CallsEndedUnattended: { unit: 'Count', dimensionSets: [[]] },
  /** A request refused for a missing or wrong `X-Twilio-Signature`, per handler and in total. */
  SignatureRejected: { unit: 'Count', dimensionSets: [['Handler'], []] },
  /** A scheduled canary run (lambdas/canary): 1 when every step of its test call passed, 0 when one failed. */
  CanarySuccess: { unit: 'None', dimensionSets: [[]] },
  /** A canary run's dial to the agent connected in the conference, as the run first saw it. */
  CanaryTimeToAgent: { unit: 'Milliseconds', dimensionSets: [[]] },
  /** A canary run that dialled nothing: the daily cap of test calls was reached. */
  CanarySkipped: { unit: 'Count', dimensionSets: [[]] },
} as const;

/** The canary's metrics: written only by a stack that runs the canary (config `canarySchedule`). */
export const CANARY_METRICS = [
  'CanarySuccess',
  'CanaryTimeToAgent',
  'CanarySkipped',
] as const satisfies readonly (keyof typeof METRICS)[];

export type MetricName = keyof typeof METRICS;

/** The dimension values a metric needs (besides Service): exactly the names of its dimension sets. */
export type MetricDimensions<N extends MetricName> = Record<
  (typeof METRICS)[N]['dimensionSets'][number][number],
  string
>;

/** `put`'s trailing argument: the dimensions, required exactly when the metric has any. */
type DimensionsArgument<N extends MetricName> = [keyof MetricDimensions<N>] extends [never]
  ? []
  : [dimensions: MetricDimensions<N>];

/** One value of one metric with its dimensions, as decision logic returns it for the writer to record. */
export type MetricPoint = {
  [N in MetricName]: { readonly name: N; readonly value: number } & ([keyof MetricDimensions<N>] extends [never]
    ? { readonly dimensions?: undefined }
    : { readonly dimensions: MetricDimensions<N> });
}[MetricName];

/** One EMF document. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [member: string]: unknown;
}

/** Builds the EMF document of one metric value (pure). */
export function emfDocument<N extends MetricName>(
  name: N,
  value: number,
  dimensions: MetricDimensions<N>,
  service: string,
  timestamp: number,
): EmfDocument {
  const { unit, dimensionSets } = METRICS[name];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: dimensionSets.map((set) => ['Service', ...set]),
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    Service: service,
    ...(dimensions as Record<string, string>),
    [name]: value,
  };
}

/** Where EMF lines go: stdout in Lambda, a collector in tests. */
export type MetricsSink = (line: string) => void;

/** Writes the stack's metrics for one service (function). */
export class MetricsWriter {
  constructor(
    private readonly service: string,
    private readonly sink: MetricsSink = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes one value of a metric now. */
  put<N extends MetricName>(name: N, value: number, ...dimensions: DimensionsArgument<N>): void {
    if (!Number.isFinite(value)) return;
    const dims = (dimensions[0] ?? {}) as MetricDimensions<N>;
    this.sink(JSON.stringify(emfDocument(name, value, dims, this.service, this.now())));
  }

  /** Writes a value a decision returned. */
  record(point: MetricPoint): void {
    const dims = (point.dimensions ?? {}) as Record<string, string>;
    if (!Number.isFinite(point.value)) return;
    this.sink(JSON.stringify(emfDocument(point.name, point.value, dims as never, this.service, this.now())));
  }

  /** Counts one occurrence. */
  count<N extends MetricName>(name: N, ...dimensions: DimensionsArgument<N>): void {
    this.put(name, 1, ...dimensions);
  }
}

let root: MetricsWriter | undefined;

/** The container's writer, for the service named by `SERVICE_NAME` (set by the stack on every function). */
export function metrics(): MetricsWriter {
  root ??= new MetricsWriter(process.env.SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || 'unknown');
  return root;
}
