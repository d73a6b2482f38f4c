/**
 * What a straightforward handler written against the whole `twilio` SDK needs from an API Gateway v2 event:
 * the decoded body, the URL Twilio signed, and response helpers. Kept as plain as such a handler would be.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The response shape every baseline returns. */
export interface NaiveResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The request body as text (API Gateway base64-encodes form posts). */
export function bodyOf(event: APIGatewayProxyEventV2): string {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/** Form params as twilio.validateRequest expects them (last value wins: a naive handler does not care). */
export function formOf(event: APIGatewayProxyEventV2): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(bodyOf(event)));
}

/** The URL Twilio signed: https://<domain><rawPath>[?rawQueryString]. */
export function signedUrlOf(event: APIGatewayProxyEventV2): string {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return `https://${event.requestContext.domainName}${event.rawPath}${query}`;
}

/** A text/xml answer. */
export function xml(body: string): NaiveResponse {
  return { statusCode: 200, headers: { 'content-type': 'text/xml' }, body };
}

/** A plain answer with a status. */
export function status(statusCode: number, body = ''): NaiveResponse {
  return { statusCode, headers: { 'content-type': 'text/plain' }, body };
}
