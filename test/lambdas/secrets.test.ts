/**
 * The secret cache: the pure decisions (when to fetch, which versions count) as tables, and the resolver over a
 * scripted fetcher and clock (its waits step the clock): bounded age, one paced refetch on a mismatch that waiting
 * mismatches share, the previous version during its grace, a failed refresh keeping the old value.
 */
import {
  acceptedValues,
  type CacheTrigger,
  DEFAULT_SECRET_CACHE_POLICY,
  mismatchRefetchDelay,
  type SecretCachePolicy,
  shouldFetch,
} from '../../lambdas/shared/secret-cache';
import {
  fetchFromSecretsManager,
  SecretError,
  SecretResolver,
  type SecretVersion,
  secretsManagerEndpoint,
  type VersionStage,
} from '../../lambdas/shared/secrets';
import { SecretsManagerEmulator } from '../../sandbox/aws/secrets-manager';

const POLICY: SecretCachePolicy = { maxAgeMs: 300_000, minRefetchIntervalMs: 5_000, previousGraceMs: 86_400_000 };
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-auth-token-AbCdEf';
const SOURCE = { kind: 'aws-secret', arn: ARN } as const;

describe('shouldFetch', () => {
  describe.each<[string, CacheTrigger, number, { lastFetchAt?: number; fetchedAt?: number }, boolean]>([
    ['a read with nothing cached', 'read', 1_000, {}, true],
    ['a read with nothing cached right after a failed fetch', 'read', 1_000, { lastFetchAt: 999 }, true],
    ['a read of a value fetched 1 s ago', 'read', 1_000, { lastFetchAt: 0, fetchedAt: 0 }, false],
    [
      'a read of a value one millisecond short of the maximum age',
      'read',
      299_999,
      { lastFetchAt: 0, fetchedAt: 0 },
      false,
    ],
    ['a read of a value exactly at the maximum age', 'read', 300_000, { lastFetchAt: 0, fetchedAt: 0 }, true],
    [
      'a read of an old value whose refresh failed 1 s ago',
      'read',
      400_000,
      { lastFetchAt: 399_000, fetchedAt: 0 },
      false,
    ],
    [
      'a read of an old value whose refresh failed 5 s ago',
      'read',
      404_000,
      { lastFetchAt: 399_000, fetchedAt: 0 },
      true,
    ],
    ['a mismatch 4.999 s after the last fetch', 'mismatch', 4_999, { lastFetchAt: 0, fetchedAt: 0 }, false],
    ['a mismatch 5 s after the last fetch', 'mismatch', 5_000, { lastFetchAt: 0, fetchedAt: 0 }, true],
    ['a mismatch with nothing cached', 'mismatch', 0, {}, true],
  ])('%s', (_name, trigger, now, cache, expected) => {
    it(`${expected ? 'fetches' : 'uses the cache'}`, () => {
      expect(shouldFetch(trigger, now, cache, POLICY)).toBe(expected);
    });
  });
});

describe('mismatchRefetchDelay', () => {
  describe.each<[string, number, number | undefined, number]>([
    ['never fetched', 0, undefined, 0],
    ['the last fetch started 1 ms ago', 1_001, 1_000, 4_999],
    ['the last fetch started 4.999 s ago', 5_999, 1_000, 1],
    ['the last fetch started exactly one interval ago', 6_000, 1_000, 0],
    ['the last fetch started long ago', 600_000, 1_000, 0],
  ])('when %s', (_name, now, lastFetchAt, expected) => {
    it(`waits ${expected} ms`, () => {
      expect(mismatchRefetchDelay(now, lastFetchAt, POLICY)).toBe(expected);
    });
  });
});

describe('acceptedValues', () => {
  const day = POLICY.previousGraceMs;
  describe.each<[string, { previous?: string; currentCreatedAt?: number }, number, string[]]>([
    ['no previous version', { currentCreatedAt: 0 }, 1_000, ['new']],
    ['a previous version, current created 1 s ago', { previous: 'old', currentCreatedAt: 0 }, 1_000, ['new', 'old']],
    [
      'a previous version, current created a day minus 1 ms ago',
      { previous: 'old', currentCreatedAt: 0 },
      day - 1,
      ['new', 'old'],
    ],
    ['a previous version, current created a day ago', { previous: 'old', currentCreatedAt: 0 }, day, ['new']],
    ['a previous version, creation date unknown', { previous: 'old' }, 1_000, ['new']],
    ['a previous version equal to the current one', { previous: 'new', currentCreatedAt: 0 }, 1_000, ['new']],
  ])('with %s', (_name, secret, now, expected) => {
    it(`accepts ${expected.join(' and ')}`, () => {
      expect(acceptedValues({ current: 'new', ...secret }, now, POLICY)).toEqual(expected);
    });
  });

  it('gives operators a day to promote the new token at Twilio by default', () => {
    expect(DEFAULT_SECRET_CACHE_POLICY.previousGraceMs).toBeGreaterThanOrEqual(86_400_000);
  });
});

/** A Secrets Manager stand-in: versions by stage, a request log, and scripted failures. */
class ScriptedStore {
  current: SecretVersion = { value: 'token-1', createdAt: 0 };
  previous?: SecretVersion;
  failing = false;
  readonly requests: VersionStage[] = [];

  /** Stores a new value: AWSCURRENT moves to it and AWSPREVIOUS to the old one, as PutSecretValue does. */
  put(value: string, createdAt: number): void {
    this.previous = this.current;
    this.current = { value, createdAt };
  }

  readonly fetch = async (arn: string, stage: VersionStage): Promise<SecretVersion | undefined> => {
    expect(arn).toBe(ARN);
    this.requests.push(stage);
    if (this.failing) throw new Error('Secrets Manager unreachable (ECONNRESET)');
    return stage === 'AWSCURRENT' ? this.current : this.previous;
  };
}

describe('SecretResolver', () => {
  let store: ScriptedStore;
  let now: number;
  let resolver: SecretResolver;
  /** Every wait the resolver asked for; each steps the clock by its length. */
  let waits: number[];
  const matches = (presented: string) => (candidates: readonly string[]) => candidates.includes(presented);

  beforeEach(() => {
    store = new ScriptedStore();
    now = 1_000_000;
    waits = [];
    resolver = new SecretResolver(
      store.fetch,
      POLICY,
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
  });

  it('when read within the maximum age, it fetches once (current and previous) and serves the cache', async () => {
    await resolver.resolve(SOURCE);
    now += POLICY.maxAgeMs - 1;
    const value = await resolver.resolve(SOURCE);
    expect(value).toBe('token-1');
    expect(store.requests).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('when the cached value reaches the maximum age, the next read picks up a rotation without any mismatch', async () => {
    await resolver.resolve(SOURCE);
    store.put('token-2', now);
    now += POLICY.maxAgeMs;
    expect(await resolver.resolve(SOURCE)).toBe('token-2');
  });

  it('when a credential matches no cached value, it refetches once and accepts the rotated value', async () => {
    // Arrange: cached token-1; the store moves on to token-2 and the far side presents token-2.
    await resolver.resolve(SOURCE);
    store.put('token-2', now);
    now += POLICY.minRefetchIntervalMs;
    // Act
    const ok = await resolver.verify(SOURCE, matches('token-2'));
    // Assert
    expect(ok).toBe(true);
    expect(store.requests).toHaveLength(4);
    expect(await resolver.accepted(SOURCE)).toEqual(['token-2', 'token-1']);
  });

  it('when a credential signed with a just-stored value arrives inside the interval, it waits for the next fetch and is accepted', async () => {
    // Arrange: fetched 1 ms ago (token-1); the store moves on to token-2, which the far side now presents.
    await resolver.resolve(SOURCE);
    store.put('token-2', now);
    now += 1;
    // Act
    const ok = await resolver.verify(SOURCE, matches('token-2'));
    // Assert: accepted after waiting out the rest of the interval, with one more read round.
    expect(ok).toBe(true);
    expect(waits).toEqual([POLICY.minRefetchIntervalMs - 1]);
    expect(store.requests).toHaveLength(4);
  });

  it('when many mismatches arrive together, they share one refetch', async () => {
    await resolver.resolve(SOURCE);
    now += 1;
    const results = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => resolver.verify(SOURCE, matches(`forged-${i}`))),
    );
    expect(results.every((r) => r === false)).toBe(true);
    expect(store.requests).toHaveLength(4);
    expect(waits).toHaveLength(1);
  });

  it('when a refetch is waiting out the interval, a valid credential is checked against the cache without waiting', async () => {
    // Arrange: a wait that lasts until the test releases it.
    let release = () => {};
    const held = new SecretResolver(
      store.fetch,
      POLICY,
      () => now,
      () => new Promise((r) => (release = r)),
    );
    await held.resolve(SOURCE);
    now += 1;
    const forged = held.verify(SOURCE, matches('forged'));
    // Act
    const genuine = await held.verify(SOURCE, matches('token-1'));
    // Assert: answered while the forged request's refetch is still waiting.
    expect(genuine).toBe(true);
    expect(store.requests).toHaveLength(2);
    release();
    expect(await forged).toBe(false);
    expect(store.requests).toHaveLength(4);
  });

  it('when forged credentials keep coming one after another, it refetches at most once per interval', async () => {
    // Arrange
    await resolver.resolve(SOURCE);
    const started = now;
    // Act: a forgery every millisecond of the clock for 60 s (each one waiting its turn).
    let forged = 0;
    while (now - started < 60_000) {
      now += 1;
      expect(await resolver.verify(SOURCE, matches(`forged-${forged++}`))).toBe(false);
    }
    // Assert: the cold fetch plus at most one per interval, two GetSecretValue requests each.
    expect(store.requests.length / 2).toBeLessThanOrEqual(1 + Math.ceil((now - started) / POLICY.minRefetchIntervalMs));
    expect(waits.every((ms) => ms <= POLICY.minRefetchIntervalMs)).toBe(true);
  });

  it('when the previous version is within its grace, both are accepted; after it, only the current one', async () => {
    store.put('token-2', now);
    expect(await resolver.verify(SOURCE, matches('token-1'))).toBe(true);
    now += POLICY.previousGraceMs;
    expect(await resolver.verify(SOURCE, matches('token-1'))).toBe(false);
    expect(await resolver.verify(SOURCE, matches('token-2'))).toBe(true);
  });

  it('when a refresh fails, it keeps serving the cached value and retries only after the interval', async () => {
    await resolver.resolve(SOURCE);
    store.failing = true;
    now += POLICY.maxAgeMs;
    expect(await resolver.resolve(SOURCE)).toBe('token-1');
    const afterFailure = store.requests.length;
    now += POLICY.minRefetchIntervalMs - 1;
    expect(await resolver.resolve(SOURCE)).toBe('token-1');
    expect(store.requests).toHaveLength(afterFailure);
    store.failing = false;
    store.put('token-2', now);
    now += 1;
    expect(await resolver.resolve(SOURCE)).toBe('token-2');
  });

  it('when the first fetch fails, it throws and the next call tries again', async () => {
    store.failing = true;
    await expect(resolver.resolve(SOURCE)).rejects.toThrow('ECONNRESET');
    store.failing = false;
    expect(await resolver.resolve(SOURCE)).toBe('token-1');
  });

  it('when many requests arrive together on a cold container, they share one fetch', async () => {
    const values = await Promise.all(Array.from({ length: 20 }, () => resolver.resolve(SOURCE)));
    expect(new Set(values)).toEqual(new Set(['token-1']));
    expect(store.requests).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('when Twilio refused our credential and the secret changed, refresh says so; unchanged, it says not', async () => {
    await resolver.resolve(SOURCE);
    now += POLICY.minRefetchIntervalMs;
    expect(await resolver.refresh(SOURCE)).toBe(false);
    store.put('token-2', now);
    now += POLICY.minRefetchIntervalMs;
    expect(await resolver.refresh(SOURCE)).toBe(true);
    expect(await resolver.resolve(SOURCE)).toBe('token-2');
  });

  it('a value given directly is the only accepted value and is never fetched', async () => {
    const direct = { kind: 'value', value: 'local-token' } as const;
    expect(await resolver.accepted(direct)).toEqual(['local-token']);
    expect(await resolver.verify(direct, matches('other'))).toBe(false);
    expect(await resolver.refresh(direct)).toBe(false);
    expect(store.requests).toEqual([]);
  });
});

describe('fetchFromSecretsManager against a local Secrets Manager (real HTTP, SigV4 checked by the store)', () => {
  const saved = { ...process.env };
  let store: SecretsManagerEmulator;

  beforeEach(async () => {
    store = await new SecretsManagerEmulator().start();
    Object.assign(process.env, store.functionEnvironment());
  });
  afterEach(async () => {
    process.env = { ...saved };
    await store.stop();
  });

  it('when the secret was never rotated, it reads AWSCURRENT with its creation date and finds no AWSPREVIOUS', async () => {
    const arn = store.createSecret('auth-token', 'first-value');
    const current = await fetchFromSecretsManager(arn, 'AWSCURRENT');
    const previous = await fetchFromSecretsManager(arn, 'AWSPREVIOUS');
    expect(current?.value).toBe('first-value');
    expect(Math.abs((current?.createdAt ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(previous).toBeUndefined();
    expect(store.requests.map((r) => [r.versionStage, r.status])).toEqual([
      ['AWSCURRENT', 200],
      ['AWSPREVIOUS', 400],
    ]);
  });

  it('after PutSecretValue, AWSCURRENT is the new value and AWSPREVIOUS the old one', async () => {
    const arn = store.createSecret('auth-token', 'first-value');
    store.putSecretValue(arn, 'second-value');
    expect((await fetchFromSecretsManager(arn, 'AWSCURRENT'))?.value).toBe('second-value');
    expect((await fetchFromSecretsManager(arn, 'AWSPREVIOUS'))?.value).toBe('first-value');
  });

  it('when the signing key is wrong, it fails naming the AWS error type and never the value', async () => {
    const arn = store.createSecret('auth-token', 'first-value');
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-key';
    const failure = fetchFromSecretsManager(arn, 'AWSCURRENT');
    await expect(failure).rejects.toThrow('Secrets Manager refused GetSecretValue (400 InvalidSignatureException)');
    await expect(failure).rejects.not.toThrow('first-value');
  });

  describe.each([
    ['a plain-http endpoint that is not loopback', 'http://secrets.example.com'],
    ['no URL', 'secretsmanager'],
  ])('with AWS_ENDPOINT_URL_SECRETS_MANAGER set to %s', (_name, endpoint) => {
    it('refuses to send the request', () => {
      expect(() => secretsManagerEndpoint('us-east-1', { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint })).toThrow(
        SecretError,
      );
    });
  });

  it('without an endpoint override, it calls the regional https endpoint of the ARN', () => {
    expect(secretsManagerEndpoint('eu-west-1', {}).href).toBe('https://secretsmanager.eu-west-1.amazonaws.com/');
  });
});
