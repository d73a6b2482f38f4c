/**
 * When a container fetches a secret again, and which of its versions a presented credential may match. Pure
 * decisions on timestamps (milliseconds); `secrets.ts` does the fetching.
 *
 * Why: a value cached for a container's life turns a rotated Twilio Auth Token into a stream of 403s until the
 * container dies. A bounded age picks a rotation up unprompted; a mismatch may force an early refetch, at most once
 * per interval so forged requests cannot turn into a Secrets Manager flood; and the version before the current one
 * (Secrets Manager's AWSPREVIOUS) stays valid for a grace period, so the store can be updated before Twilio
 * switches to the new token (see SECURITY.md, "Rotating the Twilio Auth Token").
 */

/** The cache's limits. */
export interface SecretCachePolicy {
  /** A cached value is used for at most this long, then fetched again. */
  readonly maxAgeMs: number;
  /** A mismatch refetches only when the last fetch (of any kind) started at least this long ago. */
  readonly minRefetchIntervalMs: number;
  /** The previous version is accepted only while the current one is younger than this. */
  readonly previousGraceMs: number;
}

/**
 * 5 minutes of age (a rotation reaches every warm container within that), one forced refetch per 5 s at most
 * (12 per minute per container under any flood), and a day for the operator to promote the new token at Twilio.
 */
export const DEFAULT_SECRET_CACHE_POLICY: SecretCachePolicy = {
  maxAgeMs: 5 * 60_000,
  minRefetchIntervalMs: 5_000,
  previousGraceMs: 24 * 60 * 60_000,
};

/** What made the resolver look at the cache: an ordinary read, or a credential that matched no cached value. */
export type CacheTrigger = 'read' | 'mismatch';

/**
 * Whether to fetch the secret now.
 * @param lastFetchAt when the last fetch started (undefined: never fetched successfully)
 * @param fetchedAt when the cached value was fetched (undefined: nothing cached)
 */
export function shouldFetch(
  trigger: CacheTrigger,
  now: number,
  cache: { readonly lastFetchAt?: number; readonly fetchedAt?: number },
  policy: SecretCachePolicy,
): boolean {
  const { lastFetchAt, fetchedAt } = cache;
  const sinceLastFetch = lastFetchAt === undefined ? Number.POSITIVE_INFINITY : now - lastFetchAt;
  if (fetchedAt === undefined) return true;
  // A failed refresh keeps the old value; retrying it is rate-limited like a mismatch, so an outage of Secrets
  // Manager costs one request per interval, not one per invocation.
  if (trigger === 'read') return now - fetchedAt >= policy.maxAgeMs && sinceLastFetch >= policy.minRefetchIntervalMs;
  return sinceLastFetch >= policy.minRefetchIntervalMs;
}

/** A secret as fetched: its current version and, when one exists, the version before it. */
export interface FetchedSecret {
  readonly current: string;
  /** When the current version was created (Secrets Manager's CreatedDate); unknown means no grace. */
  readonly currentCreatedAt?: number;
  readonly previous?: string;
}

/** The values a presented credential may match now: the current one, then the previous one within its grace. */
export function acceptedValues(secret: FetchedSecret, now: number, policy: SecretCachePolicy): readonly string[] {
  const inGrace =
    secret.previous !== undefined &&
    secret.previous !== secret.current &&
    secret.currentCreatedAt !== undefined &&
    now - secret.currentCreatedAt < policy.previousGraceMs;
  return inGrace ? [secret.current, secret.previous as string] : [secret.current];
}
