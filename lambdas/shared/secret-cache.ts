/**
 * When a container fetches a secret again, and which of its versions a presented credential may match. Pure
 * decisions on timestamps (milliseconds); `secrets.ts` does the fetching.
 *
 * Why: a value cached for a container's life turns a rotated Twilio Auth Token into a stream of 403s until the
 * container dies. A bounded age picks a rotation up unprompted; a mismatch forces an early refetch, at most one per
 * interval so forged requests cannot turn into a Secrets Manager flood, and a mismatch inside the interval waits
 * for that next refetch instead of being refused (a genuine request signed with a just-promoted token is then
 * accepted, a forged one is refused after at most the interval); and the version before the current one
 * (Secrets Manager's AWSPREVIOUS) stays valid for a grace period, so the store can be updated before Twilio
 * switches to the new token (see SECURITY.md, "Rotating the Twilio Auth Token").
 */

/** The cache's limits. */
export interface SecretCachePolicy {
  /** A cached value is used for at most this long, then fetched again. */
  readonly maxAgeMs: number;
  /**
   * Fetches started for mismatches are at least this far apart (measured from the last fetch of any kind); a
   * mismatch that comes sooner waits for the next one. Keep it well under the shortest function timeout (5 s).
   */
  readonly minRefetchIntervalMs: number;
  /** The previous version is accepted only while the current one is younger than this. */
  readonly previousGraceMs: number;
}

/**
 * 5 minutes of age (a rotation reaches every warm container within that), one forced refetch per second at most
 * (60 a minute per container under any flood, a forged request held at most ~1 s; a genuine one after a promotion
 * waits at most as long), and a day for the operator to promote the new token at Twilio.
 */
export const DEFAULT_SECRET_CACHE_POLICY: SecretCachePolicy = {
  maxAgeMs: 5 * 60_000,
  minRefetchIntervalMs: 1_000,
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

/**
 * How long a mismatch waits before its refetch may start: 0 when the last fetch started at least the interval ago
 * (or never), else the rest of the interval.
 */
export function mismatchRefetchDelay(now: number, lastFetchAt: number | undefined, policy: SecretCachePolicy): number {
  if (lastFetchAt === undefined) return 0;
  return Math.max(0, lastFetchAt + policy.minRefetchIntervalMs - now);
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
