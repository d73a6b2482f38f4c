import { ACCOUNT_SID, baseEnv, callParams, sid, twilioEvent, loadHandler as loadModule } from './support/events';
import { encodeContext } from '../../lambdas/shared/agent-context';

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
      '<ConversationRelay url="wss://agent.example.com/media" welcomeGreeting="Hello"><Parameter name="caller" value="x"/>',
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
    it('asks Twilio to report the end of the stream or session to the agent-ended route (<Connect action>)', async () => {
      const handler = loadHandler(baseEnv(env));

      const response = await handler(twilioEvent({ path, rawQueryString: 'caller=1', params: appLegParams }));

      expect(response.body).toContain(
        '<Connect action="https://abc123.execute-api.us-east-1.amazonaws.com/twilio/voice/agent-ended" method="POST">',
      );
    });
  });

  it.each([
    ['a stream that ended', {}],
    ['a ConversationRelay session handed off', { SessionStatus: 'ended', HandoffData: '{"reason":"human"}' }],
  ])(
    'when Twilio reports %s, hangs the agent leg up (the leg status callback decides what follows)',
    async (_n, extra) => {
      const handler = loadHandler(baseEnv());

      const response = await handler(
        twilioEvent({
          path: '/twilio/voice/agent-ended',
          params: { ...appLegParams, CallStatus: 'in-progress', ...extra },
        }),
      );

      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/<Response><Hangup\/><\/Response>$/);
    },
  );
});
