/**
 * Resolves secrets: a value given directly (local runs) or an AWS Secrets Manager secret (deployed), fetched
 * once per container. The AWS call is a single signed HTTPS request, so handlers stay free of the AWS SDK and
 * its cold-start cost.
 */
import type https from 'node:https';
import type aws4 from 'aws4';
import type { SecretSource } from './config';

/** Fetches a secret's string value by ARN. Replaceable in tests. */
export type SecretFetcher = (arn: string) => Promise<string>;

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

/** Calls Secrets Manager `GetSecretValue` with the Lambda role's credentials from the environment. */
export const fetchFromSecretsManager: SecretFetcher = (arn) => {
  // Loaded on the first fetch, not at module load: node:https and aws4 cost ~5 ms of every cold start, and a
  // container fetches each secret once.
  const { request: httpsRequest } = require('node:https') as typeof https;
  const signer = require('aws4') as typeof aws4;
  const region = regionOf(arn);
  const body = JSON.stringify({ SecretId: arn });
  const request = signer.sign(
    {
      host: `secretsmanager.${region}.amazonaws.com`,
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
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ ...request, timeout: 3000 } as https.RequestOptions, (res) => {
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
          reject(new SecretError(`Secrets Manager refused GetSecretValue (${res.statusCode} ${type})`));
          return;
        }
        try {
          const parsed = JSON.parse(text) as { SecretString?: string };
          if (typeof parsed.SecretString !== 'string') throw new Error('no SecretString');
          resolve(parsed.SecretString);
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

/**
 * Resolves secret sources, caching each resolved value for the life of the container. A failed fetch is not
 * cached, so the next invocation tries again.
 */
export class SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(private readonly fetcher: SecretFetcher = fetchFromSecretsManager) {}

  /** The secret's value. */
  resolve(source: SecretSource): Promise<string> {
    if (source.kind === 'value') return Promise.resolve(source.value);
    let pending = this.cache.get(source.arn);
    if (!pending) {
      pending = this.fetcher(source.arn);
      this.cache.set(source.arn, pending);
      pending.catch(() => this.cache.delete(source.arn));
    }
    return pending;
  }
}

/** The container-wide resolver. */
export const secrets = new SecretResolver();
