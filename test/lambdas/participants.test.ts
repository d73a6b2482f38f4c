import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ACCOUNT_SID, APP_SID, apiGatewayEvent, baseEnv, DOMAIN, sid } from './support/events';
import { loadHandler, type TestHandler } from './support/events';
import {
  conferenceJson,
  conferenceListPage,
  participantJson,
  TwilioStub,
  twilioError,
  type StubResponse,
} from './support/twilio-stub';
import { specProblems } from './support/openapi';

const TOKEN = 'api-token-abcdefghijklmnopqrstuvwxyz';
const CONFERENCE = `conf-${sid('CA', 1)}`;
const CONFERENCE_SID = sid('CF', 5);
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;

interface Call {
  method?: string;
  path?: string;
  routeKey?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  rawQueryString?: string;
  pathParameters?: Record<string, string>;
}

function apiEvent(call: Call): APIGatewayProxyEventV2 {
  const method = call.method ?? 'POST';
  const pathParameters = call.pathParameters ?? { conference: CONFERENCE };
  const template = call.routeKey ?? `${method} /conferences/{conference}/participants`;
  const path = template
    .split(' ')[1]
    .replace('{conference}', encodeURIComponent(pathParameters.conference ?? ''))
    .replace('{participant}', encodeURIComponent(pathParameters.participant ?? ''));
  return apiGatewayEvent({
    method,
    path,
    routeKey: template,
    pathParameters,
    rawQueryString: call.rawQueryString,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...call.headers },
    body: call.rawBody ?? (call.body === undefined ? '' : JSON.stringify(call.body)),
    base64: false,
  });
}

const conferenceList = (status: string | null): StubResponse =>
  conferenceListPage(
    ACCOUNT_SID,
    status ? [conferenceJson({ accountSid: ACCOUNT_SID, sid: CONFERENCE_SID, friendlyName: CONFERENCE, status })] : [],
  );
const participantList = (
  entries: { callSid: string; label: string; hold?: boolean; muted?: boolean }[],
): StubResponse => ({
  status: 200,
  body: {
    participants: entries.map((e) =>
      participantJson({ accountSid: ACCOUNT_SID, conferenceSid: CONFERENCE_SID, status: 'connected', ...e }),
    ),
    first_page_uri: `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json?PageSize=250&Page=0`,
    next_page_uri: null,
    previous_page_uri: null,
    page: 0,
    page_size: 250,
    start: 0,
    end: entries.length - 1,
    uri: `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json?PageSize=250&Page=0`,
  },
});
const participant = (
  callSid: string,
  label: string,
  extra: { hold?: boolean; status?: string } = {},
): StubResponse => ({
  status: 201,
  body: participantJson({ accountSid: ACCOUNT_SID, conferenceSid: CONFERENCE_SID, callSid, label, ...extra }),
});

describe('participants handler', () => {
  const saved = process.env;
  let stub: TwilioStub;
  let handler: TestHandler;

  function load(env: Record<string, string> = {}) {
    handler = loadHandler(
      require.resolve('../../lambdas/participants'),
      baseEnv({ TWILIO_API_BASE_URL: stub.baseUrl, TWILIO_RETRY_BUDGET_MS: '1500', ...env }),
    );
  }

  /** The handler's log lines (JSON), captured instead of printed. */
  let logLines: { level: string; message: string }[];
  let consoleLog: jest.SpyInstance;
  let errorLinesAsserted = false;

  beforeEach(async () => {
    stub = await new TwilioStub().start();
    load();
    logLines = [];
    consoleLog = jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
      logLines.push(JSON.parse(String(line)));
    });
  });
  afterEach(async () => {
    consoleLog.mockRestore();
    // Only a test that asserts its error lines may leave some.
    if (!errorLinesAsserted) expect(errorLines()).toEqual([]);
    errorLinesAsserted = false;
    // Every request the handler sent must be an operation of Twilio's spec with declared fields.
    for (const r of stub.requests) expect(specProblems(r.method, r.path, r.form, r.query)).toEqual([]);
    await stub.stop();
  });

  /** Error-level lines logged so far. */
  const errorLines = () => logLines.filter((l) => l.level === 'error');
  afterAll(() => {
    process.env = saved;
  });

  describe('authentication', () => {
    describe.each([
      ['no Authorization header', { authorization: '' }, 'Missing Authorization header'],
      ['a Basic header', { authorization: 'Basic dXNlcjpwYXNz' }, 'Malformed Authorization header'],
      ['a wrong token', { authorization: 'Bearer not-the-token' }, 'Invalid token'],
      ['a token one character short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 'Invalid token'],
    ])('with %s', (_name, headers, message) => {
      it('answers 401 and calls no Twilio API', async () => {
        const event = apiEvent({ body: {}, headers });
        if (headers.authorization === '') delete event.headers.authorization;
        const response = await handler(event);
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(JSON.parse(response.body)).toEqual({
          error: { code: 'unauthorized', message: expect.stringContaining(message) },
        });
        expect(stub.requests).toHaveLength(0);
      });
    });

    it('tells a caller who put the token in the query string where it belongs', async () => {
      const event = apiEvent({ body: {}, rawQueryString: `token=${TOKEN}` });
      delete event.headers.authorization;
      const response = await handler(event);
      expect(response.statusCode).toBe(401);
      expect(JSON.parse(response.body).error.message).toContain('Authorization header, not in the query string');
      expect(response.body).not.toContain(TOKEN);
    });
  });

  describe('input validation (no Twilio request is made)', () => {
    describe.each<[string, Call, number, string, string?]>([
      ['malformed JSON', { rawBody: '{"target":' }, 400, 'invalid_json'],
      ['a JSON array', { rawBody: '[1,2]' }, 400, 'invalid_json'],
      ['an unknown field', { body: { target: 'agent', dial: 'x' } }, 400, 'invalid_request', 'dial'],
      ['a label with a slash', { body: { label: 'a/b' } }, 400, 'invalid_request', 'label'],
      ['a label that looks like a Call SID', { body: { label: sid('CA', 9) } }, 400, 'invalid_request', 'label'],
      [
        'a context value that is not a string',
        { body: { context: { ticket: 5 } } },
        400,
        'invalid_request',
        'context.ticket',
      ],
      [
        'a context value over 499 characters',
        { body: { context: { ticket: 'x'.repeat(500) } } },
        400,
        'invalid_request',
        'context.ticket',
      ],
      [
        'more than 800 bytes of context',
        { body: { context: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'y'.repeat(95)])) } },
        400,
        'invalid_request',
        'context',
      ],
      [
        'context for a human',
        { body: { target: '+15551230000', context: { a: 'b' } } },
        400,
        'invalid_request',
        'context',
      ],
      [
        'a target that is no address',
        { body: { target: 'http://evil.example.com' } },
        400,
        'invalid_request',
        'target',
      ],
      [
        'a SIP target off the allow-list',
        { body: { target: 'sip:alice@pbx.evil.example.com' } },
        403,
        'target_not_allowed',
        'target',
      ],
      ['a timeout below 5 s', { body: { timeout: 3 } }, 400, 'invalid_request', 'timeout'],
      ['a from that is not E.164', { body: { from: '5551234567' } }, 400, 'invalid_request', 'from'],
      [
        'a conference name with a slash',
        { body: {}, pathParameters: { conference: 'a/b' } },
        400,
        'invalid_request',
        'conference',
      ],
      [
        'a conference name with a query',
        { body: {}, pathParameters: { conference: 'a?x=1' } },
        400,
        'invalid_request',
        'conference',
      ],
      ['a body over 16 KiB', { rawBody: JSON.stringify({ context: { a: 'x'.repeat(17000) } }) }, 413, 'body_too_large'],
      [
        'a non-JSON content type',
        { rawBody: 'target=agent', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        415,
        'unsupported_media_type',
      ],
      [
        'an update without changes',
        {
          method: 'PATCH',
          routeKey: 'PATCH /conferences/{conference}/participants/{participant}',
          pathParameters: { conference: CONFERENCE, participant: 'ai-agent' },
          body: {},
        },
        400,
        'invalid_request',
        'hold',
      ],
      [
        'hold as a string',
        {
          method: 'PATCH',
          routeKey: 'PATCH /conferences/{conference}/participants/{participant}',
          pathParameters: { conference: CONFERENCE, participant: 'ai-agent' },
          body: { hold: 'yes' },
        },
        400,
        'invalid_request',
        'hold',
      ],
      [
        'a participant with a slash',
        {
          method: 'DELETE',
          routeKey: 'DELETE /conferences/{conference}/participants/{participant}',
          pathParameters: { conference: CONFERENCE, participant: '../x' },
        },
        400,
        'invalid_request',
        'participant',
      ],
      [
        'an unknown transfer type',
        { routeKey: 'POST /conferences/{conference}/transfers', body: { type: 'lukewarm', target: '+15551230000' } },
        400,
        'invalid_request',
        'type',
      ],
      [
        'a transfer without target',
        { routeKey: 'POST /conferences/{conference}/transfers', body: { type: 'cold' } },
        400,
        'invalid_request',
        'target',
      ],
      [
        'a transfer labelled like the agent',
        {
          routeKey: 'POST /conferences/{conference}/transfers',
          body: { type: 'cold', target: '+15551230000', label: 'ai-agent' },
        },
        400,
        'invalid_request',
        'label',
      ],
      [
        'a callerId without the caller number',
        {
          routeKey: 'POST /conferences/{conference}/transfers',
          body: { type: 'cold', target: '+15551230000', callerId: { token: 'abc' } },
        },
        400,
        'invalid_request',
        'callerId.number',
      ],
      [
        'a callerId with an empty token',
        {
          routeKey: 'POST /conferences/{conference}/transfers',
          body: { type: 'cold', target: '+15551230000', callerId: { number: '+15557654321', token: '' } },
        },
        400,
        'invalid_request',
        'callerId.token',
      ],
      [
        'a callerId token over 2048 characters',
        {
          routeKey: 'POST /conferences/{conference}/transfers',
          body: { type: 'cold', target: '+15551230000', callerId: { number: '+15557654321', token: 'x'.repeat(2049) } },
        },
        400,
        'invalid_request',
        'callerId.token',
      ],
      [
        'removeAgent on a warm transfer',
        {
          routeKey: 'POST /conferences/{conference}/transfers',
          body: { type: 'warm', target: '+15551230000', removeAgent: 'immediately' },
        },
        400,
        'invalid_request',
        'removeAgent',
      ],
    ])('%s', (_name, call, status, code, field) => {
      it(`answers ${status} ${code}${field ? ` naming ${field}` : ''}`, async () => {
        const response = await handler(apiEvent(call));
        expect(response.statusCode).toBe(status);
        const body = JSON.parse(response.body);
        expect(body.error.code).toBe(code);
        if (field) expect(body.error.field).toBe(field);
        expect(response.body).not.toMatch(/\bat .+:\d+:\d+/);
        expect(stub.requests).toHaveLength(0);
      });
    });
  });

  describe('adding participants', () => {
    beforeEach(() => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('GET', /Participants\.json$/, participantList([{ callSid: sid('CA', 1), label: 'caller' }]));
    });

    it('adds the AI agent with caller-supplied context (default target) under the resolved CF SID', async () => {
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 2), 'ai-agent'));

      const response = await handler(apiEvent({ body: { context: { ticket: 'T-42 & more', language: 'fr-FR' } } }));

      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toEqual({
        callSid: sid('CA', 2),
        conferenceSid: CONFERENCE_SID,
        label: 'ai-agent',
        status: 'queued',
        hold: false,
        muted: false,
        coaching: false,
      });
      const [lookup, , request] = stub.requests;
      expect(lookup.query.get('FriendlyName')).toBe(CONFERENCE);
      expect(request.method).toBe('POST');
      expect(request.path).toBe(`${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json`);
      expect(request.form).toMatchObject({
        To: `app:${APP_SID}?ticket=T-42%20%26%20more&language=fr-FR`,
        From: '+15550001111',
        Label: 'ai-agent',
      });
    });

    it('when the agent is added for a waiting caller, its leg reports to the leg status route with the state the events handler recovers from', async () => {
      // Arrange
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 2), 'ai-agent'));

      // Act
      const response = await handler(apiEvent({ body: { context: { ticket: 'T-42' } } }));

      // Assert
      expect(response.statusCode).toBe(201);
      const create = stub.requests.find((r) => r.method === 'POST');
      const callback = new URL(String(create?.form.StatusCallback));
      expect(`${callback.origin}${callback.pathname}`).toBe(`https://${DOMAIN}/twilio/calls/status`);
      expect(Object.fromEntries(callback.searchParams)).toEqual({
        leg: 'agent',
        attempt: '1',
        conferenceSid: CONFERENCE_SID,
        callerCallSid: sid('CA', 1),
        attended: '0',
        'ctx.ticket': 'T-42',
      });
      expect(create?.form.StatusCallbackEvent).toEqual(['ringing', 'answered', 'completed']);
    });

    it('when a human is added, the create carries no agent recovery callback', async () => {
      // Arrange
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'supervisor'));

      // Act
      await handler(apiEvent({ body: { target: '+15551230000', label: 'supervisor' } }));

      // Assert
      expect(stub.requests.find((r) => r.method === 'POST')?.form.StatusCallback).toBeUndefined();
    });

    describe.each([
      ['a phone number', '+15551230000'],
      ['a Twilio Client identity', 'client:alice'],
    ])('adds a human at %s', (_name, target) => {
      it('dialling it with the given label', async () => {
        stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'supervisor'));
        const response = await handler(apiEvent({ body: { target, label: 'supervisor', muted: true } }));
        expect(response.statusCode).toBe(201);
        expect(stub.requests.find((r) => r.method === 'POST')?.form).toMatchObject({
          To: target,
          Label: 'supervisor',
          Muted: 'true',
        });
      });
    });

    it('adds a SIP target that the allow-list permits', async () => {
      load({ ALLOWED_DIAL_TARGETS: '+1555*,sip:*@pbx.example.com' });
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'human'));
      const response = await handler(apiEvent({ body: { target: 'sip:alice@pbx.example.com' } }));
      expect(response.statusCode).toBe(201);
      expect(stub.requests[1].form.To).toBe('sip:alice@pbx.example.com');
    });

    describe('context names', () => {
      it('refuses a name outside the default allow-list with 400 naming it and the allowed names, dialling nobody', async () => {
        const response = await handler(apiEvent({ body: { context: { ticket: 'T-1', crmNotes: 'x' } } }));

        expect(response.statusCode).toBe(400);
        const { error } = JSON.parse(response.body);
        expect(error).toMatchObject({ code: 'invalid_request', field: 'context.crmNotes' });
        expect(error.message).toContain('caller, callerCallSid, conference, customerId, ticket, language');
        expect(stub.requests).toHaveLength(0);
      });

      describe.each<[string, Record<string, string>, number, string?]>([
        ['a name on the stack allow-list', { region: 'EU' }, 201],
        ['a default name the stack left off its list', { ticket: 'T-1' }, 400, 'context.ticket'],
        ['one listed and one unlisted name', { region: 'EU', language: 'fr' }, 400, 'context.language'],
      ])('with AGENT_CONTEXT_ALLOWLIST=region,customerId and %s', (_name, contextValues, status, field) => {
        it(`answers ${status}${field ? ` naming ${field}` : ''}`, async () => {
          load({ AGENT_CONTEXT_ALLOWLIST: 'region,customerId' });
          stub.on('POST', /Participants\.json$/, participant(sid('CA', 2), 'ai-agent'));

          const response = await handler(apiEvent({ body: { context: contextValues } }));

          expect(response.statusCode).toBe(status);
          if (field) expect(JSON.parse(response.body).error.field).toBe(field);
          expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(status === 201 ? 1 : 0);
        });
      });
    });

    describe.each<[string, StubResponse]>([
      ['no conference of that name', conferenceList(null)],
      ['only a completed conference of that name', conferenceList('completed')],
    ])('when Twilio lists %s', (_name, list) => {
      describe.each([
        ['the agent', {}],
        ['a human', { target: '+15551230000' }],
      ])('adding %s', (_who, body) => {
        it('answers 404 not_found naming the conference and dials nobody', async () => {
          stub.on('GET', /Conferences\.json$/, list);

          const response = await handler(apiEvent({ body }));

          expect(response.statusCode).toBe(404);
          expect(JSON.parse(response.body).error).toMatchObject({ code: 'not_found', field: 'conference' });
          expect(stub.requests.map((r) => r.method)).toEqual(['GET']);
        });
      });
    });

    it('adds to a conference whose caller is still waiting alone (status init)', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('init'));
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 2), 'ai-agent'));

      const response = await handler(apiEvent({ body: {} }));

      expect(response.statusCode).toBe(201);
      expect(stub.requests.find((r) => r.method === 'POST')?.path).toBe(
        `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json`,
      );
    });

    it('when an explicit label is taken, answers 409 label_in_use after one create', async () => {
      // Arrange
      stub.on('POST', /Participants\.json$/, twilioError(400, 16026, 'Label in use'));

      // Act
      const response = await handler(apiEvent({ body: { label: 'ai-agent' } }));

      // Assert
      expect(response.statusCode).toBe(409);
      expect(JSON.parse(response.body).error).toMatchObject({ code: 'label_in_use', field: 'label' });
      expect(stub.requests.filter((r) => r.method === 'POST').map((r) => r.form.Label)).toEqual(['ai-agent']);
    });

    describe('an agent added without a label, to a call whose agent is in already', () => {
      const created = (label: string): StubResponse => participant(sid('CA', 7), label);
      const creates = () => stub.requests.filter((r) => r.method === 'POST');

      describe.each<[string, string[], string]>([
        ['the agent the events handler added', ['ai-agent'], 'ai-agent-2'],
        ['that agent and a second one', ['ai-agent', 'ai-agent-2'], 'ai-agent-3'],
        ['only a second one (the first left)', ['ai-agent-2'], 'ai-agent'],
      ])('when the conference holds %s', (_situation, agents, expected) => {
        it(`adds it as ${expected}, answers that label with 201 and puts it under the recovery`, async () => {
          // Arrange
          stub.on(
            'GET',
            /Participants\.json$/,
            participantList([
              { callSid: sid('CA', 1), label: 'caller' },
              ...agents.map((label, i) => ({ callSid: sid('CA', 2 + i), label })),
            ]),
          );
          stub.on('POST', /Participants\.json$/, created(expected));

          // Act
          const response = await handler(apiEvent({ body: { context: { ticket: 'T-42' } } }));

          // Assert
          expect(response.statusCode).toBe(201);
          expect(JSON.parse(response.body)).toMatchObject({ label: expected, callSid: sid('CA', 7) });
          const [create] = creates();
          expect(creates()).toHaveLength(1);
          expect(create.form).toMatchObject({ Label: expected, To: `app:${APP_SID}?ticket=T-42` });
          expect(Object.fromEntries(new URL(String(create.form.StatusCallback)).searchParams)).toMatchObject({
            leg: 'agent',
            callerCallSid: sid('CA', 1),
            attended: '1',
          });
        });
      });

      it('when another add takes the free label in between (16026), takes the next one', async () => {
        // Arrange
        stub.on(
          'GET',
          /Participants\.json$/,
          participantList([
            { callSid: sid('CA', 1), label: 'caller' },
            { callSid: sid('CA', 2), label: 'ai-agent' },
          ]),
        );
        stub.sequence('POST', /Participants\.json$/, [
          twilioError(400, 16026, 'Participant label ai-agent-2 is already in use'),
          created('ai-agent-3'),
        ]);

        // Act
        const response = await handler(apiEvent({ body: {} }));

        // Assert
        expect(response.statusCode).toBe(201);
        expect(JSON.parse(response.body).label).toBe('ai-agent-3');
        expect(creates().map((r) => r.form.Label)).toEqual(['ai-agent-2', 'ai-agent-3']);
      });

      it('when every label it tries is taken in between, answers 409 label_in_use saying to send it again', async () => {
        // Arrange
        stub.on('POST', /Participants\.json$/, twilioError(400, 16026, 'Label in use'));

        // Act
        const response = await handler(apiEvent({ body: {} }));

        // Assert
        expect(response.statusCode).toBe(409);
        const { error } = JSON.parse(response.body);
        expect(error).toMatchObject({ code: 'label_in_use', field: 'label', twilioCode: 16026 });
        expect(error.message).toMatch(/send it again/);
        expect(creates().map((r) => r.form.Label)).toEqual(['ai-agent', 'ai-agent-2', 'ai-agent-3']);
      });
    });

    it('when an agent is added under a label outside the agent series, its leg gets no recovery callback', async () => {
      // Arrange
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 2), 'concierge'));

      // Act
      const response = await handler(apiEvent({ body: { label: 'concierge' } }));

      // Assert
      expect(response.statusCode).toBe(201);
      expect(stub.requests.find((r) => r.method === 'POST')?.form.StatusCallback).toBeUndefined();
    });

    describe.each([
      ['adding a person', {}, (label: string) => ({ target: '+15551230000', label })],
      [
        'a transfer',
        { routeKey: 'POST /conferences/{conference}/transfers' },
        (label: string) => ({ type: 'cold', target: '+15551230000', label }),
      ],
      [
        'a supervisor',
        { routeKey: 'POST /conferences/{conference}/supervisors' },
        (label: string) => ({ target: 'client:lead', label }),
      ],
    ])('%s', (_what, route, body) => {
      it.each(['ai-agent', 'ai-agent-2', 'caller'])(
        'labelled %s is refused with 400 before anyone is dialled (the recovery would take them for the agent or the caller)',
        async (label) => {
          // Act
          const response = await handler(apiEvent({ ...route, body: body(label) }));

          // Assert
          expect(response.statusCode).toBe(400);
          expect(JSON.parse(response.body).error).toMatchObject({ code: 'invalid_request', field: 'label' });
          expect(stub.requests.filter((r) => r.method === 'POST')).toEqual([]);
        },
      );
    });

    describe.each<[string, StubResponse, number, string]>([
      ['rate limiting that outlasts the retries', twilioError(429, 20429, 'Too Many Requests'), 429, 'rate_limited'],
      ['a Twilio server error', twilioError(500, 20500, 'Internal Server Error'), 502, 'twilio_error'],
      ['Twilio refusing our credentials', twilioError(401, 20003, 'Authenticate'), 502, 'twilio_auth_failed'],
      ['an invalid number', twilioError(400, 21211, "Invalid 'To' Phone Number"), 400, 'twilio_rejected'],
    ])('maps %s', (_name, failure, status, code) => {
      it(`to ${status} ${code}`, async () => {
        stub.on('POST', /Participants\.json$/, failure);
        const response = await handler(apiEvent({ body: { target: '+15551230000' } }));
        expect(response.statusCode).toBe(status);
        expect(JSON.parse(response.body).error.code).toBe(code);
        expect(response.body).not.toContain('test-auth-token');
        // A Twilio-side failure (5xx answer) is an error for operators; a refusal of the request is not.
        expect(errorLines().map((l) => l.message)).toEqual(status >= 500 ? ['request failed'] : []);
        errorLinesAsserted = true;
      });
    });
  });

  describe('updating and removing', () => {
    const participantRoute = (method: string, participantId: string, body?: unknown): Call => ({
      method,
      routeKey: `${method} /conferences/{conference}/participants/{participant}`,
      pathParameters: { conference: CONFERENCE, participant: participantId },
      body,
    });

    it('holds a participant by label in the conference in progress', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\/caller\.json$/, {
        ...participant(sid('CA', 1), 'caller', { hold: true }),
        status: 200,
      });

      const response = await handler(apiEvent(participantRoute('PATCH', 'caller', { hold: true })));

      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ label: 'caller', hold: true });
      expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET ${ACCOUNT}/Conferences.json`,
        `POST ${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants/caller.json`,
      ]);
      expect(stub.requests[0].query.get('FriendlyName')).toBe(CONFERENCE);
      expect(stub.requests[1].form).toEqual({ Hold: 'true' });
    });

    it('answers 404 for a conference that is not active', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('completed'));
      const response = await handler(apiEvent(participantRoute('PATCH', 'caller', { muted: true })));
      expect(response.statusCode).toBe(404);
    });

    it('removes a participant by call SID, skipping the lookup for a CF SID', async () => {
      stub.on('DELETE', /Participants\/CA[0-9a-f]+\.json$/, { status: 204 });
      const response = await handler(
        apiEvent({
          ...participantRoute('DELETE', sid('CA', 2)),
          pathParameters: { conference: CONFERENCE_SID, participant: sid('CA', 2) },
        }),
      );
      expect(response.statusCode).toBe(204);
      expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `DELETE ${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants/${sid('CA', 2)}.json`,
      ]);
    });

    it('answers 404 when the participant is gone (20404)', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('DELETE', /Participants\/.+\.json$/, twilioError(404, 20404, 'not found'));
      const response = await handler(apiEvent(participantRoute('DELETE', 'human')));
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body).error.code).toBe('not_found');
    });
  });

  describe('listing participants', () => {
    const list: Call = { method: 'GET', routeKey: 'GET /conferences/{conference}/participants' };

    it('answers 200 with the conference SID and who is there, as Twilio lists them', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on(
        'GET',
        /Participants\.json$/,
        participantList([
          { callSid: sid('CA', 1), label: 'caller', hold: true },
          { callSid: sid('CA', 2), label: 'ai-agent', muted: true },
        ]),
      );

      const response = await handler(apiEvent(list));

      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toEqual({
        conferenceSid: CONFERENCE_SID,
        participants: [
          { label: 'caller', callSid: sid('CA', 1), status: 'connected', hold: true, muted: false },
          { label: 'ai-agent', callSid: sid('CA', 2), status: 'connected', hold: false, muted: true },
        ],
      });
      expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET ${ACCOUNT}/Conferences.json`,
        `GET ${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json`,
      ]);
    });

    it('answers 404 not_found for a name with no active conference', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('completed'));
      const response = await handler(apiEvent(list));
      expect(response.statusCode).toBe(404);
      expect(stub.requests).toHaveLength(1);
    });
  });

  describe('transfers', () => {
    const transfer = (body: unknown): Call => ({ routeKey: 'POST /conferences/{conference}/transfers', body });

    it('cold (default): dials the human and has the events route remove the agent when they answer', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'human'));

      const response = await handler(apiEvent(transfer({ type: 'cold', target: '+15551230000' })));

      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({
        type: 'cold',
        agentRemoval: 'on-answer',
        callerOnHold: false,
        human: { label: 'human' },
      });
      const create = stub.requests[1];
      expect(create.form).toMatchObject({
        To: '+15551230000',
        Label: 'human',
        StatusCallback: `https://${DOMAIN}/twilio/conference/events?action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=ai-agent`,
        StatusCallbackEvent: 'answered',
      });
      expect(stub.requests.some((r) => r.method === 'DELETE')).toBe(false);
    });

    it('when a cold transfer says removeAgent "immediately", it removes every AI agent right after dialling the human', async () => {
      // Arrange
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'human'));
      stub.on(
        'GET',
        /Participants\.json$/,
        participantList([
          { callSid: sid('CA', 1), label: 'caller' },
          { callSid: sid('CA', 2), label: 'ai-agent' },
          { callSid: sid('CA', 5), label: 'ai-agent-2' },
          { callSid: sid('CA', 3), label: 'human' },
        ]),
      );
      stub.on('DELETE', /Participants\/CA\w+\.json$/, { status: 204 });

      // Act
      const response = await handler(
        apiEvent(transfer({ type: 'cold', target: '+15551230000', removeAgent: 'immediately' })),
      );

      // Assert
      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body).agentRemoval).toBe('done');
      expect(stub.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'DELETE', 'DELETE']);
      const removed = stub.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').at(-1));
      expect(removed.sort()).toEqual([`${sid('CA', 2)}.json`, `${sid('CA', 5)}.json`]);
    });

    it('warm: holds the caller, then dials the human', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\/caller\.json$/, {
        ...participant(sid('CA', 1), 'caller', { hold: true }),
        status: 200,
      });
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'human'));

      const response = await handler(apiEvent(transfer({ type: 'warm', target: '+15551230000' })));

      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({
        type: 'warm',
        callerOnHold: true,
        agentRemoval: 'on-completion',
      });
      expect(stub.requests.map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}`)).toEqual([
        'GET Conferences.json',
        'POST caller.json',
        'POST Participants.json',
      ]);
      expect(stub.requests[1].form).toEqual({ Hold: 'true' });
    });

    it('warm with TRANSFER_HOLD_URL: the caller is held with that hold audio, fetched with GET', async () => {
      // Arrange
      load({ TRANSFER_HOLD_URL: 'https://cdn.example.com/briefing-hold.mp3' });
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\/caller\.json$/, {
        ...participant(sid('CA', 1), 'caller', { hold: true }),
        status: 200,
      });
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'human'));

      // Act
      const response = await handler(apiEvent(transfer({ type: 'warm', target: '+15551230000' })));

      // Assert
      expect(response.statusCode).toBe(201);
      expect(stub.requests[1].form).toEqual({
        Hold: 'true',
        HoldUrl: 'https://cdn.example.com/briefing-hold.mp3',
        HoldMethod: 'GET',
      });
    });

    it('cancelling a warm transfer removes the human before taking the caller off hold, and the agent stays', async () => {
      // Arrange
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('DELETE', /Participants\/human\.json$/, { status: 204 });
      stub.on('POST', /Participants\/caller\.json$/, { ...participant(sid('CA', 1), 'caller'), status: 200 });
      stub.on(
        'GET',
        /Participants\.json$/,
        participantList([
          { callSid: sid('CA', 1), label: 'caller' },
          { callSid: sid('CA', 2), label: 'ai-agent' },
        ]),
      );

      // Act
      const response = await handler(
        apiEvent({ routeKey: 'POST /conferences/{conference}/transfers/cancel', body: {} }),
      );

      // Assert
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({
        conferenceSid: CONFERENCE_SID,
        callerOnHold: false,
        humanRemoved: true,
        participants: [{ label: 'caller' }, { label: 'ai-agent' }],
      });
      expect(stub.requests.map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}`)).toEqual([
        'GET Conferences.json',
        'DELETE human.json',
        'POST caller.json',
        'GET Participants.json',
      ]);
      expect(stub.requests[2].form).toEqual({ Hold: 'false' });
    });

    it('cancelling when the human already left (20404) still takes the caller off hold', async () => {
      // Arrange
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('DELETE', /Participants\/alice\.json$/, twilioError(404, 20404, 'not found'));
      stub.on('POST', /Participants\/caller\.json$/, { ...participant(sid('CA', 1), 'caller'), status: 200 });
      stub.on('GET', /Participants\.json$/, participantList([{ callSid: sid('CA', 1), label: 'caller' }]));

      // Act
      const response = await handler(
        apiEvent({ routeKey: 'POST /conferences/{conference}/transfers/cancel', body: { label: 'alice' } }),
      );

      // Assert
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body).humanRemoved).toBe(true);
      expect(stub.requests.filter((r) => r.path.endsWith('/caller.json')).map((r) => r.form)).toEqual([
        { Hold: 'false' },
      ]);
    });

    it.each(['ai-agent', 'caller'])(
      'cancelling with the label %s is refused with 400 and touches nobody',
      async (label) => {
        // Act
        const response = await handler(
          apiEvent({ routeKey: 'POST /conferences/{conference}/transfers/cancel', body: { label } }),
        );

        // Assert
        expect(response.statusCode).toBe(400);
        expect(JSON.parse(response.body).error).toMatchObject({ code: 'invalid_request', field: 'label' });
        expect(stub.requests).toHaveLength(0);
      },
    );

    describe('with callerId (the caller number and the inbound call CallToken)', () => {
      const token = '%7B%22parentCallInfoToken%22%3A%22eyJ.e30.c2ln%22%7D';
      const body = { type: 'cold', target: '+15551230000', callerId: { number: '+15557654321', token } };

      it("presents the caller's number with the token and says so", async () => {
        stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
        stub.on('POST', /Participants\.json$/, participant(sid('CA', 3), 'human'));

        const response = await handler(apiEvent(transfer(body)));

        expect(response.statusCode).toBe(201);
        expect(JSON.parse(response.body).callerId).toBe('caller');
        expect(stub.requests[1].form).toMatchObject({ From: '+15557654321', CallToken: token });
      });

      it("when Twilio refuses that caller ID (21210), dials again from the stack's number and says so", async () => {
        stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
        stub.sequence('POST', /Participants\.json$/, [
          twilioError(400, 21210, 'The source phone number provided is not yet verified for your account.'),
          participant(sid('CA', 3), 'human'),
        ]);

        const response = await handler(apiEvent(transfer(body)));

        expect(response.statusCode).toBe(201);
        expect(JSON.parse(response.body).callerId).toBe('stack');
        const creates = stub.requests.filter((r) => r.method === 'POST');
        expect(creates.map((c) => [c.form.From, c.form.CallToken])).toEqual([
          ['+15557654321', token],
          ['+15550001111', undefined],
        ]);
      });

      it('when Twilio refuses the human for another reason, answers its error without a second dial', async () => {
        stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
        stub.on('POST', /Participants\.json$/, twilioError(400, 21215, 'Account not authorized to call +15551230000'));

        const response = await handler(apiEvent(transfer(body)));

        expect(response.statusCode).toBe(400);
        expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
      });
    });

    it('warm: takes the caller off hold again when the human cannot be dialled', async () => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\/caller\.json$/, (req) => ({
        ...participant(sid('CA', 1), 'caller', { hold: req.form.Hold === 'true' }),
        status: 200,
      }));
      stub.on('POST', /Participants\.json$/, twilioError(400, 21211, "Invalid 'To' Phone Number"));

      const response = await handler(apiEvent(transfer({ type: 'warm', target: '+15551230000' })));

      expect(response.statusCode).toBe(400);
      const holds = stub.requests.filter((r) => r.path.endsWith('/caller.json')).map((r) => r.form.Hold);
      expect(holds).toEqual(['true', 'false']);
    });

    it('when a warm transfer completes, it unholds the caller, removes every AI agent and confirms it from the live list', async () => {
      // Arrange
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
      stub.on('POST', /Participants\/caller\.json$/, { ...participant(sid('CA', 1), 'caller'), status: 200 });
      stub.on('DELETE', /Participants\/CA\w+\.json$/, { status: 204 });
      const people = [
        { callSid: sid('CA', 1), label: 'caller' },
        { callSid: sid('CA', 3), label: 'human' },
      ];
      let lists = 0;
      stub.on('GET', /Participants\.json$/, () =>
        lists++ === 0
          ? participantList([
              ...people,
              { callSid: sid('CA', 2), label: 'ai-agent' },
              { callSid: sid('CA', 5), label: 'ai-agent-2' },
            ])
          : participantList(people),
      );

      // Act
      const response = await handler(
        apiEvent({ routeKey: 'POST /conferences/{conference}/transfers/complete', body: {} }),
      );

      // Assert
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({
        conferenceSid: CONFERENCE_SID,
        callerOnHold: false,
        agentRemoved: true,
        participants: [{ label: 'caller' }, { label: 'human' }],
      });
      expect(stub.requests.map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}`).sort()).toEqual(
        [
          'GET Conferences.json',
          'POST caller.json',
          'GET Participants.json',
          `DELETE ${sid('CA', 2)}.json`,
          `DELETE ${sid('CA', 5)}.json`,
          'GET Participants.json',
        ].sort(),
      );
      expect(stub.requests[1].form).toEqual({ Hold: 'false' });
    });

    describe.each<[string, StubResponse]>([
      ['Twilio answers the removal 204', { status: 204 }],
      ['the agent was already gone (20404)', twilioError(404, 20404, 'not found')],
    ])('when %s but the live list still holds a participant labelled as the agent', (_name, removal) => {
      it('answers agentRemoved: false and shows who is there', async () => {
        stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
        stub.on('POST', /Participants\/caller\.json$/, { ...participant(sid('CA', 1), 'caller'), status: 200 });
        stub.on('DELETE', /Participants\/CA\w+\.json$/, removal);
        stub.on(
          'GET',
          /Participants\.json$/,
          participantList([
            { callSid: sid('CA', 1), label: 'caller' },
            { callSid: sid('CA', 4), label: 'ai-agent' },
          ]),
        );

        const response = await handler(
          apiEvent({ routeKey: 'POST /conferences/{conference}/transfers/complete', body: {} }),
        );

        expect(response.statusCode).toBe(200);
        expect(JSON.parse(response.body)).toMatchObject({
          conferenceSid: CONFERENCE_SID,
          agentRemoved: false,
          participants: [{ label: 'caller' }, { label: 'ai-agent', callSid: sid('CA', 4) }],
        });
      });
    });
  });

  describe('supervisors', () => {
    const supervisors = (body: unknown): Call => ({ routeKey: 'POST /conferences/{conference}/supervisors', body });
    const mode = (participantId: string, body: unknown): Call => ({
      method: 'PATCH',
      routeKey: 'PATCH /conferences/{conference}/supervisors/{participant}',
      pathParameters: { conference: CONFERENCE, participant: participantId },
      body,
    });
    const live = participantList([
      { callSid: sid('CA', 1), label: 'caller' },
      { callSid: sid('CA', 2), label: 'ai-agent' },
      { callSid: sid('CA', 4), label: 'supervisor', muted: true },
    ]);
    const requestsSeen = () => stub.requests.map((r) => `${r.method} ${r.path.split('/').slice(-1)[0]}`);

    beforeEach(() => {
      stub.on('GET', /Conferences\.json$/, conferenceList('in-progress'));
    });

    it('when a supervisor is added to listen, it is dialled muted and not coaching, without reading the participant list', async () => {
      // Arrange
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 4), 'supervisor'));

      // Act
      const response = await handler(apiEvent(supervisors({ target: 'client:lead' })));

      // Assert
      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toEqual({
        conferenceSid: CONFERENCE_SID,
        callSid: sid('CA', 4),
        label: 'supervisor',
        status: 'queued',
        mode: 'listen',
        coach: null,
      });
      expect(requestsSeen()).toEqual(['GET Conferences.json', 'POST Participants.json']);
      expect(stub.requests[1].form).toMatchObject({
        To: 'client:lead',
        From: '+15550001111',
        Label: 'supervisor',
        Muted: 'true',
        Coaching: 'false',
      });
      expect(stub.requests[1].form.CallSidToCoach).toBeUndefined();
    });

    it('when a supervisor is added to whisper to the agent, the create coaches the agent’s call SID from the live list', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, live);
      stub.on('POST', /Participants\.json$/, participant(sid('CA', 5), 'lead'));

      // Act
      const response = await handler(
        apiEvent(supervisors({ target: '+15551230000', label: 'lead', mode: 'whisper', coach: 'agent' })),
      );

      // Assert
      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({
        mode: 'whisper',
        coach: { label: 'ai-agent', callSid: sid('CA', 2) },
      });
      expect(requestsSeen()).toEqual(['GET Conferences.json', 'GET Participants.json', 'POST Participants.json']);
      expect(stub.requests[2].form).toMatchObject({ Muted: 'false', Coaching: 'true', CallSidToCoach: sid('CA', 2) });
    });

    it('when nobody labelled as the coached human is in the conference, it answers 409 naming them and dials nobody', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, live);

      // Act
      const response = await handler(apiEvent(supervisors({ target: 'client:lead', mode: 'whisper', coach: 'human' })));

      // Assert
      expect(response.statusCode).toBe(409);
      const { error } = JSON.parse(response.body);
      expect(error).toMatchObject({ code: 'coached_participant_missing', field: 'coach' });
      expect(error.message).toContain('"human"');
      expect(stub.requests.some((r) => r.method === 'POST')).toBe(false);
    });

    // 16028 is the Participants API's answer; 13240 (the `<Conference coach>` TwiML error) is read the same way.
    it.each([
      [16028, 'Participant to be whispered is not present in the conference'],
      [13240, 'Invalid Whisper SID'],
    ])(
      'when Twilio refuses the coach with %i (the coached call left meanwhile), it answers 409 with Twilio’s code',
      async (twilioCode, message) => {
        // Arrange
        stub.on('GET', /Participants\.json$/, live);
        stub.on('POST', /Participants\.json$/, twilioError(400, twilioCode, message));

        // Act
        const response = await handler(
          apiEvent(supervisors({ target: 'client:lead', mode: 'whisper', coach: 'agent' })),
        );

        // Assert
        expect(response.statusCode).toBe(409);
        expect(JSON.parse(response.body).error).toMatchObject({
          code: 'coached_participant_missing',
          field: 'coach',
          twilioCode,
        });
      },
    );

    it('when a listening supervisor is switched to whisper to the agent, its call SID is updated to coach the agent', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, live);
      stub.on('POST', /Participants\/CA[0-9a-f]+\.json$/, { ...participant(sid('CA', 4), 'supervisor'), status: 200 });

      // Act
      const response = await handler(apiEvent(mode('supervisor', { mode: 'whisper', coach: 'agent' })));

      // Assert
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ mode: 'whisper', coach: { label: 'ai-agent' } });
      expect(stub.requests.map((r) => `${r.method} ${r.path}`).at(-1)).toBe(
        `POST ${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants/${sid('CA', 4)}.json`,
      );
      expect(stub.requests.at(-1)?.form).toEqual({ Muted: 'false', Coaching: 'true', CallSidToCoach: sid('CA', 2) });
    });

    it.each([
      ['barge', { Muted: 'false', Coaching: 'false' }],
      ['listen', { Muted: 'true', Coaching: 'false' }],
    ])('when a supervisor is switched to %s, coaching stops and Muted follows the mode', async (to, form) => {
      // Arrange
      stub.on('GET', /Participants\.json$/, live);
      stub.on('POST', /Participants\/CA[0-9a-f]+\.json$/, { ...participant(sid('CA', 4), 'supervisor'), status: 200 });

      // Act
      const response = await handler(apiEvent(mode(sid('CA', 4), { mode: to })));

      // Assert
      expect(response.statusCode).toBe(200);
      expect(stub.requests.at(-1)?.form).toEqual(form);
    });

    it('when the supervisor to switch is not in the conference, it answers 404 naming participant and updates nobody', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, live);

      // Act
      const response = await handler(apiEvent(mode('lead', { mode: 'barge' })));

      // Assert
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body).error).toMatchObject({ code: 'not_found', field: 'participant' });
      expect(stub.requests.some((r) => r.method === 'POST')).toBe(false);
    });

    it('when the participant to switch is the agent given by call SID, it answers 400 and updates nobody', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, live);

      // Act
      const response = await handler(apiEvent(mode(sid('CA', 2), { mode: 'listen' })));

      // Assert
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error.field).toBe('participant');
      expect(stub.requests.some((r) => r.method === 'POST')).toBe(false);
    });

    it.each([
      ['adding a supervisor', supervisors({ target: 'client:lead' })],
      ['switching a supervisor', mode('supervisor', { mode: 'barge' })],
    ])('when %s in a conference that is not active, it answers 404 not_found after one lookup', async (_what, call) => {
      // Arrange
      stub.on('GET', /Conferences\.json$/, conferenceList('completed'));

      // Act
      const response = await handler(apiEvent(call));

      // Assert
      expect(response.statusCode).toBe(404);
      expect(JSON.parse(response.body).error).toMatchObject({ code: 'not_found', field: 'conference' });
      expect(requestsSeen()).toEqual(['GET Conferences.json']);
    });
  });

  it('answers 404 route_not_found for a route it does not serve', async () => {
    const response = await handler(apiEvent({ routeKey: 'PUT /conferences/{conference}/participants', method: 'PUT' }));
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('route_not_found');
  });
});
