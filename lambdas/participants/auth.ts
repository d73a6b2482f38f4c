/** Bearer-token check of the participants API. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a request is not authorised; the message is safe to return. */
export type AuthFailure = 'missing' | 'malformed' | 'wrong' | 'in-query';

/** Reads the presented bearer token, or why there is none usable. */
export function readBearerToken(
  headers: Readonly<Record<string, string>>,
  rawQueryString: string,
): { readonly token: string } | { readonly failure: Exclude<AuthFailure, 'wrong'> } {
  // A token in the URL ends up in access logs and proxies: refused even next to a valid header, so the
  // client notices and stops sending it.
  const query = new URLSearchParams(rawQueryString);
  if (query.has('token') || query.has('access_token') || query.has('api_key')) return { failure: 'in-query' };
  const header = headers.authorization;
  if (header === undefined) return { failure: 'missing' };
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header.trim());
  if (!match) return { failure: 'malformed' };
  return { token: match[1] };
}

/**
 * Whether `given` equals one of `expected` (the current token, and the previous one during a rotation), in
 * constant time per candidate: both sides are hashed to equal length first, so neither a token's length nor its
 * prefix leaks through timing, and every candidate is compared.
 */
export function tokenMatches(given: string, expected: readonly string[]): boolean {
  const givenDigest = createHash('sha256').update(given).digest();
  let matched = false;
  for (const candidate of expected) {
    const wanted = createHash('sha256').update(candidate).digest();
    matched = timingSafeEqual(givenDigest, wanted) || matched;
  }
  return matched;
}

export const AUTH_MESSAGES: Record<AuthFailure, string> = {
  missing: 'Missing Authorization header (expected: Authorization: Bearer <token>)',
  malformed: 'Malformed Authorization header (expected: Authorization: Bearer <token>)',
  wrong: 'Invalid token',
  'in-query': 'Send the token in the Authorization header, not in the query string',
};
