import {
  apiGatewayEvent,
  baseEnv,
  callParams,
  DOMAIN,
  sid,
  twilioEvent,
  loadHandler as loadModule,
} from './support/events';

const loadHandler = (env: Record<string, string>) => loadModule(require.resolve('../../lambdas/inbound'), env);

const path = '/twilio/voice/inbound';

describe('inbound handler', () => {
  const saved = process.env;
  afterAll(() => {
    process.env = saved;
  });

  describe.each([
    ['$default stage, base64 body', { stage: '$default', base64: true }, `https://${DOMAIN}`],
    ['named stage, plain body', { stage: 'dev', base64: false }, `https://${DOMAIN}/dev`],
  ])('a genuine call (%s)', (_name, variant, base) => {
    it('answers with conference TwiML whose callbacks point at this API', async () => {
      const handler = loadHandler(baseEnv());
      const response = await handler(twilioEvent({ path, params: callParams(), ...variant }));
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/xml/);
      expect(response.body).toContain(`>conf-${sid('CA', 1)}</Conference>`);
      expect(response.body).toContain(
        `statusCallback="${base}/twilio/conference/events?caller=%2B15557654321&amp;callerCallSid=${sid('CA', 1)}"`,
      );
      expect(response.body).toContain('participantLabel="caller"');
    });
  });

  it('gives each call its own conference, with no phone number in its name', async () => {
    const handler = loadHandler(baseEnv());
    const first = await handler(twilioEvent({ path, params: callParams({ CallSid: sid('CA', 7) }) }));
    const second = await handler(twilioEvent({ path, params: callParams({ CallSid: sid('CA', 8) }) }));
    const name = (xml: string) => /<Conference[^>]*>([^<]+)<\/Conference>/.exec(xml)?.[1];
    expect(name(first.body)).toBe(`conf-${sid('CA', 7)}`);
    expect(name(second.body)).toBe(`conf-${sid('CA', 8)}`);
    expect(name(first.body)).not.toContain('5557654321');
  });

  it('uses the configured public base URL for callbacks (custom domain)', async () => {
    const handler = loadHandler(baseEnv({ PUBLIC_BASE_URL: 'https://voice.example.com' }));
    const response = await handler(twilioEvent({ path, params: callParams(), domainName: 'voice.example.com' }));
    expect(response.body).toContain('statusCallback="https://voice.example.com/twilio/conference/events?');
  });

  describe.each([
    ['a missing signature', { signature: null }, 403],
    ['a wrong signature', { signature: 'AAAA' }, 403],
    ['a signature made with another Auth Token', { authToken: 'stolen-but-wrong' }, 403],
  ])('refuses %s', (_name, variant, status) => {
    it(`with ${status} and no TwiML`, async () => {
      const handler = loadHandler(baseEnv());
      const response = await handler(twilioEvent({ path, params: callParams(), ...variant }));
      expect(response.statusCode).toBe(status);
      expect(response.body).not.toContain('<Response>');
    });
  });

  it('refuses a GET with 405', async () => {
    const handler = loadHandler(baseEnv());
    const response = await handler(apiGatewayEvent({ method: 'GET', path }));
    expect(response.statusCode).toBe(405);
  });

  it('refuses a signed request without a proper CallSid with 400', async () => {
    const handler = loadHandler(baseEnv());
    const response = await handler(twilioEvent({ path, params: callParams({ CallSid: '../../etc' }) }));
    expect(response.statusCode).toBe(400);
  });

  it('answers 500 naming no secret when configuration is broken, so Twilio uses the fallback URL', async () => {
    const logs: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    const handler = loadHandler(baseEnv({ CONFERENCE_BEEP: 'loud', LOG_LEVEL: 'info' }));
    const response = await handler(twilioEvent({ path, params: callParams() }));
    spy.mockRestore();
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('test-auth-token');
    expect(logs.join('\n')).toContain('CONFERENCE_BEEP');
    expect(logs.join('\n')).not.toContain('test-auth-token');
  });

  it('logs the caller masked, never the full number', async () => {
    const logs: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    const handler = loadHandler(baseEnv({ LOG_LEVEL: 'info' }));
    await handler(twilioEvent({ path, params: callParams() }));
    spy.mockRestore();
    const line = JSON.parse(logs.find((l) => l.includes('caller sent to conference')) as string);
    expect(line).toMatchObject({ level: 'info', handler: 'inbound', callSid: sid('CA', 1), from: '+155***4321' });
    expect(logs.join('\n')).not.toContain('+15557654321');
  });

  describe.each([
    ['a CallToken of a usual length', 400, 'carried'],
    ['a CallToken of 2048 characters', 2048, 'carried'],
    ['a CallToken of 2049 characters (too long for a URL the stack signs on)', 2049, 'too long'],
  ])('when the inbound webhook carries %s', (_case, length, outcome) => {
    it(`puts it on the conference callback URL only when it fits (${outcome}), and never logs it`, async () => {
      const token = `%7B%22parentCallInfoToken%22%3A%22${'t'.repeat(length - 40)}%22%7D`.slice(0, length);
      const logs: string[] = [];
      const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
      const handler = loadHandler(baseEnv({ LOG_LEVEL: 'debug' }));

      const response = await handler(twilioEvent({ path, params: callParams({ CallToken: token }) }));
      spy.mockRestore();

      const callback = /statusCallback="([^"]+)"/.exec(response.body)?.[1].replace(/&amp;/g, '&') ?? '';
      const carried = new URL(callback).searchParams.get('callToken');
      expect(carried).toBe(outcome === 'carried' ? token : null);
      expect(JSON.parse(logs.find((l) => l.includes('caller sent to conference')) as string).callToken).toBe(outcome);
      expect(logs.join('\n')).not.toContain('tttttttt');
    });
  });
});
