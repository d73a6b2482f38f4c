/**
 * What both Twilio dynamic providers share: credentials read from `configure` or the environment at call
 * time, one REST client from the stack's client factory, and retries of rate-limited requests.
 *
 * An instance is serialized into Pulumi state when a resource is declared, before `configure` runs, so it
 * must hold no credential and no client at that point: both are created lazily inside the methods.
 */
import { createHash } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';
import { isRetryableTwilioFailure } from '../../lambdas/shared/errors';
import { withRetry } from '../../lambdas/shared/retry';
import { createTwilioClient, type TwilioRestClient } from '../../lambdas/shared/twilio-client';
import { resolveTwilioCredentials, type ConfigLookup } from './credentials';
import { describeTwilioFailure } from './errors';

/** How long a provider keeps retrying a rate-limited request before it reports the failure. */
export const PROVIDER_RETRY_BUDGET_MS = 20_000;

/**
 * A fingerprint of the provider code a resource is applied with: the serialized provider text (`__provider`,
 * which the dynamic-provider host passes in every property bag). Stored as the `providerVersion` output, so new
 * provider code shows as a diff and the update re-applies the settings. Pulumi's host itself ignores provider
 * changes in diff on purpose (pulumi/pulumi cmd/dynamic-provider).
 */
export function providerVersionOf(props: object): string {
  const text = (props as { __provider?: unknown }).__provider;
  return createHash('sha256')
    .update(typeof text === 'string' ? text : '')
    .digest('hex')
    .slice(0, 12);
}

/** Base class of the Twilio providers. */
export abstract class TwilioProviderBase {
  private configLookup?: ConfigLookup;

  /**
   * @param retryBudgetMs how long rate-limited requests are retried (tests shorten it).
   * @param project the Pulumi project whose config holds the credentials (`<project>:twilioAuthToken`), captured
   *   when the resource is declared; unset outside a stack (sandbox, tests), where bare keys are used.
   */
  constructor(
    private readonly retryBudgetMs: number = PROVIDER_RETRY_BUDGET_MS,
    protected readonly project?: string,
  ) {}

  /** Receives the stack's config when Pulumi loads the provider (Pulumi >= 3.139). */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.configLookup = (key) => req.config.get(key);
  }

  /** True when the resource was last applied by other provider code than the one running now. */
  protected upgraded(olds: { readonly providerVersion?: string }, news: object): boolean {
    return olds.providerVersion !== providerVersionOf(news);
  }

  /** A client for the configured account; built per call so no client is ever serialized. */
  protected client(): TwilioRestClient {
    return createTwilioClient({
      ...resolveTwilioCredentials(this.configLookup, process.env, this.project),
      timeoutMs: 15_000,
    });
  }

  /**
   * Runs one Twilio request, retrying only failures Twilio rejected unprocessed (429, 20429, 16030), and turns
   * any failure into an actionable error naming `operation`.
   */
  protected async call<T>(operation: string, request: (client: TwilioRestClient) => Promise<T>): Promise<T> {
    const client = this.client();
    try {
      return await withRetry(() => request(client), {
        budgetMs: this.retryBudgetMs,
        baseDelayMs: Math.min(500, this.retryBudgetMs / 4),
        maxDelayMs: 5000,
        shouldRetry: isRetryableTwilioFailure,
      });
    } catch (error) {
      throw describeTwilioFailure(operation, error, this.project);
    }
  }
}
