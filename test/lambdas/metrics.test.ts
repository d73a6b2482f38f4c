import { METRICS, MetricsWriter, type metrics } from '../../lambdas/shared/metrics';
import { datapointsIn, EmfViolation, extractDatapoints } from '../support/emf';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function writerInto(lines: string[], service = 'events'): MetricsWriter {
  return new MetricsWriter(
    service,
    (line) => lines.push(line),
    () => NOW,
  );
}

describe('MetricsWriter (CloudWatch embedded metric format)', () => {
  describe.each([
    ['CallsStarted', (w: MetricsWriter) => w.count('CallsStarted'), 'Count', 1, [{}]],
    ['TimeToAgent', (w: MetricsWriter) => w.put('TimeToAgent', 1834), 'Milliseconds', 1834, [{}]],
    ['AgentQueueTime', (w: MetricsWriter) => w.put('AgentQueueTime', 2000), 'Milliseconds', 2000, [{}]],
    [
      'AgentJoinFailures',
      (w: MetricsWriter) => w.count('AgentJoinFailures', { Cause: 'busy' }),
      'Count',
      1,
      [{ Cause: 'busy' }],
    ],
    ['Fallbacks', (w: MetricsWriter) => w.count('Fallbacks', { Kind: 'message' }), 'Count', 1, [{ Kind: 'message' }]],
    [
      'TransferOutcomes',
      (w: MetricsWriter) => w.count('TransferOutcomes', { Outcome: 'no-answer' }),
      'Count',
      1,
      [{ Outcome: 'no-answer' }],
    ],
    ['CallsEndedUnattended', (w: MetricsWriter) => w.count('CallsEndedUnattended'), 'Count', 1, [{}]],
    [
      'SignatureRejected',
      (w: MetricsWriter) => w.count('SignatureRejected', { Handler: 'inbound' }),
      'Count',
      1,
      [{ Handler: 'inbound' }, {}],
    ],
  ] as const)('when %s is written', (name, write, unit, value, dimensionSets) => {
    it('writes one line CloudWatch extracts under VoiceAiConference, with Service and its dimensions', () => {
      // Arrange
      const lines: string[] = [];
      // Act
      write(writerInto(lines));
      // Assert
      expect(lines).toHaveLength(1);
      expect(extractDatapoints(JSON.parse(lines[0]))).toEqual(
        dimensionSets.map((dims) => ({
          namespace: 'VoiceAiConference',
          name,
          unit,
          value,
          dimensions: { Service: 'events', ...dims },
          timestamp: NOW,
        })),
      );
    });
  });

  it('when every metric of the table is written, each line passes the EMF rules', () => {
    const lines: string[] = [];
    const writer = writerInto(lines);
    for (const name of Object.keys(METRICS) as (keyof typeof METRICS)[]) {
      (writer.put as (n: string, v: number, d: Record<string, string>) => void)(name, 3, {
        Cause: 'x',
        Kind: 'x',
        Outcome: 'x',
        Handler: 'x',
      });
    }

    expect(() => datapointsIn(lines)).not.toThrow();
    expect(new Set(datapointsIn(lines).map((d) => d.name))).toEqual(new Set(Object.keys(METRICS)));
  });

  it.each([NaN, Infinity])('when the value is %s, writes nothing (CloudWatch would reject the document)', (value) => {
    const lines: string[] = [];

    writerInto(lines).put('TimeToAgent', value);

    expect(lines).toEqual([]);
  });

  it('when a line is written, it is bare JSON on one line (no prefix, which would stop the extraction)', () => {
    const lines: string[] = [];

    writerInto(lines).count('Fallbacks', { Kind: 'target' });

    expect(lines[0]).toMatch(/^\{.*\}$/);
    expect(lines[0]).not.toContain('\n');
  });
});

describe('metrics() (the container writer)', () => {
  it('when SERVICE_NAME is set, names the Service dimension after it and writes to stdout', () => {
    // Arrange
    const saved = process.env.SERVICE_NAME;
    process.env.SERVICE_NAME = 'voice-dev-events';
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // Act
      let writer: MetricsWriter | undefined;
      jest.isolateModules(() => {
        writer = (require('../../lambdas/shared/metrics') as { metrics: typeof metrics }).metrics();
      });
      writer?.count('CallsStarted');
    } finally {
      spy.mockRestore();
      if (saved === undefined) delete process.env.SERVICE_NAME;
      else process.env.SERVICE_NAME = saved;
    }
    // Assert
    expect(written).toHaveLength(1);
    expect(written[0].endsWith('\n')).toBe(true);
    expect(datapointsIn([written[0].trim()])[0].dimensions).toEqual({ Service: 'voice-dev-events' });
  });
});

describe('the EMF reader of the tests (checked against the spec, so the writer tests can fail)', () => {
  it.each([
    [
      'a metric value that is a string',
      {
        _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [], Metrics: [{ Name: 'M' }] }] },
        M: '1',
      },
    ],
    [
      'a dimension missing from the root',
      { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['D']], Metrics: [] }] } },
    ],
    [
      'an unknown unit',
      {
        _aws: {
          Timestamp: 1,
          CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [[]], Metrics: [{ Name: 'M', Unit: 'Millis' }] }],
        },
        M: 1,
      },
    ],
    ['no timestamp', { _aws: { CloudWatchMetrics: [] } }],
  ])('when given %s, rejects it', (_what, document) => {
    expect(() => extractDatapoints(document)).toThrow(EmfViolation);
  });
});
