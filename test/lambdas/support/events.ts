/** Builds API Gateway HTTP API (payload 2.0) events as AWS delivers them, signed as Twilio signs them. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

export const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const APP_SID = `AP${'a'.repeat(32)}`;
export const DOMAIN = 'abc123.execute-api.us-east-1.amazonaws.com';

export interface RequestShape {
  method?: string;
  /** Route key, e.g. 'POST /twilio/voice/inbound'. */
  routeKey?: string;
  /** Path as requested, without the stage. */
  path: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  base64?: boolean;
  stage?: string;
  domainName?: string;
  pathParameters?: Record<string, string>;
}

/** An HTTP API event for a request (the stage, when named, is prefixed to rawPath as AWS does). */
export function apiGatewayEvent(shape: RequestShape): APIGatewayProxyEventV2 {
  const stage = shape.stage ?? '$default';
  const rawPath = stage === '$default' ? shape.path : `/${stage}${shape.path}`;
  const method = shape.method ?? 'POST';
  const headers = Object.fromEntries(Object.entries(shape.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const body = shape.body ?? '';
  return {
    version: '2.0',
    routeKey: shape.routeKey ?? `${method} ${shape.path}`,
    rawPath,
    rawQueryString: shape.rawQueryString ?? '',
    headers: { host: shape.domainName ?? DOMAIN, ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: shape.domainName ?? DOMAIN,
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'TwilioProxy/1.1' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: shape.routeKey ?? `${method} ${shape.path}`,
      stage,
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    pathParameters: shape.pathParameters,
    body: shape.base64 === false ? body : body === '' ? undefined : Buffer.from(body).toString('base64'),
    isBase64Encoded: shape.base64 !== false && body !== '',
  } as APIGatewayProxyEventV2;
}

export interface TwilioRequestShape extends Omit<RequestShape, 'body'> {
  params: Record<string, string | string[]>;
  /** The URL Twilio signs; defaults to https://<domain>[/<stage>]<path>[?query]. */
  signedUrl?: string;
  authToken?: string;
  /** Replace the computed signature (forgeries). null omits the header. */
  signature?: string | null;
}

/** Form-encodes params the way Twilio posts them. */
export function formBody(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
  return search.toString();
}

/** A webhook request from Twilio: form body (base64, as API Gateway encodes forms) and X-Twilio-Signature. */
export function twilioEvent(shape: TwilioRequestShape): APIGatewayProxyEventV2 {
  const stage = shape.stage ?? '$default';
  const domain = shape.domainName ?? DOMAIN;
  const url =
    shape.signedUrl ??
    `https://${domain}${stage === '$default' ? '' : `/${stage}`}${shape.path}${shape.rawQueryString ? `?${shape.rawQueryString}` : ''}`;
  const signature =
    shape.signature === undefined
      ? getExpectedTwilioSignature(shape.authToken ?? AUTH_TOKEN, url, shape.params)
      : shape.signature;
  return apiGatewayEvent({
    ...shape,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'i-twilio-idempotency-token': `idem-${Math.random().toString(36).slice(2)}`,
      ...(signature !== null && { 'x-twilio-signature': signature }),
      ...shape.headers,
    },
    body: formBody(shape.params),
  });
}

/** A SID of the given prefix with a 32-hex-digit tail derived from `n`. */
export function sid(prefix: string, n: number): string {
  return prefix + n.toString(16).padStart(32, '0');
}

/** Twilio's call parameters for a voice webhook. */
export function callParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: sid('CA', 1),
    CallStatus: 'ringing',
    Called: '+15550001111',
    Caller: '+15557654321',
    Direction: 'inbound',
    From: '+15557654321',
    To: '+15550001111',
    ...overrides,
  };
}

/**
 * A conference status callback's form parameters, as Twilio sends them for the caller (`CA…1`) of conference
 * `conf-CA…1` (`CF…5`).
 */
export function conferenceEventParams(event: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ConferenceSid: sid('CF', 5),
    FriendlyName: `conf-${sid('CA', 1)}`,
    SequenceNumber: '2',
    Timestamp: 'Tue, 24 Nov 2026 02:00:00 +0000',
    StatusCallbackEvent: event,
    CallSid: sid('CA', 1),
    ParticipantLabel: 'caller',
    Muted: 'false',
    Hold: 'false',
    Coaching: 'false',
    EndConferenceOnExit: 'true',
    StartConferenceOnEnter: 'true',
    ...overrides,
  };
}

/** The environment every handler needs, plus overrides. */
export function baseEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWIML_APP_SID: APP_SID,
    AGENT_FROM_NUMBER: '+15550001111',
    AGENT_STREAM_URL: 'wss://agent.example.com/media',
    PARTICIPANTS_API_TOKEN: 'api-token-abcdefghijklmnopqrstuvwxyz',
    LOG_LEVEL: 'error',
    ...overrides,
  };
}

/** A handler's response as the tests read it. */
export interface HandlerResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
export type TestHandler = (event: APIGatewayProxyEventV2) => Promise<HandlerResponse>;

/**
 * Loads a handler module afresh with `env` as the whole process environment, as a new Lambda container would
 * (configuration is read once per container).
 */
export function loadHandler(modulePath: string, env: Record<string, string>): TestHandler {
  process.env = { ...env };
  let handler!: TestHandler;
  jest.isolateModules(() => {
    handler = require(modulePath).handler;
  });
  return handler;
}
