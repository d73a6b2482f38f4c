import { ACCOUNT_SID, baseEnv, callParams, sid, twilioEvent, loadHandler as loadModule } from './support/events';
import { encodeContext } from '../../lambdas/shared/agent-context';
import { captureLogs } from '../support/logs';

const loadHandler = (env: Record<string, string>) => loadModule(require.resolve('../../lambdas/agent'), env);

const path = '/twilio/voice/agent';
const appLegParams = callParams({
  CallSid: sid('CA', 99),
  Direction: 'inbound',
  To: `app:AP${'a'.repeat(32)}`,
  From: '+15550001111',
});

describe('agent handler', () => {
  const saved = process.env;
  afterAll(() => {
    process.env = saved;
  });

  describe.each([
    ['phone number and SIDs', { caller: '+15557654321', callerCallSid: sid('CA', 1), conference: 'conf-x' }],
    ['spaces, & and =', { ticket: 'a b&c=d' }],
    ['unicode', { customerId: 'Zoë-東京-🚀' }],
    ['XML special characters', { ticket: '<x a="1">&amp;</x>' }],
  ])('hands the custom parameters (%s) to the stream', (_name, context) => {
    it('as <Parameter> elements with the values unchanged', async () => {
      const handler = loadHandler(baseEnv());
      const response = await handler(
        twilioEvent({ path, rawQueryString: encodeContext(context), params: appLegParams }),
      );
      expect(response.statusCode).toBe(200);
      const values = [...response.body.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)].map(([, n, v]) => [
        n,
        v
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&'),
      ]);
      expect(Object.fromEntries(values)).toEqual(context);
      expect(response.body).toContain('<Stream url="wss://agent.example.com/media">');
    });
  });

  it('drops parameters that are not on the allow-list', async () => {
    const handler = loadHandler(baseEnv({ AGENT_CONTEXT_ALLOWLIST: 'caller' }));
    const response = await handler(
      twilioEvent({ path, rawQueryString: 'caller=%2B1555&internal=secret-stuff', params: appLegParams }),
    );
    expect(response.body).toContain('name="caller"');
    expect(response.body).not.toContain('internal');
  });

  it('keeps a value at 499 characters and drops one at 500 (Twilio limit)', async () => {
    const handler = loadHandler(baseEnv());
    const response = await handler(
      twilioEvent({
        path,
        rawQueryString: `ticket=${'a'.repeat(499)}&customerId=${'b'.repeat(500)}`,
        params: appLegParams,
      }),
    );
    expect(response.body).toContain('name="ticket"');
    expect(response.body).not.toContain('name="customerId"');
  });

  it('returns ConversationRelay TwiML in conversation-relay mode', async () => {
    const handler = loadHandler(
      baseEnv({ AGENT_MODE: 'conversation-relay', CONVERSATION_RELAY_WELCOME_GREETING: 'Hello' }),
    );
    const response = await handler(twilioEvent({ path, rawQueryString: 'caller=x', params: appLegParams }));
    expect(response.body).toContain(
      '<ConversationRelay url="wss://agent.example.com/media" welcomeGreeting="Hello" dtmfDetection="false"><Parameter name="caller" value="x"/>',
    );
  });

  it('plays audio and hangs up in play mode (the story demo)', async () => {
    const handler = loadHandler(
      baseEnv({ AGENT_MODE: 'play', AGENT_PLAY_URL: 'https://demo.twilio.com/docs/classic.mp3' }),
    );
    const response = await handler(twilioEvent({ path, params: appLegParams }));
    expect(response.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://demo.twilio.com/docs/classic.mp3</Play><Hangup/></Response>',
    );
  });

  it('hangs the agent leg up on the fallback route', async () => {
    const handler = loadHandler(baseEnv());
    const response = await handler(
      twilioEvent({ path: '/twilio/voice/agent-fallback', params: { ...appLegParams, ErrorCode: '11205' } }),
    );
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });

  describe.each([
    [
      'the query string was altered after signing',
      {
        rawQueryString: 'caller=%2B19005550000',
        signedUrl: `https://abc123.execute-api.us-east-1.amazonaws.com${path}?caller=%2B15557654321`,
      },
    ],
    [
      'a parameter was appended after signing',
      {
        rawQueryString: 'caller=1&ticket=2',
        signedUrl: `https://abc123.execute-api.us-east-1.amazonaws.com${path}?caller=1`,
      },
    ],
    ['no signature', { rawQueryString: 'caller=1', signature: null }],
  ])('refuses a request when %s', (_name, variant) => {
    it('with 403', async () => {
      const handler = loadHandler(baseEnv());
      const response = await handler(twilioEvent({ path, params: appLegParams, ...variant }));
      expect(response.statusCode).toBe(403);
    });
  });

  it('refuses a genuine signature from a call of another account', async () => {
    const handler = loadHandler(baseEnv());
    const response = await handler(
      twilioEvent({ path, params: { ...appLegParams, AccountSid: `AC${'9'.repeat(32)}` } }),
    );
    expect(response.statusCode).toBe(403);
    expect(ACCOUNT_SID).not.toBe(`AC${'9'.repeat(32)}`);
  });

  describe.each([
    ['stream', { AGENT_MODE: 'stream' }],
    ['conversation-relay', { AGENT_MODE: 'conversation-relay' }],
  ])('in %s mode', (_mode, env) => {
    it('asks Twilio to report the end of the stream or session to the agent-ended route with the call context (<Connect action>)', async () => {
      const handler = loadHandler(baseEnv(env));

      const response = await handler(twilioEvent({ path, rawQueryString: 'caller=1', params: appLegParams }));

      expect(response.body).toContain(
        '<Connect action="https://abc123.execute-api.us-east-1.amazonaws.com/twilio/voice/agent-ended?caller=1" method="POST">',
      );
    });
  });

  describe('with the stack-owned callToken and handoff names on its URL', () => {
    const logs = captureLogs();
    const token = '%7B%22parentCallInfoToken%22%3A%22eyJ.x.y%22%7D';
    const query = encodeContext({
      caller: '+15557654321',
      conference: 'conf-x',
      internal: 'dropped',
      callToken: token,
      handoff: 'warm',
    });

    it('when callToken is not on the allow-list, hands it to the action URL only, never to the agent, and does not report it as dropped', async () => {
      const handler = loadHandler(baseEnv({ LOG_LEVEL: 'debug' }));

      const response = await handler(twilioEvent({ path, rawQueryString: query, params: appLegParams }));
      const action = /action="([^"]+)"/.exec(response.body)?.[1].replace(/&amp;/g, '&') ?? '';
      const actionQuery = new URLSearchParams(new URL(action).search);
      expect(actionQuery.get('callToken')).toBe(token);
      expect(actionQuery.get('caller')).toBe('+15557654321');
      expect(actionQuery.has('internal')).toBe(false);
      expect(response.body).not.toContain('name="callToken"');
      expect(JSON.stringify(logs.records())).not.toContain('parentCallInfoToken');
      const dropped = logs.records().find((r) => r.message === 'context parameters dropped');
      expect(dropped?.dropped).toEqual([{ name: 'internal', reason: 'not-allowed' }]);
    });

    it('hands the handoff marker to the agent (it must know it is briefing) whatever the allow-list', async () => {
      const handler = loadHandler(baseEnv({ AGENT_CONTEXT_ALLOWLIST: 'caller' }));

      const response = await handler(twilioEvent({ path, rawQueryString: query, params: appLegParams }));

      expect(response.body).toContain('<Parameter name="handoff" value="warm"/>');
    });

    it('when a deployer allow-lists callToken (a Media Streams agent that calls the participants API), hands it on', async () => {
      const handler = loadHandler(baseEnv({ AGENT_CONTEXT_ALLOWLIST: 'caller,callToken' }));

      const response = await handler(twilioEvent({ path, rawQueryString: query, params: appLegParams }));

      expect(response.body).toContain(`<Parameter name="callToken" value="${token}"/>`);
    });
  });
});
