/**
 * Resolves secrets: a value given directly (local runs) or an AWS Secrets Manager secret (deployed). Fetched
 * values are cached with a bounded age and refetched early (one refetch per interval, shared by every waiting
 * request) when a presented credential matches none of them; during a rotation the previous version stays valid for a grace period (`secret-cache.ts`). The
 * AWS call is a single signed HTTPS request, so handlers stay free of the AWS SDK and its cold-start cost.
 */
import { sharedAcrossBundles } from './bundle-sharing';
import type http from 'node:http';
import type https from 'node:https';
import type aws4 from 'aws4';
import type { SecretSource } from './config';
import {
  acceptedValues,
  type CacheTrigger,
  DEFAULT_SECRET_CACHE_POLICY,
  type FetchedSecret,
  mismatchRefetchDelay,
  type SecretCachePolicy,
  shouldFetch,
} from './secret-cache';

/** A version of a secret: the value and when it was created (epoch ms, when known). */
export interface SecretVersion {
  readonly value: string;
  readonly createdAt?: number;
}

/** The staging labels Secrets Manager moves on every new value. */
export type VersionStage = 'AWSCURRENT' | 'AWSPREVIOUS';

/**
 * Fetches one version of a secret by ARN and staging label; resolves undefined when the secret has no version
 * with that label (a secret that was never rotated has no AWSPREVIOUS). Replaceable in tests.
 */
export type SecretFetcher = (arn: string, stage: VersionStage) => Promise<SecretVersion | undefined>;

/** Thrown when a secret cannot be read; says which ARN's region/name failed, never a value. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

function regionOf(arn: string): string {
  return arn.split(':')[3];
}

/**
 * The Secrets Manager endpoint: `https://secretsmanager.<region>.amazonaws.com`, or the one in
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` (the AWS SDKs' service-specific endpoint variable; the sandbox points it at
 * its local Secrets Manager). Plain http is accepted only for a loopback host.
 */
export function secretsManagerEndpoint(region: string, env: Readonly<Record<string, string | undefined>>): URL {
  const configured = env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  if (configured === undefined || configured === '') return new URL(`https://secretsmanager.${region}.amazonaws.com`);
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new SecretError('AWS_ENDPOINT_URL_SECRETS_MANAGER is not an absolute URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SecretError('AWS_ENDPOINT_URL_SECRETS_MANAGER must be https (http only for a loopback host)');
  }
  return url;
}

/** Calls Secrets Manager `GetSecretValue` with the Lambda role's credentials from the environment. */
export const fetchFromSecretsManager: SecretFetcher = (arn, stage) => {
  // Loaded on the first fetch, not at module load: node:https and aws4 cost ~5 ms of every cold start.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const signer = require('aws4') as typeof aws4;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const region = regionOf(arn);
  const endpoint = secretsManagerEndpoint(region, process.env);
  const body = JSON.stringify({ SecretId: arn, VersionStage: stage });
  const request = signer.sign(
    {
      host: endpoint.host,
      path: '/',
      method: 'POST',
      service: 'secretsmanager',
      region,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      body,
    },
    {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  );
  const transport =
    endpoint.protocol === 'http:'
      ? (require('node:http') as typeof http).request
      : (require('node:https') as typeof https).request;
  return new Promise((resolve, reject) => {
    const options = { ...request, hostname: endpoint.hostname, port: endpoint.port || undefined, timeout: 3000 };
    const req = transport(options as https.RequestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          let type = 'unknown error';
          try {
            type = String(JSON.parse(text).__type ?? type);
          } catch {
            /* keep the generic description */
          }
          // No version carries the label (GetSecretValue's documented answer): nothing to accept, not a failure.
          if (stage === 'AWSPREVIOUS' && res.statusCode === 400 && /ResourceNotFoundException$/.test(type)) {
            resolve(undefined);
            return;
          }
          reject(new SecretError(`Secrets Manager refused GetSecretValue (${res.statusCode} ${type})`));
          return;
        }
        try {
          const parsed = JSON.parse(text) as { SecretString?: string; CreatedDate?: number };
          if (typeof parsed.SecretString !== 'string') throw new Error('no SecretString');
          // CreatedDate is epoch seconds (with a fraction) in the JSON protocol.
          const createdAt = typeof parsed.CreatedDate === 'number' ? Math.round(parsed.CreatedDate * 1000) : undefined;
          resolve({ value: parsed.SecretString, createdAt });
        } catch {
          reject(new SecretError('Secrets Manager answered without a SecretString'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new SecretError('Secrets Manager did not answer within 3 s')));
    req.on('error', (e) =>
      reject(
        e instanceof SecretError
          ? e
          : new SecretError(`Secrets Manager unreachable (${(e as NodeJS.ErrnoException).code ?? 'network error'})`),
      ),
    );
    req.end(body);
  });
};

interface CacheEntry {
  secret?: FetchedSecret;
  fetchedAt?: number;
  /** When the last fetch started, or when the scheduled one will. */
  lastFetchAt?: number;
  /** The fetch running or scheduled now; every caller that needs one shares it. */
  inFlight?: Promise<FetchedSecret>;
}

/** Waits `ms` milliseconds; replaceable in tests, which step a clock instead. */
export type Wait = (ms: number) => Promise<void>;

const realWait: Wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves secret sources with a bounded cache (see `secret-cache.ts`). A failed first fetch is not cached, so the
 * next invocation tries again; a failed refresh keeps serving the value it has.
 */
export class SecretResolver {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly fetcher: SecretFetcher = fetchFromSecretsManager,
    private readonly policy: SecretCachePolicy = DEFAULT_SECRET_CACHE_POLICY,
    private readonly now: () => number = Date.now,
    private readonly wait: Wait = realWait,
  ) {}

  /** The secret's current value (what this side presents, e.g. a REST credential). */
  async resolve(source: SecretSource): Promise<string> {
    if (source.kind === 'value') return source.value;
    return (await this.load(source.arn, 'read')).current;
  }

  /** The values a credential presented to us may match now: the current one, and the previous one in its grace. */
  async accepted(source: SecretSource): Promise<readonly string[]> {
    if (source.kind === 'value') return [source.value];
    return acceptedValues(await this.load(source.arn, 'read'), this.now(), this.policy);
  }

  /**
   * Checks a presented credential against the accepted values; on a mismatch, fetches the secret again and checks
   * once more. Refetches are at most one per `minRefetchIntervalMs`: a mismatch inside the interval waits for the
   * next one (shared with every other waiting mismatch) rather than being refused on a value that may be stale.
   * `matches` gets the candidate values.
   */
  async verify(source: SecretSource, matches: (candidates: readonly string[]) => boolean): Promise<boolean> {
    if (matches(await this.accepted(source))) return true;
    if (source.kind === 'value') return false;
    const before = this.cache.get(source.arn)?.secret;
    const after = await this.load(source.arn, 'mismatch');
    if (after === before) return false;
    return matches(acceptedValues(after, this.now(), this.policy));
  }

  /**
   * After the far side refused the current value (Twilio answering 401 to our REST credential): fetches the secret
   * again (paced like a mismatch); true when the current value changed, so a retry can succeed.
   */
  async refresh(source: SecretSource): Promise<boolean> {
    if (source.kind === 'value') return false;
    const before = this.cache.get(source.arn)?.secret?.current;
    return (await this.load(source.arn, 'mismatch')).current !== before;
  }

  private async load(arn: string, trigger: CacheTrigger): Promise<FetchedSecret> {
    let entry = this.cache.get(arn);
    if (!entry) {
      entry = {};
      this.cache.set(arn, entry);
    }
    if (trigger === 'read' && entry.secret) {
      // A fetch already on its way (perhaps waiting out the interval) is not waited for: the cached value serves.
      if (entry.inFlight || !shouldFetch('read', this.now(), entry, this.policy)) return entry.secret;
    }
    if (entry.inFlight) return entry.inFlight;
    const delay = entry.secret ? mismatchRefetchDelay(this.now(), entry.lastFetchAt, this.policy) : 0;
    return this.startFetch(arn, entry, delay);
  }

  private startFetch(arn: string, target: CacheEntry, delayMs: number): Promise<FetchedSecret> {
    target.lastFetchAt = this.now() + delayMs;
    const fetching = delayMs > 0 ? this.wait(delayMs).then(() => this.fetchBoth(arn)) : this.fetchBoth(arn);
    const pending = fetching.then(
      (secret) => {
        target.secret = secret;
        target.fetchedAt = target.lastFetchAt;
        target.inFlight = undefined;
        return secret;
      },
      (error: unknown) => {
        target.inFlight = undefined;
        if (target.secret) return target.secret;
        throw error;
      },
    );
    target.inFlight = pending;
    return pending;
  }

  private async fetchBoth(arn: string): Promise<FetchedSecret> {
    const [current, previous] = await Promise.all([
      this.fetcher(arn, 'AWSCURRENT'),
      this.fetcher(arn, 'AWSPREVIOUS').catch(() => undefined),
    ]);
    if (!current) throw new SecretError('Secrets Manager has no AWSCURRENT version of the secret');
    return { current: current.value, currentCreatedAt: current.createdAt, previous: previous?.value };
  }
}

/**
 * The container-wide resolver: one per process, shared by the handler modules of a combined function, so a
 * container reads each secret once whichever of its routes comes first.
 */
export const secrets = sharedAcrossBundles('secrets', () => new SecretResolver());
