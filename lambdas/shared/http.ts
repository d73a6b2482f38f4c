/**
 * The one request parser: turns an API Gateway HTTP API (payload 2.0) event into a typed request once, and
 * builds the responses every handler returns.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A parsed HTTP API request. Header names are lowercase, as API Gateway delivers them. */
export interface HttpRequest {
  readonly method: string;
  readonly routeKey: string;
  readonly rawPath: string;
  /** The query string exactly as received, without the leading `?`. */
  readonly rawQueryString: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text, base64 decoded when API Gateway encoded it. */
  readonly body: string;
  readonly domainName: string;
  readonly stage: string;
  readonly requestId: string;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** Form parameters; a repeated name (e.g. StatusCallbackEvent) yields an array, as Twilio's validator expects. */
export type FormParams = Record<string, string | string[]>;

export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** Reads the parts of an HTTP API event the handlers use. */
export function parseEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const rawBody = event.body ?? '';
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    routeKey: event.routeKey ?? '',
    rawPath: event.rawPath ?? '/',
    rawQueryString: event.rawQueryString ?? '',
    headers,
    body: event.isBase64Encoded ? Buffer.from(rawBody, 'base64').toString('utf8') : rawBody,
    domainName: event.requestContext?.domainName ?? headers.host ?? '',
    stage: event.requestContext?.stage ?? '$default',
    requestId: event.requestContext?.requestId ?? '',
    pathParameters: Object.fromEntries(
      Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
  };
}

/** Parses an `application/x-www-form-urlencoded` string ('+' is a space, as in HTML forms). */
export function parseForm(text: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

/** The single value of a form parameter (the first, when repeated). */
export function formValue(params: FormParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A TwiML response. */
export function xmlResponse(xml: string, statusCode = 200): HttpResponse {
  return { statusCode, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: xml };
}

/** A JSON response. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** A response without a body. */
export function emptyResponse(statusCode: number): HttpResponse {
  return { statusCode, headers: {}, body: '' };
}

/** A plain-text response (for non-TwiML refusals such as 403). */
export function textResponse(statusCode: number, text: string): HttpResponse {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}
