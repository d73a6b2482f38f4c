/**
 * Reads log lines as CloudWatch Logs reads embedded metric format documents, written from AWS's "Specification:
 * Embedded metric format" (CloudWatch User Guide), not from our writer: a line that is a JSON object with
 * `_aws.CloudWatchMetrics` is checked against the spec's rules and turned into the datapoints CloudWatch would
 * store (one per metric per dimension set). Any other line is not a metric and is skipped.
 */

/** One datapoint CloudWatch would extract. */
export interface Datapoint {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  /** The dimensions of this datapoint's dimension set, name to value. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

// The spec's unit list (MetricDefinition.Unit).
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

/** Thrown for a document CloudWatch would reject; the message says which rule of the spec it breaks. */
export class EmfViolation extends Error {}

function fail(rule: string): never {
  throw new EmfViolation(rule);
}

/** The datapoints of one EMF document; throws {@link EmfViolation} when the spec's rules are broken. */
export function extractDatapoints(document: unknown): Datapoint[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) fail('root must be an object');
  const root = document as Record<string, unknown>;
  const aws = root._aws as Record<string, unknown> | undefined;
  if (typeof aws !== 'object' || aws === null) fail('_aws must be an object');
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp))
    fail('_aws.Timestamp must be an integer (ms since the epoch)');
  if (!Array.isArray(aws.CloudWatchMetrics)) fail('_aws.CloudWatchMetrics must be an array');
  const datapoints: Datapoint[] = [];
  for (const directive of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    const { Namespace, Dimensions, Metrics } = directive;
    if (typeof Namespace !== 'string' || Namespace.length < 1 || Namespace.length > 1024)
      fail('Namespace must be a string of 1-1024 characters');
    if (!Array.isArray(Dimensions)) fail('Dimensions must be an array of dimension sets');
    if (!Array.isArray(Metrics) || Metrics.length > 100) fail('Metrics must be an array of at most 100 definitions');
    for (const set of Dimensions) {
      if (!Array.isArray(set) || set.length > 30) fail('a dimension set must be an array of at most 30 names');
      for (const name of set) {
        if (typeof root[name] !== 'string') fail(`dimension ${String(name)} must be a string member of the root`);
      }
    }
    for (const metric of Metrics as Record<string, unknown>[]) {
      const { Name, Unit } = metric;
      if (typeof Name !== 'string' || Name.length < 1 || Name.length > 1024) fail('Name must be 1-1024 characters');
      if (Unit !== undefined && !UNITS.has(Unit as string)) fail(`Unit ${String(Unit)} is not a CloudWatch unit`);
      const value = root[Name];
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`metric ${Name} must be a number on the root`);
      for (const set of Dimensions as string[][]) {
        datapoints.push({
          namespace: Namespace,
          name: Name,
          unit: (Unit as string | undefined) ?? 'None',
          value,
          dimensions: Object.fromEntries(set.map((d) => [d, root[d] as string])),
          timestamp: aws.Timestamp as number,
        });
      }
    }
  }
  return datapoints;
}

/** Every datapoint in some log lines (lines that are not EMF documents are skipped). */
export function datapointsIn(lines: readonly string[]): Datapoint[] {
  const datapoints: Datapoint[] = [];
  for (const line of lines) {
    if (!line.startsWith('{') || !line.includes('"_aws"')) continue;
    datapoints.push(...extractDatapoints(JSON.parse(line)));
  }
  return datapoints;
}

/** The sum of a metric's datapoints whose dimensions are exactly `dimensions` (as a CloudWatch query selects). */
export function sumOf(datapoints: readonly Datapoint[], name: string, dimensions: Record<string, string>): number {
  const wanted = Object.entries(dimensions).sort();
  return datapoints
    .filter((d) => d.name === name)
    .filter((d) => JSON.stringify(Object.entries(d.dimensions).sort()) === JSON.stringify(wanted))
    .reduce((sum, d) => sum + d.value, 0);
}
