/**
 * The SignatureRejected metric: every Twilio-facing handler writes one CloudWatch EMF line per refused signature,
 * with the dimension sets [Service, Handler] and [Service], and none for a genuine request.
 */
import { baseEnv, callParams, loadHandler, twilioEvent } from './support/events';

const HANDLERS = [
  ['inbound', '../../lambdas/inbound', '/twilio/voice/inbound'],
  ['agent', '../../lambdas/agent', '/twilio/voice/agent'],
  ['events', '../../lambdas/events', '/twilio/conference/events'],
] as const;

/** Runs `action` with stdout captured; returns the lines that parse as EMF documents. */
async function emfLinesDuring(action: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await action();
  } finally {
    write.mockRestore();
    log.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.each(HANDLERS)('the %s handler', (handlerName, modulePath, path) => {
  const saved = process.env;
  afterAll(() => {
    process.env = saved;
  });

  describe.each<[string, { signature?: string | null; authToken?: string }]>([
    ['no signature', { signature: null }],
    ['a signature made with another token', { authToken: 'not-the-auth-token-0123456789ab' }],
    ['a garbage signature', { signature: 'AAAA' }],
  ])('given a request with %s', (_name, forgery) => {
    it('answers 403 and writes one SignatureRejected count for its Service and Handler', async () => {
      // Arrange
      const handler = loadHandler(require.resolve(modulePath), baseEnv({ SERVICE_NAME: `voiceai-dev-${handlerName}` }));
      const event = twilioEvent({ path, params: callParams(), ...forgery });
      // Act
      let status = 0;
      const lines = await emfLinesDuring(async () => {
        status = (await handler(event)).statusCode;
      });
      // Assert
      expect(status).toBe(403);
      expect(lines).toEqual([
        {
          _aws: {
            Timestamp: expect.any(Number),
            CloudWatchMetrics: [
              {
                Namespace: 'VoiceAiConference',
                Dimensions: [['Service', 'Handler'], ['Service']],
                Metrics: [{ Name: 'SignatureRejected', Unit: 'Count' }],
              },
            ],
          },
          Service: `voiceai-dev-${handlerName}`,
          Handler: handlerName,
          SignatureRejected: 1,
        },
      ]);
    });
  });

  it('writes no SignatureRejected for a genuinely signed request', async () => {
    const handler = loadHandler(require.resolve(modulePath), baseEnv({ SERVICE_NAME: `voiceai-dev-${handlerName}` }));
    const lines = await emfLinesDuring(() => handler(twilioEvent({ path, params: callParams() })));
    expect(lines.filter((l) => 'SignatureRejected' in l)).toEqual([]);
  });
});
