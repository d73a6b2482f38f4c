/**
 * Turns a failed Twilio request into an error a `pulumi up` user can act on: what the provider was doing, the
 * HTTP status and Twilio code, and what to check. Never includes credentials or request bodies.
 */
import { isNetworkFailure, isRetryableTwilioFailure, isTwilioFailure } from '../../lambdas/shared/errors';

/** A provider failure with Twilio's status and code when there was a response. */
export class TwilioProvisioningError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'TwilioProvisioningError';
  }
}

/** Describes `error` from `operation` (e.g. "updating the voice settings of +15551234567"). */
export function describeTwilioFailure(operation: string, error: unknown): TwilioProvisioningError {
  if (error instanceof TwilioProvisioningError) return error;
  if (isTwilioFailure(error)) {
    const { status, code } = error;
    const said = error.message ? `: ${error.message}` : '';
    const what = `Twilio answered HTTP ${status}${code ? ` (code ${code})` : ''} while ${operation}${said}`;
    if (status === 401 || status === 403) {
      return new TwilioProvisioningError(
        `${what}. Check the Account SID and the Auth Token or API key the provider reads (config twilioAccountSid, twilioAuthToken or twilioApiKeySid/twilioApiKeySecret, or TWILIO_* variables).`,
        status,
        code,
      );
    }
    if (isRetryableTwilioFailure(error)) {
      return new TwilioProvisioningError(
        `${what}. Twilio kept rate-limiting after the provider's retries; run the update again in a minute.`,
        status,
        code,
      );
    }
    if (status >= 500)
      return new TwilioProvisioningError(
        `${what}. Twilio had an internal failure; nothing else was changed, run the update again.`,
        status,
        code,
      );
    return new TwilioProvisioningError(`${what}.`, status, code);
  }
  if (isNetworkFailure(error)) {
    const code = (error as { code?: string }).code;
    return new TwilioProvisioningError(
      `could not reach Twilio while ${operation} (${code ?? 'network error'}); check connectivity (and TWILIO_API_BASE_URL if set), then run the update again.`,
    );
  }
  return new TwilioProvisioningError(
    `unexpected failure while ${operation}: ${error instanceof Error ? error.message : String(error)}`,
  );
}
