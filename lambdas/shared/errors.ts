/**
 * Errors the handlers turn into responses, and the mapping of Twilio REST failures onto them. Messages are
 * written for the API's user; they never carry a stack trace or a secret.
 */

/** A failure with an HTTP status and a stable machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly twilioCode?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body of the error response. */
  toBody(): Record<string, unknown> {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field !== undefined && { field: this.field }),
        ...(this.twilioCode !== undefined && { twilioCode: this.twilioCode }),
      },
    };
  }
}

/** The shape of twilio's RestException, read structurally so this module does not load the SDK. */
export interface TwilioFailure {
  readonly status: number;
  readonly code?: number;
  readonly message?: string;
}

/** Whether an error came back from Twilio's REST API (a RestException). */
export function isTwilioFailure(error: unknown): error is TwilioFailure {
  return typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number';
}

/** Twilio error codes. */
export const TWILIO = {
  notFound: 20404,
  rateLimited: 20429,
  conferenceFull: 16020,
  duplicateLabel: 16026,
  addFailedRetryLater: 16030,
  callNotInProgress: 21220,
  /**
   * "Participant to be whispered is not present in the conference": the Participants API's answer to a coach whose
   * `CallSidToCoach` is not (or no longer) connected (https://www.twilio.com/docs/api/errors/16028).
   */
  whisperedNotPresent: 16028,
  /**
   * "Dial->Conference: Invalid Whisper SID": the same condition for `<Conference coach>` TwiML
   * (https://www.twilio.com/docs/api/errors/13240). The stack serves no such TwiML; it is still read as 16028 because
   * Twilio's pages do not rule it out on the REST API (the page speaks of "the whisper parameter").
   */
  invalidWhisperSid: 13240,
  /** "Participant to be whispered is on hold": a coach cannot be added for a held participant. */
  whisperedOnHold: 16027,
  /** 'From' phone number not verified: neither the account's nor verified, and no CallToken Twilio accepted. */
  unverifiedFrom: 21210,
} as const;

/** Whether a Twilio failure was rejected unprocessed or explicitly asks for a retry (429, 20429, 16030). */
export function isRetryableTwilioFailure(error: unknown): boolean {
  if (!isTwilioFailure(error)) return false;
  return error.status === 429 || error.code === TWILIO.rateLimited || error.code === TWILIO.addFailedRetryLater;
}

/**
 * Whether Twilio failed on its side (5xx). It may or may not have acted, so only operations a repeat cannot harm
 * retry it ({@link isUnavailableFailure}): the reads, and a label-guarded create (a repeat meets 16026).
 */
export function isServerFailure(error: unknown): boolean {
  return isTwilioFailure(error) && error.status >= 500;
}

/** Whether the request may not have reached Twilio or its answer was lost (reset, timeout). */
export function isNetworkFailure(error: unknown): boolean {
  if (isTwilioFailure(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|ECONNABORTED|EPIPE|EAI_AGAIN|ERR_SOCKET_CONNECTION_TIMEOUT)$/.test(code)
  );
}

/**
 * Whether a request failed in a way every operation retries: Twilio did not act on it (429, 20429, 16030), or it
 * may never have reached Twilio (a network failure before an answer).
 */
export function isTransientFailure(error: unknown): boolean {
  return isRetryableTwilioFailure(error) || isNetworkFailure(error);
}

/**
 * Whether Twilio could not serve a request now: a {@link isTransientFailure} or a 5xx. Retried by the reads and the
 * label-guarded create; for the recovery, a create that failed so is "Twilio unavailable", not "rejected".
 */
export function isUnavailableFailure(error: unknown): boolean {
  return isTransientFailure(error) || isServerFailure(error);
}

/**
 * Whether Twilio may have acted on a request that failed: its answer was lost (a network failure) or Twilio failed
 * part-way (a 5xx other than a retry-later). A create that failed so may have added its participant.
 */
export function mayHaveActed(error: unknown): boolean {
  return isNetworkFailure(error) || (isServerFailure(error) && !isRetryableTwilioFailure(error));
}

/** Whether the conference or participant a request named is gone (ended, left, never there): 20404 or HTTP 404. */
export function isGone(error: unknown): boolean {
  return isTwilioFailure(error) && (error.code === TWILIO.notFound || error.status === 404);
}

/** Whether a call a request named has ended: gone ({@link isGone}) or no longer in progress (21220). */
export function isCallOver(error: unknown): boolean {
  return isGone(error) || (isTwilioFailure(error) && error.code === TWILIO.callNotInProgress);
}

/** Maps a Twilio REST failure (or an unexpected error) to the API's error. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (!isTwilioFailure(error)) {
    if (isNetworkFailure(error))
      return new ApiError(502, 'twilio_unreachable', 'Twilio could not be reached; try again');
    return new ApiError(500, 'internal_error', 'Internal error');
  }
  const { status, code } = error;
  if (isGone(error)) {
    return new ApiError(404, 'not_found', 'Conference or participant not found (it may have ended)', undefined, code);
  }
  if (code === TWILIO.duplicateLabel) {
    return new ApiError(
      409,
      'label_in_use',
      'A participant with this label is already in the conference',
      'label',
      code,
    );
  }
  if (code === TWILIO.whisperedNotPresent || code === TWILIO.invalidWhisperSid)
    return new ApiError(
      409,
      'coached_participant_missing',
      'The participant to whisper to is not in the conference (it may have left)',
      'coach',
      code,
    );
  if (code === TWILIO.whisperedOnHold)
    return new ApiError(
      409,
      'coached_participant_on_hold',
      'The participant to whisper to is on hold; take them off hold first',
      'coach',
      code,
    );
  if (code === TWILIO.conferenceFull)
    return new ApiError(409, 'conference_full', 'The conference is full', undefined, code);
  if (status === 429 || code === TWILIO.rateLimited) {
    return new ApiError(
      429,
      'rate_limited',
      'Twilio is rate-limiting participant requests; retry later',
      undefined,
      code,
    );
  }
  if (status === 401 || status === 403) {
    return new ApiError(502, 'twilio_auth_failed', "Twilio refused the stack's credentials", undefined, code);
  }
  if (status === 400) {
    // Twilio's own message names the field it refused; it never echoes credentials.
    return new ApiError(
      400,
      'twilio_rejected',
      `Twilio rejected the request: ${error.message ?? 'invalid parameters'}`,
      undefined,
      code,
    );
  }
  return new ApiError(
    502,
    'twilio_error',
    `Twilio failed (HTTP ${status}${code ? `, error ${code}` : ''})`,
    undefined,
    code,
  );
}
