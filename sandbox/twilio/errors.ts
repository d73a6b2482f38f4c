/** Errors in Twilio's REST shape: `{code, message, more_info, status}`. */

/** An error the REST server turns into a Twilio error response. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    /** Extra fields Twilio adds to some errors (e.g. `detail` on 20003). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  /** The JSON body Twilio sends for this error. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...this.extra,
    };
  }
}

/** Error codes the emulator uses, named after Twilio's error dictionary. */
export const CODES = {
  invalidParameter: 20001,
  authenticate: 20003,
  notFound: 20404,
  tooManyRequests: 20429,
  internal: 20500,
  conferenceFull: 16020,
  duplicateLabel: 16026,
  /** Participant to be whispered is on hold (https://www.twilio.com/docs/api/errors/16027). */
  whisperedOnHold: 16027,
  /**
   * Participant to be whispered is not present in the conference (https://www.twilio.com/docs/api/errors/16028): the
   * Participants API's answer to a coach of a call that is not connected. (13240, "Dial->Conference: Invalid Whisper
   * SID", is the `<Conference coach>` TwiML error; that attribute is not emulated.)
   */
  whisperedNotPresent: 16028,
  participantAddFailed: 16030,
  unverifiedFrom: 21210,
  invalidTo: 21211,
  invalidFrom: 21212,
  httpRetrievalFailure: 11200,
  /**
   * Call Progress: Warning Response to Callback URL (https://www.twilio.com/docs/api/errors/15003): a WARNING, "Your
   * application returned a 4xx or 5xx HTTP response to Twilio".
   */
  callProgressCallbackError: 15003,
  /** Conference Event: Error Response to Callback URL (https://www.twilio.com/docs/api/errors/16011). */
  conferenceCallbackError: 16011,
  httpConnectionFailure: 11205,
  documentParseFailure: 12100,
  schemaValidation: 12200,
  invalidContentType: 12300,
} as const;

/**
 * Codes whose Twilio error page gives Log Level WARNING: 12200 "Schema validation warning"
 * (https://www.twilio.com/docs/api/errors/12200), 15003 "Call Progress: Warning Response to Callback URL". The level
 * belongs to the code, whether or not the call went on.
 */
const WARNING_CODES: ReadonlySet<number> = new Set([CODES.schemaValidation, CODES.callProgressCallbackError]);

/** The Debugger level Twilio logs a code at (its error page's Log Level). */
export function debuggerLevel(code: number): 'error' | 'warning' {
  return WARNING_CODES.has(code) ? 'warning' : 'error';
}

/** 20404 for a path that names nothing. */
export function notFound(path: string): TwilioApiError {
  return new TwilioApiError(404, CODES.notFound, `The requested resource ${path} was not found`);
}

/** 20001 for a parameter the contract does not allow. */
export function invalidParameter(message: string): TwilioApiError {
  return new TwilioApiError(400, CODES.invalidParameter, message);
}
