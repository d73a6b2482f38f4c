/**
 * Retries with exponential backoff and full jitter inside a time budget, so a webhook still answers Twilio
 * well before its 15 s limit.
 */

/** Retry settings; `sleep` and `random` are injectable so tests run instantly and deterministically. */
export interface RetryOptions {
  /** Total time allowed for waits between attempts, in milliseconds. */
  readonly budgetMs: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly maxAttempts?: number;
  readonly shouldRetry: (error: unknown) => boolean;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `attempt` (1-based): a random point in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * Runs `operation` until it succeeds, fails with an error `shouldRetry` refuses, or the budget or attempts run
 * out; then the last error is thrown.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { budgetMs, baseDelayMs = 200, maxDelayMs = 2000, maxAttempts = 6, shouldRetry } = options;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const deadline = now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !shouldRetry(error)) throw error;
      const delay = backoffDelay(attempt, baseDelayMs, maxDelayMs, random);
      if (now() + delay > deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
