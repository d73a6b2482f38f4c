/**
 * The primitives every section reader is built from: typed reads of one environment variable each, failing with
 * a {@link ConfigError} that names the variable (never its value), and the per-container cache.
 */

/** Thrown when a setting is missing or malformed; the message names the variable, never its value. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Configuration ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** A read-only view of the environment (process.env in production, a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A secret given either as a value (local) or as an AWS Secrets Manager ARN (deployed). */
export type SecretSource =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'aws-secret'; readonly arn: string };

/** What a participant label must be (`isTwilioLabel`), in a configuration error. */
export const LABEL_WHAT = 'a label of 1-128 characters without /';
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/;

/** A trimmed value, or undefined when unset or blank. */
export function optional(env: Env, key: string): string | undefined {
  const value = env[key];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function required(env: Env, key: string): string {
  const value = optional(env, key);
  if (value === undefined) throw new ConfigError(key, 'is required');
  return value;
}

/** A value `accepts` takes (see `../identifiers`), or `fallback` when unset; `what` describes it in the error. */
export function matching(
  env: Env,
  key: string,
  accepts: (value: string) => boolean,
  what: string,
  fallback?: string,
): string {
  const value = optional(env, key) ?? fallback;
  if (value === undefined) throw new ConfigError(key, `is required (${what})`);
  if (!accepts(value)) throw new ConfigError(key, `must be ${what}`);
  return value;
}

export function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const value = optional(env, key) ?? fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function bool(env: Env, key: string, fallback: boolean): boolean {
  const value = optional(env, key);
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(key, 'must be true or false');
}

export function integer(env: Env, key: string, fallback: number, min: number, max: number): number {
  const value = optional(env, key);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(key, `must be an integer from ${min} to ${max}`);
  return n;
}

export function url(env: Env, key: string, schemes: readonly string[], isRequired: boolean): string | undefined {
  const value = isRequired ? required(env, key) : optional(env, key);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(key, 'must be an absolute URL');
  }
  if (!schemes.includes(parsed.protocol)) throw new ConfigError(key, `must be a ${schemes.join(' or ')} URL`);
  return value;
}

/** Whether a URL host is this machine (where plain http or ws is acceptable: the local sandbox). */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** A comma-separated list, blanks dropped. */
export function list(env: Env, key: string, fallback: readonly string[]): string[] {
  const value = optional(env, key);
  if (value === undefined) return [...fallback];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A secret from its value variable or its ARN variable; the value wins locally, the ARN when deployed. */
export function secret(env: Env, valueKey: string, arnKey: string, isRequired: true): SecretSource;
export function secret(env: Env, valueKey: string, arnKey: string, isRequired: false): SecretSource | undefined;
export function secret(env: Env, valueKey: string, arnKey: string, isRequired: boolean): SecretSource | undefined {
  const value = optional(env, valueKey);
  if (value !== undefined) return { kind: 'value', value };
  const arn = optional(env, arnKey);
  if (arn !== undefined) {
    if (!SECRET_ARN.test(arn)) throw new ConfigError(arnKey, 'must be a Secrets Manager secret ARN');
    return { kind: 'aws-secret', arn };
  }
  if (isRequired) throw new ConfigError(valueKey, `is required (or ${arnKey})`);
  return undefined;
}

/**
 * Caches a section reader per container: the first call parses, later calls return the same value.
 * A failed parse is not cached, so a fixed environment is picked up by the next invocation.
 */
export function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (!cached) cached = { value: read() };
    return cached.value;
  };
}
