/** Bearer-token check of the participants API. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a request is not authorised; the message is safe to return. */
export type AuthFailure = 'missing' | 'malformed' | 'wrong' | 'in-query';

/**
 * Checks `Authorization: Bearer <token>` in constant time (both sides are hashed to equal length first, so
 * neither the token's length nor its prefix leaks through timing).
 */
export function checkBearerToken(
  headers: Readonly<Record<string, string>>,
  rawQueryString: string,
  expected: string,
): AuthFailure | undefined {
  // A token in the URL ends up in access logs and proxies: refused even next to a valid header, so the
  // client notices and stops sending it.
  const query = new URLSearchParams(rawQueryString);
  if (query.has('token') || query.has('access_token') || query.has('api_key')) return 'in-query';
  const header = headers.authorization;
  if (header === undefined) return 'missing';
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header.trim());
  if (!match) return 'malformed';
  const given = createHash('sha256').update(match[1]).digest();
  const wanted = createHash('sha256').update(expected).digest();
  return timingSafeEqual(given, wanted) ? undefined : 'wrong';
}

export const AUTH_MESSAGES: Record<AuthFailure, string> = {
  missing: 'Missing Authorization header (expected: Authorization: Bearer <token>)',
  malformed: 'Malformed Authorization header (expected: Authorization: Bearer <token>)',
  wrong: 'Invalid token',
  'in-query': 'Send the token in the Authorization header, not in the query string',
};
