/**
 * The participants API against hostile callers: every refusal is a 4xx with a JSON error naming the problem
 * (and the field), and no Twilio request is made. Twilio is a TwilioStub on 127.0.0.1 with Twilio's
 * conference semantics, so anything that does get through is visible as a recorded REST request.
 */
import nodeCrypto = require('node:crypto');
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { apiGatewayEvent, APP_SID, callParams, DOMAIN, formBody } from '../lambdas/support/events';
import type { HandlerResponse, TestHandler } from '../lambdas/support/events';
import { specProblems } from '../lambdas/support/openapi';
import {
  API_ROUTES,
  API_TOKEN,
  apiError,
  apiEvent,
  AUTH_TOKEN,
  hardeningEnv,
  leakedSecrets,
  load,
  responseText,
  sid,
  stackTraceSigns,
  type ApiCall,
} from './support/harness';
import { useConferenceFixture } from './support/conference-fixture';

const ALLOW_LIST = '+1555*,+44*,sip:*@pbx.example.com,client:*';
const MAX_BODY = 16 * 1024;

describe('participants API under abuse', () => {
  const fx = useConferenceFixture();
  let handler: TestHandler;

  beforeEach(async () => {
    handler = load(
      'participants',
      hardeningEnv({
        TWILIO_API_BASE_URL: fx.stub.baseUrl,
        ALLOWED_DIAL_TARGETS: ALLOW_LIST,
        TWILIO_RETRY_BUDGET_MS: '0',
      }),
    );
  });

  /** Runs the handler with all output captured. */
  const call = (event: ReturnType<typeof apiEvent>) => fx.output.during(() => handler(event));

  /** The shared assertions of every refusal: status, JSON error code (and field), no Twilio request, no leak. */
  function expectRefused(response: HandlerResponse, status: number, code: string, field?: string): void {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const error = apiError(response);
    expect(error.code).toBe(code);
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    if (field !== undefined) expect(error.field).toBe(field);
    expect(fx.stub.requests).toEqual([]);
    expect(fx.world.labelled('ai-agent')).toEqual([]);
    expect(leakedSecrets(responseText(response))).toEqual([]);
    expect(stackTraceSigns(response.body)).toEqual([]);
    expect(leakedSecrets(fx.output.lines.join('\n'))).toEqual([]);
  }

  describe('authentication', () => {
    describe.each<[string, Record<string, string | null>, string]>([
      ['no Authorization header', { authorization: null }, 'Missing Authorization header'],
      ['an empty Bearer header', { authorization: 'Bearer ' }, 'Malformed Authorization header'],
      ['a lower-case scheme', { authorization: `bearer ${API_TOKEN}` }, 'Malformed Authorization header'],
      ['the token without a scheme', { authorization: API_TOKEN }, 'Malformed Authorization header'],
      [
        'a Basic credential made of the token',
        { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}` },
        'Malformed Authorization header',
      ],
      ['the token twice', { authorization: `Bearer ${API_TOKEN} ${API_TOKEN}` }, 'Malformed Authorization header'],
      [
        'the token followed by a NUL byte',
        { authorization: `Bearer ${API_TOKEN}\u0000` },
        'Malformed Authorization header',
      ],
      ['a wrong token', { authorization: 'Bearer not-the-token' }, 'Invalid token'],
      ['the token with one extra character', { authorization: `Bearer ${API_TOKEN}x` }, 'Invalid token'],
      ['the token one character short', { authorization: `Bearer ${API_TOKEN.slice(0, -1)}` }, 'Invalid token'],
      ['the token in upper case', { authorization: `Bearer ${API_TOKEN.toUpperCase()}` }, 'Invalid token'],
      ['the Twilio Auth Token instead', { authorization: `Bearer ${AUTH_TOKEN}` }, 'Invalid token'],
    ])('with %s', (_name, headers, message) => {
      it('answers 401 unauthorized with a hint and makes no Twilio request', async () => {
        // Arrange
        const event = apiEvent({ body: { context: { ticket: 'T-1' } }, headers });
        // Act
        const response = await call(event);
        // Assert
        expectRefused(response, 401, 'unauthorized');
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(apiError(response).message).toContain(message);
      });
    });

    describe.each<[string, ApiCall]>([
      ['token=', { rawQueryString: `token=${API_TOKEN}`, headers: { authorization: null } }],
      [
        'access_token=',
        { rawQueryString: `access_token=${encodeURIComponent(API_TOKEN)}`, headers: { authorization: null } },
      ],
      ['api_key=', { rawQueryString: `x=1&api_key=${API_TOKEN}`, headers: { authorization: null } }],
      ['token= next to a valid Authorization header', { rawQueryString: `token=${API_TOKEN}` }],
    ])('with the token in the query string (%s)', (_name, variant) => {
      it('answers 401 telling the caller to use the Authorization header', async () => {
        // Arrange
        const event = apiEvent({ body: {}, ...variant });
        // Act
        const response = await call(event);
        // Assert
        expectRefused(response, 401, 'unauthorized');
        expect(apiError(response).message).toBe('Send the token in the Authorization header, not in the query string');
      });
    });

    describe.each([['x-api-key'], ['x-auth-token'], ['api-key'], ['cookie'], ['proxy-authorization']])(
      'with the token in a %s header',
      (header) => {
        it('answers 401 naming the header the token belongs in', async () => {
          // Arrange
          const value =
            header === 'cookie'
              ? `token=${API_TOKEN}`
              : header === 'proxy-authorization'
                ? `Bearer ${API_TOKEN}`
                : API_TOKEN;
          const event = apiEvent({ body: {}, headers: { authorization: null, [header]: value } });
          // Act
          const response = await call(event);
          // Assert
          expectRefused(response, 401, 'unauthorized');
          expect(apiError(response).message).toBe(
            'Missing Authorization header (expected: Authorization: Bearer <token>)',
          );
        });
      },
    );

    describe.each<[string, ApiCall]>([
      ['an oversized body', { rawBody: 'x'.repeat(MAX_BODY + 1), headers: { authorization: null } }],
      [
        'an invalid conference name',
        { body: {}, pathParameters: { conference: '../x' }, headers: { authorization: 'Bearer wrong' } },
      ],
      ['a non-JSON body', { rawBody: 'a=b', headers: { authorization: 'Bearer wrong', 'content-type': 'text/plain' } }],
    ])('with %s and no valid token', (_name, variant) => {
      it('checks the token first (401, nothing about the request is revealed)', async () => {
        const response = await call(apiEvent(variant));
        expectRefused(response, 401, 'unauthorized');
      });
    });
  });

  describe('token comparison', () => {
    let timingSafeEqual: jest.SpyInstance;
    let createHash: jest.SpyInstance;
    beforeEach(() => {
      timingSafeEqual = jest.spyOn(nodeCrypto, 'timingSafeEqual');
      createHash = jest.spyOn(nodeCrypto, 'createHash');
    });
    afterEach(() => {
      timingSafeEqual.mockRestore();
      createHash.mockRestore();
    });

    describe.each([
      ['a 1-character token', 'x', 401],
      ['a token of the same length', 'y'.repeat(API_TOKEN.length), 401],
      ['a 2000-character token', 'z'.repeat(2000), 401],
      ['a token sharing the first 30 characters', API_TOKEN.slice(0, 30) + 'q'.repeat(API_TOKEN.length - 30), 401],
      ['the right token', API_TOKEN, 201],
    ])('for %s', (_name, token, status) => {
      it('compares equal-length SHA-256 digests with crypto.timingSafeEqual, never the raw strings', async () => {
        // Arrange
        const event = apiEvent({ body: {}, headers: { authorization: `Bearer ${token}` } });
        // Act
        const response = await call(event);
        // Assert
        expect(response.statusCode).toBe(status);
        const comparisons = timingSafeEqual.mock.calls as [Buffer, Buffer][];
        expect(comparisons.length).toBeGreaterThanOrEqual(1);
        const [given, wanted] = comparisons[0];
        expect([given.length, wanted.length]).toEqual([32, 32]);
        expect(given.equals(Buffer.from(token))).toBe(false);
        expect(wanted.equals(Buffer.from(API_TOKEN))).toBe(false);
        expect(wanted.equals(nodeCrypto.createHash('sha256').update(API_TOKEN).digest())).toBe(true);
        expect(createHash.mock.calls.slice(0, 2)).toEqual([['sha256'], ['sha256']]);
      });
    });
  });

  describe('body limits', () => {
    describe.each<[string, ApiCall]>([
      ['one byte over 16 KiB', { rawBody: JSON.stringify({ context: { ticket: 'x' } }).padEnd(MAX_BODY + 1, ' ') }],
      [
        'over 16 KiB, base64-encoded by API Gateway',
        { rawBody: JSON.stringify({ context: { ticket: 'x' } }).padEnd(MAX_BODY + 1, ' '), base64: true },
      ],
      [
        '6000 three-byte characters (16 KiB counted in bytes, not characters)',
        { rawBody: JSON.stringify({ label: '€'.repeat(6000) }) },
      ],
      ['1 MiB', { rawBody: `{"a":"${'x'.repeat(1024 * 1024)}"}` }],
    ])('a body of %s', (_name, variant) => {
      it('is refused with 413 body_too_large', async () => {
        const response = await call(apiEvent(variant));
        expectRefused(response, 413, 'body_too_large');
        expect(apiError(response).message).toContain('16384 bytes');
      });
    });

    it('accepts a body of exactly 16 KiB (the limit is inclusive)', async () => {
      // Arrange
      const rawBody = '{}'.padEnd(MAX_BODY, ' ');
      // Act
      const response = await call(apiEvent({ rawBody }));
      // Assert
      expect(response.statusCode).toBe(201);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
    });

    describe.each([
      ['text/plain'],
      ['application/x-www-form-urlencoded'],
      ['multipart/form-data; boundary=x'],
      ['application/jsonp'],
    ])('a body sent as %s', (contentType) => {
      it('is refused with 415 unsupported_media_type', async () => {
        const response = await call(apiEvent({ rawBody: '{"context":{}}', headers: { 'content-type': contentType } }));
        expectRefused(response, 415, 'unsupported_media_type');
      });
    });
  });

  describe('malformed JSON, wrong types and unknown fields', () => {
    const deepArray = '['.repeat(5000) + ']'.repeat(5000);
    const deepObject = `${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}`;
    const deepContext = `{"context":{"ticket":${'{"a":'.repeat(1000)}"x"${'}'.repeat(1000)}}}`;
    const participantRoute = {
      routeKey: API_ROUTES.update,
      pathParameters: { conference: 'conf-x', participant: 'caller' },
    };

    describe.each<[string, ApiCall, number, string, string?]>([
      ['5000 nested arrays', { rawBody: deepArray }, 400, 'invalid_json'],
      ['8000 unclosed arrays', { rawBody: '['.repeat(8000) }, 400, 'invalid_json'],
      ['1500 nested objects', { rawBody: deepObject }, 400, 'invalid_request', 'a'],
      ['a context value nested 1000 deep', { rawBody: deepContext }, 400, 'invalid_request', 'context.ticket'],
      ['null', { rawBody: 'null' }, 400, 'invalid_json'],
      ['a number', { rawBody: '5' }, 400, 'invalid_json'],
      ['a string', { rawBody: '"agent"' }, 400, 'invalid_json'],
      ['truncated JSON', { rawBody: '{"target":"+1555' }, 400, 'invalid_json'],
      ['JSON with a trailing comma', { rawBody: '{"label":"x",}' }, 400, 'invalid_json'],
      ['a BOM before the JSON', { rawBody: '\ufeff{}' }, 400, 'invalid_json'],
      ['a __proto__ key', { rawBody: '{"__proto__":{"target":"+19005550100"}}' }, 400, 'invalid_request', '__proto__'],
      ['a constructor key', { body: { constructor: { prototype: {} } } }, 400, 'invalid_request', 'constructor'],
      [
        'a duplicate target key smuggling a premium number',
        { rawBody: '{"target":"+15551230000","target":"+19005550100"}' },
        403,
        'target_not_allowed',
        'target',
      ],
      ['an unknown field To', { body: { To: '+19005550100' } }, 400, 'invalid_request', 'To'],
      [
        'an unknown field statusCallback',
        { body: { statusCallback: 'https://evil.example.com' } },
        400,
        'invalid_request',
        'statusCallback',
      ],
      [
        'an unknown field twiml',
        { body: { twiml: '<Response><Dial>+19005550100</Dial></Response>' } },
        400,
        'invalid_request',
        'twiml',
      ],
      [
        'a 10 000-character unknown field name',
        { body: { ['k'.repeat(10000)]: 1 } },
        400,
        'invalid_request',
        'k'.repeat(64),
      ],
      ['target as a number', { body: { target: 15551230000 } }, 400, 'invalid_request', 'target'],
      ['target as an array', { body: { target: ['+15551230000'] } }, 400, 'invalid_request', 'target'],
      ['target as null', { body: { target: null } }, 400, 'invalid_request', 'target'],
      ['label as a number', { body: { label: 7 } }, 400, 'invalid_request', 'label'],
      ['an empty label', { body: { label: '' } }, 400, 'invalid_request', 'label'],
      ['a 129-character label', { body: { label: 'l'.repeat(129) } }, 400, 'invalid_request', 'label'],
      ['muted as a string', { body: { muted: 'true' } }, 400, 'invalid_request', 'muted'],
      ['endConferenceOnExit as 1', { body: { endConferenceOnExit: 1 } }, 400, 'invalid_request', 'endConferenceOnExit'],
      ['timeout as a string', { body: { timeout: '10' } }, 400, 'invalid_request', 'timeout'],
      ['a fractional timeout', { body: { timeout: 10.5 } }, 400, 'invalid_request', 'timeout'],
      ['a negative timeout', { body: { timeout: -1 } }, 400, 'invalid_request', 'timeout'],
      ['an infinite timeout (1e400)', { rawBody: '{"timeout":1e400}' }, 400, 'invalid_request', 'timeout'],
      ['a timeout of 601 s', { body: { timeout: 601 } }, 400, 'invalid_request', 'timeout'],
      ['from as a number', { body: { from: 15550001111 } }, 400, 'invalid_request', 'from'],
      ['from with a leading zero', { body: { from: '+05550001111' } }, 400, 'invalid_request', 'from'],
      ['from with a space', { body: { from: '+1555 0001111' } }, 400, 'invalid_request', 'from'],
      ['context as an array', { body: { context: ['x'] } }, 400, 'invalid_request', 'context'],
      ['context as a string', { body: { context: 'ticket=1' } }, 400, 'invalid_request', 'context'],
      ['context as null', { body: { context: null } }, 400, 'invalid_request', 'context'],
      ['a null context value', { body: { context: { ticket: null } } }, 400, 'invalid_request', 'context.ticket'],
      [
        'an array context value',
        { body: { context: { ticket: ['a', 'b'] } } },
        400,
        'invalid_request',
        'context.ticket',
      ],
      ['a context name with a space', { body: { context: { 'a b': 'x' } } }, 400, 'invalid_request', 'context.a b'],
      [
        'a context name with &',
        { body: { context: { 'a&conference': 'x' } } },
        400,
        'invalid_request',
        'context.a&conference',
      ],
      ['an empty context name', { body: { context: { '': 'x' } } }, 400, 'invalid_request', 'context.'],
      ['hold as a string', { ...participantRoute, body: { hold: 'true' } }, 400, 'invalid_request', 'hold'],
      ['muted as 0', { ...participantRoute, body: { muted: 0 } }, 400, 'invalid_request', 'muted'],
      [
        'an update with an unknown field',
        { ...participantRoute, body: { hold: true, coaching: true } },
        400,
        'invalid_request',
        'coaching',
      ],
      [
        'a transfer without type',
        { routeKey: API_ROUTES.transfer, body: { target: '+15551230000' } },
        400,
        'invalid_request',
        'type',
      ],
      [
        'a transfer type as a number',
        { routeKey: API_ROUTES.transfer, body: { type: 1, target: '+15551230000' } },
        400,
        'invalid_request',
        'type',
      ],
      [
        'an unknown removeAgent',
        { routeKey: API_ROUTES.transfer, body: { type: 'cold', target: '+15551230000', removeAgent: 'later' } },
        400,
        'invalid_request',
        'removeAgent',
      ],
      [
        'a transfer labelled like the caller',
        { routeKey: API_ROUTES.transfer, body: { type: 'cold', target: '+15551230000', label: 'caller' } },
        400,
        'invalid_request',
        'label',
      ],
      [
        'a completion with a field',
        { routeKey: API_ROUTES.complete, body: { force: true } },
        400,
        'invalid_request',
        'force',
      ],
    ])('%s', (_name, variant, status, code, field) => {
      it(`is refused with ${status} ${code}${field !== undefined ? ` naming the field` : ''} and no Twilio request`, async () => {
        // Act
        const response = await call(apiEvent(variant));
        // Assert
        expectRefused(response, status, code, field);
        if (field) expect(JSON.stringify(apiError(response))).toContain(field.slice(0, 64));
      });
    });
  });

  describe('injection in path parameters and labels', () => {
    const hostile: [string, string][] = [
      ['a slash', 'conf/../../Calls'],
      ['a query', 'conf?FriendlyName=other'],
      ['an ampersand', 'conf&Status=completed'],
      ['a fragment', 'conf#x'],
      ['an encoded slash', 'conf%2F..%2FCalls'],
      ['a dot-dot segment only', '..'],
      ['a dot segment only', '.'],
      ['XML', '<Dial>+19005550100</Dial>'],
      ['CR LF (header injection)', 'conf\r\nX-Injected: 1'],
      ['a NUL byte', 'conf\u0000'],
      ['an ANSI escape', 'conf\u001b[31m'],
      ['a space', 'conf x'],
      ['very long unicode', '東京🚀'.repeat(200)],
      ['129 characters', 'c'.repeat(129)],
    ];

    describe.each(hostile)('a conference name with %s', (_name, conference) => {
      describe.each(Object.entries(API_ROUTES))('on %s', (_route, routeKey) => {
        it('is refused with 400 naming conference and no Twilio request', async () => {
          const response = await call(
            apiEvent({
              routeKey,
              body:
                routeKey === API_ROUTES.update
                  ? { hold: true }
                  : routeKey === API_ROUTES.transfer
                    ? { type: 'cold', target: '+15551230000' }
                    : {},
              pathParameters: { conference, participant: 'caller' },
            }),
          );
          expectRefused(response, 400, 'invalid_request', 'conference');
        });
      });
    });

    describe.each(hostile)('a participant with %s', (_name, participant) => {
      describe.each([
        ['update', API_ROUTES.update],
        ['remove', API_ROUTES.remove],
        ['supervisor mode', API_ROUTES.superviseMode],
      ])('on %s', (_route, routeKey) => {
        it('is refused with 400 naming participant and no Twilio request', async () => {
          const response = await call(
            apiEvent({
              routeKey,
              body: routeKey === API_ROUTES.update ? { hold: true } : undefined,
              pathParameters: { conference: 'conf-x', participant },
            }),
          );
          expectRefused(response, 400, 'invalid_request', 'participant');
        });
      });
    });

    // A label travels in the form body, never in a path, so `..` is no injection there.
    const hostileLabels = hostile.filter(([name]) => !name.startsWith('a dot'));
    describe.each([...hostileLabels, ['a Call SID look-alike', sid('CA', 77)] as [string, string]])(
      'a label with %s',
      (_name, label) => {
        describe.each<[string, string, Record<string, unknown>]>([
          ['adding the agent', API_ROUTES.add, {}],
          ['adding a human', API_ROUTES.add, { target: '+15551230000' }],
          ['a transfer', API_ROUTES.transfer, { type: 'warm', target: '+15551230000' }],
        ])('when %s', (_what, routeKey, body) => {
          it('is refused with 400 naming label and no Twilio request', async () => {
            const response = await call(apiEvent({ routeKey, body: { ...body, label } }));
            expectRefused(response, 400, 'invalid_request', 'label');
          });
        });
      },
    );
  });

  describe('a conference name with no active conference (a typo, a call that ended, a late CRM retry)', () => {
    const routes: [string, ApiCall][] = [
      ['adding the agent', { body: { context: { ticket: 'T-1' } } }],
      ['adding a human', { body: { target: '+15551230000' } }],
      ['listing participants', { routeKey: API_ROUTES.list }],
      ['holding the caller', { routeKey: API_ROUTES.update, body: { hold: true } }],
      ['a cold transfer', { routeKey: API_ROUTES.transfer, body: { type: 'cold', target: '+15551230000' } }],
      ['a warm transfer', { routeKey: API_ROUTES.transfer, body: { type: 'warm', target: '+15551230000' } }],
      ['completing a transfer', { routeKey: API_ROUTES.complete, body: {} }],
      ['cancelling a transfer', { routeKey: API_ROUTES.cancel, body: {} }],
      ['adding a supervisor', { routeKey: API_ROUTES.supervise, body: { target: 'client:lead' } }],
    ];
    describe.each<[string, 'completed' | null]>([
      ['Twilio lists none', null],
      ['Twilio lists only a completed one', 'completed'],
    ])('when %s', (_state, status) => {
      describe.each(routes)('%s', (_what, variant) => {
        it('answers 404 not_found naming conference after one lookup, dialling, holding and removing nobody', async () => {
          // Arrange
          fx.world.status = status;
          const before = [...fx.world.participants.keys()];
          // Act
          const response = await call(
            apiEvent({ ...variant, pathParameters: { conference: 'conf-CAdoesnotexist', participant: 'caller' } }),
          );
          // Assert
          expect(response.statusCode).toBe(404);
          expect(apiError(response)).toMatchObject({ code: 'not_found', field: 'conference' });
          expect(fx.stub.requests.map((r) => `${r.method} ${r.query.get('FriendlyName')}`)).toEqual([
            'GET conf-CAdoesnotexist',
          ]);
          expect([...fx.world.participants.keys()]).toEqual(before);
          expect(fx.world.participants.get('caller')?.hold).toBe(false);
          expect(leakedSecrets(responseText(response))).toEqual([]);
        });
      });
    });
  });

  describe('every successful answer names the conference it acted on', () => {
    describe.each<[string, ApiCall, number]>([
      ['adding the agent', { body: {} }, 201],
      ['adding a human', { body: { target: '+15551230000', label: 'supervisor' } }, 201],
      ['listing participants', { routeKey: API_ROUTES.list }, 200],
      [
        'holding the caller',
        {
          routeKey: API_ROUTES.update,
          body: { hold: true },
          pathParameters: { conference: 'conf-x', participant: 'caller' },
        },
        200,
      ],
      ['a cold transfer', { routeKey: API_ROUTES.transfer, body: { type: 'cold', target: '+15551230000' } }, 201],
      ['a warm transfer', { routeKey: API_ROUTES.transfer, body: { type: 'warm', target: '+15551230000' } }, 201],
      ['completing a transfer', { routeKey: API_ROUTES.complete, body: {} }, 200],
    ])('%s by name', (_what, variant, status) => {
      it(`answers ${status} with the CF SID Twilio resolved the name to`, async () => {
        // Arrange: the event names the conference; only Twilio's list knows its SID.
        const event = apiEvent({
          ...variant,
          pathParameters: { ...variant.pathParameters, conference: fx.world.name },
        });
        // Act
        const response = await call(event);
        // Assert
        expect(response.statusCode).toBe(status);
        expect(JSON.parse(response.body).conferenceSid).toBe(fx.world.conferenceSid);
      });
    });
  });

  describe('context values', () => {
    describe.each<[string, Record<string, string>]>([
      ['query separators', { ticket: 'T-1&conference=evil&caller=+19005550100' }],
      ['a fragment and a question mark', { ticket: '#frag?x=1' }],
      ['percent-encoded slashes', { ticket: '%2F..%2F..%2FCalls' }],
      ['TwiML', { ticket: '"/><Dial>+19005550100</Dial><Parameter name="x' }],
      ['CR LF', { ticket: 'a\r\nb' }],
      ['unicode', { customerId: 'Zoë-東京-🚀' }],
    ])('with %s', (_name, context) => {
      it('reach the agent as exactly the values sent: encoded in To, escaped in TwiML, nothing injected', async () => {
        // Arrange
        const event = apiEvent({ body: { context } });
        // Act
        const response = await call(event);
        // Assert: the conference lookup, the participant list (the caller's CallSid for the agent leg's recovery
        // callback), then one create, whose To query decodes to exactly the context
        expect(response.statusCode).toBe(201);
        expect(fx.stub.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
        for (const r of fx.stub.requests) expect(specProblems(r.method, r.path, r.form, r.query)).toEqual([]);
        const to = String(fx.stub.requests[2].form.To);
        expect(to.startsWith(`app:${APP_SID}?`)).toBe(true);
        const query = to.slice(to.indexOf('?') + 1);
        expect([...new URLSearchParams(query)]).toEqual(Object.entries(context));

        // And the agent handler, given that query as Twilio appends it, hands on the same values, escaped.
        const agent = load('agent', hardeningEnv());
        const url = `https://${DOMAIN}/twilio/voice/agent?${query}`;
        const params = callParams({ CallSid: sid('CA', 99), To: `app:${APP_SID}` });
        const twiml = await fx.output.during(() =>
          agent(
            apiGatewayEvent({
              path: '/twilio/voice/agent',
              rawQueryString: query,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, params),
              },
              body: formBody(params),
            }),
          ),
        );
        expect(twiml.statusCode).toBe(200);
        expect(twiml.body).not.toContain('<Dial');
        const parameters = [...twiml.body.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g)].map(([, n, v]) => [
          n,
          unescapeXml(v),
        ]);
        expect(parameters).toEqual(Object.entries(context));
        expect(twiml.body.match(/<Parameter /g)).toHaveLength(Object.keys(context).length);
      });
    });

    describe.each<[string, Record<string, string>, string]>([
      ['a NUL byte', { ticket: 'a\u0000b' }, 'context.ticket'],
      ['a bell', { ticket: '\u0007' }, 'context.ticket'],
      ['an ANSI escape', { ticket: '\u001b[2J' }, 'context.ticket'],
      ['DEL', { ticket: 'x\u007f' }, 'context.ticket'],
      ['500 characters (Twilio allows under 500)', { ticket: 't'.repeat(500) }, 'context.ticket'],
      ['250 emoji (500 UTF-16 units)', { ticket: '🚀'.repeat(250) }, 'context.ticket'],
      ['100 CJK characters (900 bytes URL-encoded, over 800)', { ticket: '東'.repeat(100) }, 'context'],
      [
        'nine values of 95 characters (over 800 bytes)',
        Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(95)])),
        'context',
      ],
      [
        '200 short values (over 800 bytes)',
        Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'])),
        'context',
      ],
      [
        'a 65-character name (the field is cut to 64 characters)',
        { ['n'.repeat(65)]: 'x' },
        `context.${'n'.repeat(64)}`,
      ],
    ])('with %s', (_name, context, field) => {
      it(`is refused with 400 naming ${field.length > 40 ? 'the context name' : field} and no Twilio request`, async () => {
        const response = await call(apiEvent({ body: { context } }));
        expectRefused(response, 400, 'invalid_request', field);
      });
    });
  });

  describe('context names against AGENT_CONTEXT_ALLOWLIST (what the API accepts is what the agent receives)', () => {
    const allowlist = 'ticket,customerId,language';
    describe.each([
      ['an allowed name', 'ticket'],
      ['another allowed name', 'customerId'],
      ['a name differing only in case', 'Ticket'],
      ['a default name this stack left off', 'caller'],
      ['a prototype property name', 'toString'],
      ['an allowed name with a suffix', 'ticket2'],
      ['a prefix of an allowed name', 'lang'],
    ])('%s (%s)', (_name, key) => {
      it('is refused by the API exactly when the agent handler would drop it', async () => {
        // Arrange: the agent handler's own decision, from the query Twilio would append for this context.
        const agent = load('agent', hardeningEnv({ AGENT_CONTEXT_ALLOWLIST: allowlist }));
        const query = `${encodeURIComponent(key)}=v`;
        const url = `https://${DOMAIN}/twilio/voice/agent?${query}`;
        const params = callParams({ CallSid: sid('CA', 98), To: `app:${APP_SID}` });
        const twiml = await fx.output.during(() =>
          agent(
            apiGatewayEvent({
              path: '/twilio/voice/agent',
              rawQueryString: query,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, params),
              },
              body: formBody(params),
            }),
          ),
        );
        const agentReceives = twiml.body.includes(`<Parameter name="${key}"`);
        handler = load(
          'participants',
          hardeningEnv({ TWILIO_API_BASE_URL: fx.stub.baseUrl, AGENT_CONTEXT_ALLOWLIST: allowlist }),
        );

        // Act
        const response = await call(apiEvent({ body: { context: { [key]: 'v' } } }));

        // Assert
        expect(twiml.statusCode).toBe(200);
        if (agentReceives) {
          expect(response.statusCode).toBe(201);
        } else {
          expectRefused(response, 400, 'invalid_request', `context.${key}`);
          expect(apiError(response).message).toContain('ticket, customerId, language');
        }
      });
    });
  });

  describe('dial targets outside ALLOWED_DIAL_TARGETS', () => {
    describe.each<[string, string, number, string]>([
      ['a US premium-rate number', '+19005550100', 403, 'target_not_allowed'],
      ['a US 976 number', '+19765550100', 403, 'target_not_allowed'],
      ['an international premium number', '+882123456789', 403, 'target_not_allowed'],
      ['a number that only starts like an allowed prefix', '+15', 403, 'target_not_allowed'],
      ['a SIP URI on another domain', 'sip:alice@evil.example.com', 403, 'target_not_allowed'],
      ['a SIP URI on a look-alike domain', 'sip:alice@pbx.example.com.evil.example.com', 403, 'target_not_allowed'],
      ['a SIP URI on the allowed domain with a port', 'sip:alice@pbx.example.com:5061', 403, 'target_not_allowed'],
      ['a SIP URI with a second @', 'sip:alice@evil.example.com;x=@pbx.example.com', 400, 'invalid_request'],
      ['a sips: URI', 'sips:alice@pbx.example.com', 400, 'invalid_request'],
      ['a TwiML App', `app:${APP_SID}`, 400, 'invalid_request'],
      ['a number with a DTMF suffix', '+15551230000ww1234', 400, 'invalid_request'],
      ['an http URL', 'https://evil.example.com/twiml', 400, 'invalid_request'],
      ['a client identity with a query', 'client:alice?x=1', 400, 'invalid_request'],
    ])('%s', (_name, target, status, code) => {
      describe.each<[string, string, Record<string, unknown>]>([
        ['added as a participant', API_ROUTES.add, { target }],
        ['as a cold transfer', API_ROUTES.transfer, { type: 'cold', target }],
        ['as a warm transfer', API_ROUTES.transfer, { type: 'warm', target }],
      ])('%s', (_how, routeKey, body) => {
        it(`is refused with ${status} ${code} naming target, and the caller is never put on hold`, async () => {
          const response = await call(apiEvent({ routeKey, body }));
          expectRefused(response, status, code, 'target');
          expect(fx.world.participants.get('caller')?.hold).toBe(false);
        });
      });
    });

    describe.each([
      ['a number in an allowed prefix', '+15551230000'],
      ['a UK number', '+442071234567'],
      ['a SIP URI on the allowed domain', 'sip:alice@pbx.example.com'],
      ['a client identity', 'client:alice'],
    ])('%s (allowed)', (_name, target) => {
      it('is dialled once with exactly that To', async () => {
        const response = await call(apiEvent({ body: { target } }));
        expect(response.statusCode).toBe(201);
        const creates = fx.stub.requests.filter((r) => r.method === 'POST');
        expect(creates.map((r) => r.form.To)).toEqual([target]);
      });
    });
  });
});

function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#xD;/gi, '\r')
    .replace(/&#xA;/gi, '\n')
    .replace(/&#13;/g, '\r')
    .replace(/&#10;/g, '\n')
    .replace(/&amp;/g, '&');
}
