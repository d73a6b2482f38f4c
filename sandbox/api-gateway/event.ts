/**
 * API Gateway HTTP API (payload format 2.0) as AWS builds it: the event a Lambda receives for an HTTP request,
 * and the HTTP response AWS makes of what the Lambda returns. Pure, so it is table-tested.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** An HTTP request as the emulator's server received it. */
export interface IncomingRequest {
  readonly method: string;
  /** Path and query exactly as sent (`req.url`). */
  readonly url: string;
  /** Raw header pairs as sent ([name, value, name, value, ...]). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** Where the request was routed. */
export interface RouteMatch {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

/** AWS delivers these content types as text; every other body arrives base64-encoded. */
const TEXT_TYPES = [/^text\//i, /^application\/(json|xml|javascript)\b/i, /\+(json|xml)\b/i];

/** Whether AWS would base64-encode a body of this content type (form posts are). */
export function isBinaryContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return !TEXT_TYPES.some((p) => p.test(contentType));
}

/**
 * The payload 2.0 event: lowercased header names (repeated headers comma-joined), `rawPath` and `rawQueryString`
 * exactly as sent, decoded `queryStringParameters`, cookies split out, body base64-encoded unless text.
 */
export function toApiGatewayEvent(
  request: IncomingRequest,
  match: RouteMatch,
  api: { readonly apiId: string; readonly domainName: string },
  now = new Date(),
): APIGatewayProxyEventV2 {
  const questionMark = request.url.indexOf('?');
  const rawPath = questionMark === -1 ? request.url : request.url.slice(0, questionMark);
  const rawQueryString = questionMark === -1 ? '' : request.url.slice(questionMark + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase();
    const value = request.rawHeaders[i + 1];
    if (name === 'cookie') cookies = [...(cookies ?? []), ...value.split(/;\s*/)];
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString !== '') {
    queryStringParameters = {};
    for (const [k, v] of new URLSearchParams(rawQueryString))
      queryStringParameters[k] = queryStringParameters[k] === undefined ? v : `${queryStringParameters[k]},${v}`;
  }
  const hasBody = request.body.length > 0;
  const binary = isBinaryContentType(headers['content-type']);
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: api.apiId,
      domainName: api.domainName,
      domainPrefix: api.domainName.split('.')[0],
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    ...(hasBody ? { body: binary ? request.body.toString('base64') : request.body.toString('utf8') } : {}),
    isBase64Encoded: hasBody && binary,
  } as APIGatewayProxyEventV2;
}

/** An HTTP response. */
export interface OutgoingResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/**
 * The HTTP response AWS makes of a Lambda result (payload 2.0): a result with `statusCode` is used as given; any
 * other value becomes a 200 JSON body.
 */
export function fromLambdaResult(result: unknown): OutgoingResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const r = result as {
      statusCode: number;
      headers?: Record<string, string | number | boolean>;
      body?: string;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const headers: Record<string, string | string[]> = Object.fromEntries(
      Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    if (r.cookies?.length) headers['set-cookie'] = r.cookies;
    const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
    return { status: r.statusCode, headers, body };
  }
  const body = Buffer.from(typeof result === 'string' ? result : JSON.stringify(result ?? null));
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

/** What AWS answers when the function fails or times out. */
export const INTERNAL_ERROR: OutgoingResponse = {
  status: 500,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{"message":"Internal Server Error"}'),
};
/** What AWS answers when no route matches. */
export const NOT_FOUND: OutgoingResponse = {
  status: 404,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from('{"message":"Not Found"}'),
};
