/**
 * The dashboard and the alarms read exactly the metrics the handlers write: the program's alarms and dashboard
 * (under mocks) are checked against EMF lines written by the handlers' own MetricsWriter with each function's
 * SERVICE_NAME, as CloudWatch would extract them (namespace, dimension set, dimension values).
 */
import {
  CANARY_METRICS,
  type EmfDocument,
  METRICS,
  type MetricName,
  MetricsWriter,
} from '../../lambdas/shared/metrics';
import { fixtureNames, stackFixture } from '../support/stack-fixtures';
import { runProgram, type ProgramRun } from './support/program';

// A program run is seconds of CPU; on a loaded 2-core machine, with another heavy file in the other worker, the
// first (cold) one has taken more than jest's 30 s.
jest.setTimeout(120_000);

const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';
const DASHBOARD = 'aws:cloudwatch/dashboard:Dashboard';

/** The metric CloudWatch extracts from one EMF line: namespace, name, and each dimension set with its values. */
function extracted(line: string): { namespace: string; name: string; dimensionSets: Record<string, string>[] } {
  const doc = JSON.parse(line) as EmfDocument;
  const [directive] = doc._aws.CloudWatchMetrics;
  return {
    namespace: directive.Namespace,
    name: directive.Metrics[0].Name,
    dimensionSets: directive.Dimensions.map((set) => Object.fromEntries(set.map((d) => [d, String(doc[d])]))),
  };
}

/** What the handlers write for `name` with these dimension values (besides Service). */
function written(service: string, name: MetricName, dimensions: Record<string, string>) {
  const lines: string[] = [];
  new MetricsWriter(service, (line) => lines.push(line)).put(name, 1, ...([dimensions] as [never]));
  return extracted(lines[0]);
}

const servicesOf = (run: ProgramRun) =>
  run
    .byType('aws:lambda/function:Function')
    .map((f) => (f.inputs.environment as { variables: Record<string, string> }).variables.SERVICE_NAME);
/** The Service the function serving the events handler writes under (combined layout: the Twilio function). */
const serviceOf = (run: ProgramRun) =>
  (run.one('aws:lambda/function:Function', '-twilio').inputs.environment as { variables: Record<string, string> })
    .variables.SERVICE_NAME;

/** Whether the fixture runs the canary (config canarySchedule), whose metrics only its stack writes. */
const runsCanary = (fixture: string) => Boolean(stackFixture(fixture).config['voice-ai-conference:canarySchedule']);

describe.each(fixtureNames())('fixture %s', (fixture) => {
  const stack = stackFixture(fixture).stackName;

  it('when its functions write metrics, they all write them under one Service: the stack’s name prefix', async () => {
    // Act
    const run = await runProgram(fixture);

    // Assert
    const functions = runsCanary(fixture) ? ['twilio', 'participants', 'canary'] : ['twilio', 'participants'];
    expect(servicesOf(run)).toEqual(functions.map(() => `voiceai-${stack}`));
  });

  it('when the dashboard draws the handlers’ metrics, it names every metric they write, for this stack’s Service', async () => {
    // Arrange
    const run = await runProgram(fixture);
    const service = serviceOf(run);

    // Act
    const [dashboard] = run.byType(DASHBOARD);
    const body = String(dashboard.inputs.dashboardBody);

    // Assert
    expect(dashboard.inputs.dashboardName).toBe(`voiceai-${stack}-dashboard`);
    const canaryMetrics: readonly string[] = CANARY_METRICS;
    for (const name of Object.keys(METRICS) as MetricName[]) {
      if (canaryMetrics.includes(name) && !runsCanary(fixture)) {
        expect(body).not.toContain(name);
        continue;
      }
      expect(body).toContain(name);
      const dims = METRICS[name].dimensionSets.flat();
      const sample = written(service, name, Object.fromEntries(dims.map((d) => [d, 'x'])));
      // A SEARCH names the whole dimension schema of the set; a plain metric row names Service only.
      const schemaSearch = `{${sample.namespace},Service${dims.map((d) => `,${d}`).join('')}}`;
      expect(
        dims.length === 0
          ? body.includes(`"${sample.namespace}","${name}","Service","${service}"`)
          : body.includes(schemaSearch),
      ).toBe(true);
    }
  });
});

describe('production-like alarms on the handlers’ metrics', () => {
  it.each([
    ['-fallback-rate', 'metric math over CallsStarted and Fallbacks by Kind'],
    ['-time-to-agent-p95', 'p95 of TimeToAgent'],
    ['-agent-queue-time-p95', 'p95 of AgentQueueTime'],
    ['-signature-rejected', 'Sum of SignatureRejected'],
  ])('when the %s alarm (%s) evaluates, every metric it reads is one the handlers write', async (nameEnding) => {
    // Arrange
    const run = await runProgram('production-like');
    const service = serviceOf(run);

    // Act
    const alarm = run.one(ALARM, nameEnding).inputs as Record<string, unknown>;
    type Query = { metric?: { namespace: string; metricName: string; dimensions: Record<string, string> } };
    const metrics = alarm.metricQueries
      ? (alarm.metricQueries as Query[]).flatMap((q) => (q.metric ? [q.metric] : []))
      : [alarm as unknown as NonNullable<Query['metric']>];

    // Assert
    expect(metrics.length).toBeGreaterThan(0);
    for (const m of metrics) {
      const { Service, ...rest } = m.dimensions;
      expect(Service).toBe(service);
      const emitted = written(service, m.metricName as MetricName, rest);
      expect([emitted.namespace, emitted.name]).toEqual([m.namespace, m.metricName]);
      expect(emitted.dimensionSets).toContainEqual(m.dimensions);
    }
    expect(alarm.alarmActions).toHaveLength(1);
  });

  it('when the thresholds are configured, the alarms use them', async () => {
    // Act
    const run = await runProgram('production-like', {
      alarmFallbackPercent: '7',
      alarmTimeToAgentP95Ms: '12000',
      alarmAgentQueueTimeP95Ms: '4000',
      alarmSignatureRejectedPer5Min: '3',
    });

    // Assert
    expect(run.one(ALARM, '-fallback-rate').inputs.threshold).toBe(7);
    expect(run.one(ALARM, '-time-to-agent-p95').inputs).toMatchObject({ threshold: 12000, extendedStatistic: 'p95' });
    expect(run.one(ALARM, '-agent-queue-time-p95').inputs).toMatchObject({ threshold: 4000, extendedStatistic: 'p95' });
    expect(run.one(ALARM, '-signature-rejected').inputs).toMatchObject({ threshold: 3, statistic: 'Sum' });
  });
});

describe('the canary’s alarm (canary-on)', () => {
  it('when it evaluates, it reads CanarySuccess as the canary writes it, under the stack’s Service', async () => {
    // Arrange
    const run = await runProgram('canary-on');
    const canaryEnv = (run.one('aws:lambda/function:Function', '-canary').inputs.environment as { variables: Env })
      .variables;

    // Act
    const alarm = run.one(ALARM, '-canary-failing').inputs as {
      namespace: string;
      metricName: string;
      dimensions: Env;
      alarmActions: unknown[];
    };

    // Assert
    const emitted = written(canaryEnv.SERVICE_NAME, 'CanarySuccess', {});
    expect([emitted.namespace, emitted.name]).toEqual([alarm.namespace, alarm.metricName]);
    expect(emitted.dimensionSets).toContainEqual(alarm.dimensions);
    expect(alarm.alarmActions).toHaveLength(1);
  });
});

type Env = Record<string, string>;
