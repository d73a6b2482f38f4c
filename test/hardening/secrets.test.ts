/**
 * Secrets never leave through responses or logs: the Auth Token, the participants API bearer token and an API
 * key secret are searched for raw, URL-encoded, form-encoded, JSON-escaped and base64 (every alignment) in
 * every response and every line written, across the handler scenarios (genuine, failing, forged, misconfigured),
 * at LOG_LEVEL=debug. The scanner itself is checked first, so an empty result means something.
 */
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import {
  apiGatewayEvent,
  APP_SID,
  callParams,
  DOMAIN,
  formBody,
  twilioEvent,
  type HandlerResponse,
  type TestHandler,
} from '../lambdas/support/events';
import { type TwilioStub, twilioError } from '../lambdas/support/twilio-stub';
import {
  API_KEY_SECRET,
  API_KEY_SID,
  API_ROUTES,
  API_TOKEN,
  apiEvent,
  AUTH_TOKEN,
  CALLER_QUERY,
  CONFERENCE_SID,
  conferenceEventParams,
  hardeningEnv,
  leakedSecrets,
  load,
  PATHS,
  responseText,
  SECRET_NEEDLES,
  sid,
  stackTraceSigns,
  type HandlerKey,
} from './support/harness';
import type { ConferenceWorld } from './support/twilio-world';
import { useConferenceFixture } from './support/conference-fixture';

describe('the leak scanner', () => {
  describe.each(SECRET_NEEDLES.map((s) => [s.name, s.needle] as const))('finds %s', (name, needle) => {
    it('inside surrounding text', () => {
      expect(leakedSecrets(`{"message":"x ${needle} y"}`)).toContain(name);
    });
  });

  describe.each([
    ['the Auth Token', AUTH_TOKEN],
    ['the API token', API_TOKEN],
  ])('finds %s base64-encoded inside a longer base64 text at any alignment', (_name, secret) => {
    it.each([0, 1, 2, 3])('with %i bytes before it', (offset) => {
      const blob = Buffer.from(`${'p'.repeat(offset) + secret}suffix`).toString('base64');
      expect(leakedSecrets(blob).length).toBeGreaterThan(0);
    });
  });

  it('recognises a real stack trace and a file path', () => {
    expect(stackTraceSigns(String(new Error('boom').stack))).not.toEqual([]);
    expect(stackTraceSigns('failed in /var/task/index.js:1:2')).not.toEqual([]);
    expect(stackTraceSigns('{"message":"Service misconfigured"}')).toEqual([]);
  });
});

type Scenario = (ctx: {
  stub: TwilioStub;
  world: ConferenceWorld;
  env: (extra?: Record<string, string>) => Record<string, string>;
}) => Promise<{ handler: HandlerKey; responses: HandlerResponse[] }>;

const signedAgent = (query: string, params = callParams({ CallSid: sid('CA', 99), To: `app:${APP_SID}` })) => {
  const url = `https://${DOMAIN}${PATHS.agent}?${query}`;
  return apiGatewayEvent({
    path: PATHS.agent,
    rawQueryString: query,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, params),
    },
    body: formBody(params),
  });
};

async function each(handler: TestHandler, events: Parameters<TestHandler>[0][]): Promise<HandlerResponse[]> {
  const responses: HandlerResponse[] = [];
  for (const event of events) responses.push(await handler(event));
  return responses;
}

const SCENARIOS: [string, Scenario][] = [
  [
    'inbound: a genuine call and a forged one carrying the tokens',
    async ({ env }) => {
      const h = load('inbound', env());
      return {
        handler: 'inbound',
        responses: await each(h, [
          twilioEvent({ path: PATHS.inbound, params: callParams() }),
          twilioEvent({
            path: PATHS.inbound,
            params: callParams({ From: AUTH_TOKEN }),
            rawQueryString: `token=${API_TOKEN}`,
            authToken: 'wrong',
            headers: { authorization: `Bearer ${API_TOKEN}` },
          }),
        ]),
      };
    },
  ],
  [
    'agent: genuine context, fallback, and a forged call with the tokens in the query',
    async ({ env }) => {
      const h = load('agent', env());
      return {
        handler: 'agent',
        responses: await each(h, [
          signedAgent('caller=%2B15557654321&ticket=T-1&internal=x'),
          twilioEvent({ path: PATHS.agentFallback, params: callParams({ ErrorCode: '11200' }) }),
          twilioEvent({
            path: PATHS.agent,
            params: callParams(),
            rawQueryString: `ticket=${encodeURIComponent(AUTH_TOKEN)}`,
            signature: Buffer.from(AUTH_TOKEN).toString('base64'),
          }),
        ]),
      };
    },
  ],
  [
    'events: participant-join (REST create), a retried one (16026), a cold-transfer completion',
    async ({ env }) => {
      const h = load('events', env());
      const join = () =>
        twilioEvent({
          path: PATHS.events,
          rawQueryString: CALLER_QUERY,
          params: conferenceEventParams('participant-join'),
        });
      return {
        handler: 'events',
        responses: await each(h, [
          join(),
          join(),
          twilioEvent({
            path: PATHS.events,
            rawQueryString: `action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=ai-agent`,
            params: {
              AccountSid: conferenceEventParams('x').AccountSid,
              CallSid: sid('CA', 3),
              CallStatus: 'in-progress',
            },
          }),
        ]),
      };
    },
  ],
  [
    'events: Twilio refusing the credentials (401) and a connection reset storm',
    async ({ env, world }) => {
      world.failNext('create', twilioError(401, 20003, 'Authenticate'));
      world.failAlways('remove', { status: 0, reset: true });
      const h = load('events', env());
      return {
        handler: 'events',
        responses: await each(h, [
          twilioEvent({
            path: PATHS.events,
            rawQueryString: CALLER_QUERY,
            params: conferenceEventParams('participant-join'),
          }),
          twilioEvent({
            path: PATHS.events,
            rawQueryString: `action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=ai-agent`,
            params: {
              AccountSid: conferenceEventParams('x').AccountSid,
              CallSid: sid('CA', 3),
              CallStatus: 'in-progress',
            },
          }),
        ]),
      };
    },
  ],
  [
    'participants: every route, genuine',
    async ({ env }) => {
      const h = load('participants', env());
      return {
        handler: 'participants',
        responses: await each(h, [
          apiEvent({ body: { context: { ticket: 'T-1' } } }),
          apiEvent({ body: { target: '+15551230000', label: 'supervisor' } }),
          apiEvent({
            routeKey: API_ROUTES.update,
            body: { hold: true },
            pathParameters: { conference: CONFERENCE_SID, participant: 'caller' },
          }),
          apiEvent({ routeKey: API_ROUTES.transfer, body: { type: 'warm', target: '+15551230000', label: 'expert' } }),
          apiEvent({ routeKey: API_ROUTES.complete, body: {} }),
          apiEvent({
            routeKey: API_ROUTES.remove,
            pathParameters: { conference: CONFERENCE_SID, participant: 'supervisor' },
          }),
        ]),
      };
    },
  ],
  [
    'participants: refusals (bad token, token in query and headers, validation, 413)',
    async ({ env }) => {
      const h = load('participants', env());
      return {
        handler: 'participants',
        responses: await each(h, [
          apiEvent({ body: {}, headers: { authorization: `Bearer ${API_TOKEN}x` } }),
          apiEvent({
            body: {},
            headers: { authorization: `Basic ${Buffer.from(`u:${API_TOKEN}`).toString('base64')}` },
          }),
          apiEvent({ body: {}, rawQueryString: `access_token=${encodeURIComponent(API_TOKEN)}` }),
          apiEvent({
            body: {},
            headers: { authorization: null, 'x-api-key': API_TOKEN, cookie: `session=${AUTH_TOKEN}` },
          }),
          apiEvent({ body: { context: { ticket: `${AUTH_TOKEN}\u0000` } } }),
          apiEvent({ body: { target: '+19005550100' } }),
          apiEvent({ rawBody: JSON.stringify({ context: { ticket: AUTH_TOKEN.repeat(600) } }) }),
        ]),
      };
    },
  ],
  [
    'participants: Twilio failures (401, 500, 429 storm, reset storm)',
    async ({ env, world }) => {
      world.failNext(
        'create',
        twilioError(401, 20003, 'Authenticate'),
        twilioError(500, 20500, 'Internal Server Error'),
      );
      const h = load('participants', env());
      const responses = await each(h, [apiEvent({ body: {} }), apiEvent({ body: {} })]);
      world.failAlways('create', twilioError(429, 20429, 'Too Many Requests'));
      responses.push(...(await each(h, [apiEvent({ body: {} })])));
      world.failAlways('create', { status: 0, reset: true });
      responses.push(...(await each(h, [apiEvent({ body: {} })])));
      return { handler: 'participants', responses };
    },
  ],
  [
    'participants with an API key for REST calls',
    async ({ env }) => {
      const h = load('participants', env({ TWILIO_API_KEY_SID: API_KEY_SID, TWILIO_API_KEY_SECRET: API_KEY_SECRET }));
      return {
        handler: 'participants',
        responses: await each(h, [
          apiEvent({ body: {} }),
          apiEvent({ body: {}, headers: { authorization: `Bearer ${API_KEY_SECRET}` } }),
        ]),
      };
    },
  ],
  [
    'every handler misconfigured (malformed Account SID) while the secrets are set',
    async ({ env }) => {
      const responses: HandlerResponse[] = [];
      for (const key of ['inbound', 'agent', 'events'] as const) {
        responses.push(
          await load(
            key,
            env({ TWILIO_ACCOUNT_SID: 'not-a-sid' }),
          )(
            twilioEvent({
              path: key === 'events' ? PATHS.events : key === 'agent' ? PATHS.agent : PATHS.inbound,
              params: callParams(),
            }),
          ),
        );
      }
      responses.push(await load('participants', env({ TWILIO_ACCOUNT_SID: 'not-a-sid' }))(apiEvent({ body: {} })));
      return { handler: 'participants', responses };
    },
  ],
];

describe('secrets in responses and logs', () => {
  const fx = useConferenceFixture();

  describe.each(SCENARIOS)('%s', (_name, scenario) => {
    it('shows no form of any secret and no stack trace in any response or log line (LOG_LEVEL=debug)', async () => {
      // Arrange
      const env = (extra: Record<string, string> = {}) =>
        hardeningEnv({ TWILIO_API_BASE_URL: fx.stub.baseUrl, TWILIO_RETRY_BUDGET_MS: '300', ...extra });
      // Act
      const { responses } = await fx.output.during(() => scenario({ stub: fx.stub, world: fx.world, env }));
      // Assert
      expect(responses.length).toBeGreaterThan(0);
      expect(fx.output.lines.length).toBeGreaterThan(0);
      const seen = [...responses.map(responseText), ...fx.output.lines].join('\n');
      expect(leakedSecrets(seen)).toEqual([]);
      expect(stackTraceSigns(seen)).toEqual([]);
    });
  });

  it('the scan is not blind: the same credentials are visible where they belong (the REST Authorization header)', async () => {
    // Arrange
    const handler = load('participants', hardeningEnv({ TWILIO_API_BASE_URL: fx.stub.baseUrl }));
    // Act
    await fx.output.during(() => handler(apiEvent({ body: {} })));
    // Assert
    expect(leakedSecrets(String(fx.stub.requests[0].headers.authorization))).toContain(
      'REST Basic credential (Auth Token)',
    );
    expect(leakedSecrets(fx.output.lines.join('\n'))).toEqual([]);
  });

  it('a configuration error names the variable, never a value', async () => {
    const handler = load(
      'participants',
      hardeningEnv({ TWILIO_API_BASE_URL: fx.stub.baseUrl, TWILIO_ACCOUNT_SID: AUTH_TOKEN }),
    );
    const response = await fx.output.during(() => handler(apiEvent({ body: {} })));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'misconfigured', message: 'Service misconfigured' } });
    const line = fx.output.records().find((r) => r.message === 'configuration unavailable');
    expect(JSON.stringify(line)).toContain('TWILIO_ACCOUNT_SID');
    expect(leakedSecrets(fx.output.lines.join('\n') + responseText(response))).toEqual([]);
  });
});
