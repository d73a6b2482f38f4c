/**
 * Turns a failed Twilio request into an error a `pulumi up` user can act on: what the provider was doing, the
 * HTTP status and Twilio code, and what to check. Never includes credentials or request bodies.
 */
import { isNetworkFailure, isRetryableTwilioFailure, isTwilioFailure } from '../../lambdas/shared/errors';
import { configKey } from './credentials';

/** A provider failure with Twilio's status and code when there was a response. */
export class TwilioProvisioningError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: number,
  ) {
    super(message);
    // Pulumi's closure serializer turns this class into a function whose `super(message)` call leaves `message`
    // unset (pulumi/pulumi#10974): set it here, or the engine shows the user "undefined".
    this.message = message;
    this.name = 'TwilioProvisioningError';
  }
}

/** The readable part of any thrown value (serialized Error subclasses may lack `message`). */
function messageOf(error: unknown): string {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(error);
}

/**
 * Describes `error` from `operation` (e.g. "updating the voice settings of +15551234567"); config keys are named
 * as the user sets them (`<project>:twilioAuthToken` when `project` is known).
 */
export function describeTwilioFailure(operation: string, error: unknown, project?: string): TwilioProvisioningError {
  const key = (k: string) => configKey(k, project);
  if (error instanceof TwilioProvisioningError) return error;
  if (isTwilioFailure(error)) {
    const { status, code } = error;
    const said = error.message ? `: ${error.message}` : '';
    const what = `Twilio answered HTTP ${status}${code ? ` (code ${code})` : ''} while ${operation}${said}`;
    if (status === 401 || status === 403) {
      return new TwilioProvisioningError(
        `${what}. Check the Account SID and the Auth Token or API key the provider reads: config ${key('twilioAccountSid')} with ${key('twilioAuthToken')}, or ${key('twilioApiKeySid')} with ${key('twilioApiKeySecret')} (or the TWILIO_* variables).`,
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
  return new TwilioProvisioningError(`unexpected failure while ${operation}: ${messageOf(error)}`);
}
