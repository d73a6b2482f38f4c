/**
 * Forged and tampered Twilio webhooks: every URL form the stack can be reached by (named stage, `$default`,
 * custom domain through PUBLIC_BASE_URL, explicit ports), both body encodings, raw query strings and JSON
 * bodies covered by bodySHA256. A genuine delivery is accepted (the control); every forgery is a 403 with no
 * TwiML and no Twilio REST request. A retried participant-join never adds a second agent.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getExpectedBodyHash, getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import {
  apiGatewayEvent,
  APP_SID,
  callParams,
  DOMAIN,
  formBody,
  type HandlerResponse,
  type TestHandler,
} from '../lambdas/support/events';
import {
  AUTH_TOKEN,
  CALLER_QUERY,
  conferenceEventParams,
  hardeningEnv,
  leakedSecrets,
  load,
  PATHS,
  responseText,
  sid,
  type HandlerKey,
} from './support/harness';
import type { ConferenceWorld } from './support/twilio-world';
import { useConferenceFixture } from './support/conference-fixture';

type Params = Record<string, string | string[]>;

/** One Twilio-facing route and what a genuine delivery to it does. */
interface Target {
  readonly name: string;
  readonly key: HandlerKey;
  readonly path: string;
  readonly params: Params;
  readonly query: string;
  /** Whether the response (and the conference) show the genuine request was acted on. */
  readonly actedOn: (response: HandlerResponse, world: ConferenceWorld) => boolean;
}

const TARGETS: Target[] = [
  {
    name: 'inbound',
    key: 'inbound',
    path: PATHS.inbound,
    params: callParams(),
    query: '',
    actedOn: (r) => r.statusCode === 200 && r.body.includes('<Conference'),
  },
  {
    name: 'agent',
    key: 'agent',
    path: PATHS.agent,
    params: callParams({ CallSid: sid('CA', 99), To: `app:${APP_SID}`, From: '+15550001111' }),
    query: 'caller=%2B15557654321&ticket=T%2042',
    actedOn: (r) => r.statusCode === 200 && r.body.includes('<Stream'),
  },
  {
    name: 'agent fallback',
    key: 'agent',
    path: PATHS.agentFallback,
    params: callParams({ CallSid: sid('CA', 99), ErrorCode: '11200' }),
    query: '',
    actedOn: (r) => r.statusCode === 200 && r.body.includes('<Hangup'),
  },
  {
    name: 'events',
    key: 'events',
    path: PATHS.events,
    params: conferenceEventParams('participant-join'),
    query: CALLER_QUERY,
    actedOn: (r, world) => r.statusCode === 204 && world.labelled('ai-agent').length === 1,
  },
];

/** How the stack is reached: its configuration, the event API Gateway builds, and the URL Twilio signs. */
interface UrlForm {
  readonly env: Record<string, string>;
  readonly stage: string;
  readonly domainName: string;
  readonly signedBase: string;
  /** A plausible but wrong base an attacker (or a misconfiguration) might sign. */
  readonly wrongBase: string;
}

const URL_FORMS: [string, UrlForm][] = [
  [
    '$default stage on the execute-api domain',
    {
      env: {},
      stage: '$default',
      domainName: DOMAIN,
      signedBase: `https://${DOMAIN}`,
      wrongBase: `https://${DOMAIN}/$default`,
    },
  ],
  [
    'named stage (/prod/twilio/...)',
    {
      env: {},
      stage: 'prod',
      domainName: DOMAIN,
      signedBase: `https://${DOMAIN}/prod`,
      wrongBase: `https://${DOMAIN}`,
    },
  ],
  [
    'custom domain with a base path (PUBLIC_BASE_URL)',
    {
      env: { PUBLIC_BASE_URL: 'https://voice.example.com/v1' },
      stage: '$default',
      domainName: 'voice.example.com',
      signedBase: 'https://voice.example.com/v1',
      wrongBase: `https://${DOMAIN}`,
    },
  ],
  [
    'custom domain in front of a named stage',
    {
      env: { PUBLIC_BASE_URL: 'https://voice.example.com' },
      stage: 'prod',
      domainName: 'voice.example.com',
      signedBase: 'https://voice.example.com',
      wrongBase: 'https://voice.example.com/prod',
    },
  ],
  [
    'PUBLIC_BASE_URL with an explicit :443 (Twilio drops the port when signing)',
    {
      env: { PUBLIC_BASE_URL: 'https://voice.example.com:443' },
      stage: '$default',
      domainName: 'voice.example.com',
      signedBase: 'https://voice.example.com',
      wrongBase: 'https://voice.example.com:8443',
    },
  ],
  [
    'Twilio signing with :443 against a PUBLIC_BASE_URL without a port',
    {
      env: { PUBLIC_BASE_URL: 'https://voice.example.com' },
      stage: '$default',
      domainName: 'voice.example.com',
      signedBase: 'https://voice.example.com:443',
      wrongBase: 'http://voice.example.com',
    },
  ],
  [
    'plain http on an explicit port (local sandbox)',
    {
      env: { PUBLIC_BASE_URL: 'http://127.0.0.1:8080' },
      stage: '$default',
      domainName: '127.0.0.1',
      signedBase: 'http://127.0.0.1:8080',
      wrongBase: 'http://127.0.0.1:8081',
    },
  ],
];

interface Delivery {
  readonly path: string;
  readonly params: Params;
  readonly rawQueryString?: string;
  readonly stage?: string;
  readonly domainName?: string;
  /** The full URL the signature is computed over. */
  readonly signedUrl: string;
  /** The parameters the signature covers (default: the ones sent). */
  readonly signedParams?: Params;
  readonly authToken?: string;
  /** Replaces the computed signature; null leaves the header out. */
  readonly signature?: string | null;
  readonly encoding?: 'base64' | 'text';
  readonly method?: string;
  readonly contentType?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** A webhook delivery as API Gateway hands it to the Lambda. */
function delivery(d: Delivery): APIGatewayProxyEventV2 {
  const signature =
    d.signature === undefined
      ? getExpectedTwilioSignature(d.authToken ?? AUTH_TOKEN, d.signedUrl, d.signedParams ?? d.params)
      : d.signature;
  return apiGatewayEvent({
    method: d.method ?? 'POST',
    path: d.path,
    routeKey: `POST ${d.path}`,
    rawQueryString: d.rawQueryString,
    stage: d.stage,
    domainName: d.domainName,
    headers: {
      'content-type': d.contentType ?? 'application/x-www-form-urlencoded',
      'i-twilio-idempotency-token': `idem-${Math.random().toString(36).slice(2)}`,
      ...(signature !== null && { 'x-twilio-signature': signature }),
      ...d.headers,
    },
    body: d.body ?? formBody(d.params),
    base64: d.encoding !== 'text',
  });
}

const withQuery = (base: string, path: string, query: string) => `${base}${path}${query ? `?${query}` : ''}`;

describe('forged Twilio webhooks', () => {
  const fx = useConferenceFixture();

  const loadTarget = (target: Target, env: Record<string, string> = {}): TestHandler =>
    load(target.key, hardeningEnv({ TWILIO_API_BASE_URL: fx.stub.baseUrl, TWILIO_RETRY_BUDGET_MS: '0', ...env }));

  /** Everything a refused forgery must show: 403, no TwiML, no REST request, no agent, a warning logged. */
  function expectForbidden(response: HandlerResponse): void {
    expect(response.statusCode).toBe(403);
    expect(response.body).toBe('Forbidden: invalid Twilio signature');
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).not.toContain('<Response');
    expect(fx.stub.requests).toEqual([]);
    expect(fx.world.labelled('ai-agent')).toEqual([]);
    expect(
      fx.output
        .records()
        .some((r) => r.level === 'warn' && r.message === 'rejected request with a missing or invalid Twilio signature'),
    ).toBe(true);
    expect(leakedSecrets(responseText(response) + fx.output.lines.join('\n'))).toEqual([]);
  }

  describe.each(URL_FORMS)('reached through %s', (_formName, form) => {
    const send = (target: Target, overrides: Partial<Delivery> = {}) =>
      delivery({
        path: target.path,
        params: target.params,
        rawQueryString: target.query,
        stage: form.stage,
        domainName: form.domainName,
        signedUrl: withQuery(form.signedBase, target.path, target.query),
        ...overrides,
      });

    describe.each(TARGETS)('the $name route', (target) => {
      it('acts on a genuine delivery (control)', async () => {
        const handler = loadTarget(target, form.env);
        const response = await fx.output.during(() => handler(send(target)));
        expect(target.actedOn(response, fx.world)).toBe(true);
      });

      it('refuses a signature made for another base URL with 403 and does nothing', async () => {
        const handler = loadTarget(target, form.env);
        const response = await fx.output.during(() =>
          handler(send(target, { signedUrl: withQuery(form.wrongBase, target.path, target.query) })),
        );
        expectForbidden(response);
      });
    });
  });

  describe.each(TARGETS)('the $name route', (target) => {
    const signedUrl = withQuery(`https://${DOMAIN}`, target.path, target.query);
    const base: Delivery = { path: target.path, params: target.params, rawQueryString: target.query, signedUrl };
    const firstParam = Object.keys(target.params)[0];
    const otherRoute = target.path === PATHS.inbound ? PATHS.events : PATHS.inbound;

    describe.each<[string, Delivery]>([
      ['a text (not base64) form body', { ...base, encoding: 'text' }],
      ['a base64 form body', { ...base, encoding: 'base64' }],
      [
        'a charset on the form content type',
        { ...base, contentType: 'application/x-www-form-urlencoded; charset=utf-8' },
      ],
    ])('with %s', (_name, d) => {
      it('is accepted when genuine (control)', async () => {
        const handler = loadTarget(target);
        const response = await fx.output.during(() => handler(delivery(d)));
        expect(target.actedOn(response, fx.world)).toBe(true);
      });
    });

    describe.each<[string, Delivery]>([
      ['no X-Twilio-Signature header', { ...base, signature: null }],
      ['an empty signature', { ...base, signature: '' }],
      ['a garbage signature', { ...base, signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
      ['a signature made with another Auth Token', { ...base, authToken: 'some-other-auth-token-000000000' }],
      ['a signature made with the token in upper case', { ...base, authToken: AUTH_TOKEN.toUpperCase() }],
      [
        'a genuine signature with trailing whitespace',
        { ...base, signature: `${getExpectedTwilioSignature(AUTH_TOKEN, signedUrl, target.params)} ` },
      ],
      [
        'a valid signature for another route',
        { ...base, signedUrl: withQuery(`https://${DOMAIN}`, otherRoute, target.query) },
      ],
      [
        'a valid signature for another domain',
        { ...base, signedUrl: withQuery('https://evil.example.com', target.path, target.query) },
      ],
      [
        'a valid signature for http instead of https',
        { ...base, signedUrl: withQuery(`http://${DOMAIN}`, target.path, target.query) },
      ],
      ['an extra parameter', { ...base, params: { ...target.params, Extra: '1' }, signedParams: target.params }],
      [
        'a removed parameter',
        { ...base, params: Object.fromEntries(Object.entries(target.params).slice(1)), signedParams: target.params },
      ],
      [
        'a changed parameter',
        {
          ...base,
          params: { ...target.params, From: '+19005550100', ParticipantLabel: 'caller', CallSid: sid('CA', 666) },
          signedParams: target.params,
        },
      ],
      [
        'a parameter repeated with another value',
        { ...base, body: `${formBody(target.params)}&${firstParam}=other`, signedParams: target.params },
      ],
      [
        'a parameter moved from the body to the query',
        {
          ...base,
          rawQueryString: [target.query, `${firstParam}=${encodeURIComponent(String(target.params[firstParam]))}`]
            .filter(Boolean)
            .join('&'),
          params: Object.fromEntries(Object.entries(target.params).slice(1)),
          signedParams: target.params,
        },
      ],
      [
        'an added query parameter',
        { ...base, rawQueryString: [target.query, 'caller=%2B19005550100'].filter(Boolean).join('&') },
      ],
      [
        'the query string dropped',
        { ...base, rawQueryString: '', signedUrl: withQuery(`https://${DOMAIN}`, target.path, target.query || 'x=1') },
      ],
      [
        'a signature computed for GET (parameters in the URL) replayed as a POST with a form body',
        {
          ...base,
          signedUrl: `https://${DOMAIN}${target.path}?${[target.query, formBody(target.params)].filter(Boolean).join('&')}`,
          signedParams: {},
        },
      ],
      ['a genuine signature with the body re-labelled as text/plain', { ...base, contentType: 'text/plain' }],
      ['a genuine signature with the body re-labelled as JSON', { ...base, contentType: 'application/json' }],
      [
        'a base64 body delivered with isBase64Encoded false',
        { ...base, body: Buffer.from(formBody(target.params)).toString('base64'), encoding: 'text' },
      ],
    ])('with %s', (_name, d) => {
      it('answers 403 with no TwiML and makes no Twilio request', async () => {
        // Arrange
        const handler = loadTarget(target);
        const event = delivery(d);
        // Act
        const response = await fx.output.during(() => handler(event));
        // Assert
        expectForbidden(response);
      });
    });

    it('answers 405 to the same signed parameters sent with GET, and does nothing', async () => {
      // Arrange: what a GET-configured webhook would carry: everything in the URL, no body.
      const query = [target.query, formBody(target.params)].filter(Boolean).join('&');
      const handler = loadTarget(target);
      const event = delivery({
        path: target.path,
        params: {},
        body: '',
        method: 'GET',
        rawQueryString: query,
        signedUrl: `https://${DOMAIN}${target.path}?${query}`,
      });
      // Act
      const response = await fx.output.during(() => handler(event));
      // Assert
      expect(response.statusCode).toBe(405);
      expect(response.body).not.toContain('<Response');
      expect(fx.stub.requests).toEqual([]);
    });

    describe('with a JSON body', () => {
      const json = JSON.stringify(target.params);
      const hash = getExpectedBodyHash(json);
      const query = [target.query, `bodySHA256=${hash}`].filter(Boolean).join('&');
      const jsonBase: Delivery = {
        path: target.path,
        params: {},
        body: json,
        contentType: 'application/json',
        encoding: 'text',
        rawQueryString: query,
        signedUrl: withQuery(`https://${DOMAIN}`, target.path, query),
        signedParams: {},
      };

      it('passes the signature check when bodySHA256 covers it, yet no form parameters are read from it', async () => {
        const handler = loadTarget(target);
        const response = await fx.output.during(() => handler(delivery(jsonBase)));
        expect(response.body).not.toBe('Forbidden: invalid Twilio signature');
        expect(response.body).not.toMatch(/<Conference|<Stream/);
        expect(fx.stub.requests).toEqual([]);
      });

      describe.each<[string, Delivery]>([
        ['a body changed after signing', { ...jsonBase, body: json.replace(/}$/, ',"Injected":"1"}') }],
        [
          'a body changed and bodySHA256 recomputed (signature stale)',
          {
            ...jsonBase,
            body: '{}',
            rawQueryString: [target.query, `bodySHA256=${getExpectedBodyHash('{}')}`].filter(Boolean).join('&'),
          },
        ],
        ['bodySHA256 removed', { ...jsonBase, rawQueryString: target.query }],
        [
          'bodySHA256 removed and the URL signed without it',
          {
            ...jsonBase,
            rawQueryString: target.query,
            signedUrl: withQuery(`https://${DOMAIN}`, target.path, target.query),
          },
        ],
        [
          'a form body passed off under a JSON body hash',
          {
            ...jsonBase,
            body: formBody(target.params),
            contentType: 'application/x-www-form-urlencoded',
            encoding: 'base64',
          },
        ],
      ])('and %s', (_name, d) => {
        it('answers 403 and does nothing', async () => {
          const handler = loadTarget(target);
          const response = await fx.output.during(() => handler(delivery(d)));
          expectForbidden(response);
        });
      });
    });
  });

  describe('raw query strings are verified exactly as received', () => {
    const target = TARGETS[1];
    describe.each([
      ['%20 for a space', 'caller=%2B15557654321&ticket=a%20b'],
      ['+ for a space', 'caller=%2B15557654321&ticket=a+b'],
      ['lower-case percent escapes', 'caller=%2b15557654321&ticket=%7e'],
      ['an unescaped tilde and apostrophe', "ticket=a~b'c"],
      ['UTF-8 escapes', 'customerId=Zo%C3%AB%E6%9D%B1'],
      ['a repeated name and an empty value', 'ticket=1&ticket=2&language='],
      ['a trailing ampersand', 'ticket=T-1&language=fr&'],
    ])('with %s', (_name, query) => {
      it('accepts the signature of that exact string (control)', async () => {
        const handler = loadTarget(target);
        const event = delivery({
          path: target.path,
          params: target.params,
          rawQueryString: query,
          signedUrl: `https://${DOMAIN}${target.path}?${query}`,
        });
        const response = await fx.output.during(() => handler(event));
        expect(response.statusCode).toBe(200);
        expect(response.body).toContain('<Stream');
      });

      it('refuses a signature over a re-encoded or reordered equivalent with 403', async () => {
        const handler = loadTarget(target);
        const reencoded = new URLSearchParams(query).toString();
        const reordered = query.split('&').reverse().join('&');
        const equivalent = reordered !== query ? reordered : reencoded !== query ? reencoded : `${query}&`;
        const event = delivery({
          path: target.path,
          params: target.params,
          rawQueryString: query,
          signedUrl: `https://${DOMAIN}${target.path}?${equivalent}`,
        });
        const response = await fx.output.during(() => handler(event));
        expectForbidden(response);
      });
    });
  });

  it("documents twilio's legacy-querystring fallback: a signature over the query without empty segments verifies, and the parameters read are the same", async () => {
    // twilio's validateRequest also tries the query re-serialised by node:querystring (same names, values and
    // order); only empty segments and encoding differences disappear, so the handler reads identical context.
    const target = TARGETS[1];
    const handler = loadTarget(target);
    const received = 'ticket=T-1&&language=fr&';
    const event = delivery({
      path: target.path,
      params: target.params,
      rawQueryString: received,
      signedUrl: `https://${DOMAIN}${target.path}?ticket=T-1&language=fr`,
    });
    const response = await fx.output.during(() => handler(event));
    expect(response.statusCode).toBe(200);
    expect(
      [...response.body.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g)].map(([, n, v]) => `${n}=${v}`),
    ).toEqual(['ticket=T-1', 'language=fr']);
  });

  describe('a retried participant-join delivery (same I-Twilio-Idempotency-Token)', () => {
    const target = TARGETS[3];
    const retried = () =>
      delivery({
        path: target.path,
        params: target.params,
        rawQueryString: target.query,
        signedUrl: withQuery(`https://${DOMAIN}`, target.path, target.query),
        headers: { 'i-twilio-idempotency-token': 'idem-0001-participant-join' },
      });

    it('adds the agent once; the second create gets 16026 from Twilio and counts as success', async () => {
      // Arrange
      const handler = loadTarget(target);
      // Act
      const first = await fx.output.during(() => handler(retried()));
      const second = await fx.output.during(() => handler(retried()));
      // Assert
      expect([first.statusCode, second.statusCode]).toEqual([204, 204]);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      const creates = fx.stub.requests.filter((r) => r.path.endsWith('/Participants.json'));
      expect(creates.map((r) => r.form.Label)).toEqual(['ai-agent', 'ai-agent']);
      const messages = fx.output.records().map((r) => r.message);
      expect(messages).toContain('agent added');
      expect(messages).toContain('agent already present');
      expect(
        fx.output
          .records()
          .filter((r) => r.message === 'agent already present')
          .every((r) => r.idempotencyToken === 'idem-0001-participant-join'),
      ).toBe(true);
    });

    it('adds the agent once when five deliveries race each other', async () => {
      const handler = loadTarget(target);
      const responses = await fx.output.during(() => Promise.all(Array.from({ length: 5 }, () => handler(retried()))));
      expect(responses.map((r) => r.statusCode)).toEqual([204, 204, 204, 204, 204]);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      expect(fx.output.records().filter((r) => r.message === 'agent already present')).toHaveLength(4);
    });

    it('adds the agent once when a retry crosses a new container (fresh handler state)', async () => {
      const first = await fx.output.during(() => loadTarget(target)(retried()));
      const second = await fx.output.during(() => loadTarget(target)(retried()));
      expect([first.statusCode, second.statusCode]).toEqual([204, 204]);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
    });
  });
});

describe('genuine deliveries carrying hostile caller data', () => {
  const fx = useConferenceFixture();

  describe.each<[string, string, Record<string, string>]>([
    [
      'a 600-character SIP caller ID',
      `caller=${encodeURIComponent(`sip:${'u'.repeat(580)}@pbx.example.com`)}&callerCallSid=${sid('CA', 1)}`,
      {},
    ],
    [
      'a caller ID with control characters',
      `caller=${encodeURIComponent('\u0000\u001b[2J+1555')}&callerCallSid=${sid('CA', 1)}`,
      {},
    ],
    ['a conference name over 499 characters', CALLER_QUERY, { FriendlyName: 'c'.repeat(520) }],
  ])('a participant-join whose context has %s', (_name, query, overrides) => {
    it('still adds the agent once, leaving the unsendable value out and logging its name', async () => {
      // Arrange
      const handler = load(
        'events',
        hardeningEnv({ TWILIO_API_BASE_URL: fx.stub.baseUrl, TWILIO_RETRY_BUDGET_MS: '0' }),
      );
      const params = conferenceEventParams('participant-join', overrides);
      const event = delivery({
        path: PATHS.events,
        params,
        rawQueryString: query,
        signedUrl: `https://${DOMAIN}${PATHS.events}?${query}`,
      });
      // Act
      const response = await fx.output.during(() => handler(event));
      // Assert
      expect(response.statusCode).toBe(204);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      const to = String(fx.world.labelled('ai-agent')[0].to);
      expect(Buffer.byteLength(to.slice(to.indexOf('?') + 1))).toBeLessThanOrEqual(800);
      expect(new URLSearchParams(to.slice(to.indexOf('?') + 1)).get('callerCallSid')).toBe(sid('CA', 1));
      const warning = fx.output
        .records()
        .find((r) => r.message === 'agent context values dropped (over Twilio limits)');
      expect(warning).toMatchObject({ level: 'warn', dropped: [expect.stringMatching(/^(caller|conference)$/)] });
    });
  });
});
