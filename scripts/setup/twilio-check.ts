/**
 * Setup's questions to Twilio, through the stack's one client factory and the phone number provider's own lookup:
 * do the credentials work, does the account own the number and can it take calls, what answers its calls now.
 * Read-only: nothing on Twilio is changed.
 */
import { findIncomingNumber, voiceCapableNumbers } from '../../infra/twilio/number-lookup';
import { voiceSettingsOf } from '../../infra/twilio/settings';
import { isTwilioFailure } from '../../lambdas/shared/errors';
import {
  createTwilioClient,
  type TwilioClientOptions,
  type TwilioRestClient,
} from '../../lambdas/shared/twilio-client';
import type { SetupInput } from './input';
import {
  type BoundApp,
  type CredentialKind,
  type FoundNumber,
  noNumberGiven,
  numberNotOwned,
  numberNotVoiceCapable,
  twilioFailureLine,
} from './plan';

/** Per request: a person is waiting, but a slow link should not fail the check. */
const REQUEST_TIMEOUT_MS = 10_000;

/** What Twilio said: the number and what answers its calls, or why setup stops. */
export type TwilioCheck =
  | { readonly ok: true; readonly number: FoundNumber; readonly app?: BoundApp }
  | { readonly ok: false; readonly problem: string };

/** A failed request, already worded for the user. */
class CheckFailed extends Error {}

async function ask<T>(operation: string, credential: CredentialKind, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new CheckFailed(twilioFailureLine(operation, error, credential));
  }
}

function client(options: TwilioClientOptions): TwilioRestClient {
  return createTwilioClient({ ...options, timeoutMs: REQUEST_TIMEOUT_MS });
}

async function boundApp(twilio: TwilioRestClient, sid: string): Promise<BoundApp> {
  try {
    const app = await twilio.api.v2010.account.applications(sid).fetch();
    return { sid, friendlyName: app.friendlyName ?? undefined, voiceUrl: app.voiceUrl ?? undefined };
  } catch (error) {
    // An App the number points at but the account cannot read (deleted since): its SID is all there is to say.
    if (isTwilioFailure(error) && error.status === 404) return { sid };
    throw new CheckFailed(twilioFailureLine(`reading the TwiML App ${sid}`, error, 'auth-token'));
  }
}

/** Checks the credentials and the number against Twilio (or the API at TWILIO_API_BASE_URL). */
export async function checkTwilio(input: SetupInput): Promise<TwilioCheck> {
  const twilio = client(input.authToken);
  const accountSid = input.authToken.accountSid;
  const voiceNumbers = () =>
    ask(`listing the numbers of ${accountSid}`, 'auth-token', () => voiceCapableNumbers(twilio));
  try {
    const { phoneNumber } = input;
    if (phoneNumber === undefined) return { ok: false, problem: noNumberGiven(accountSid, await voiceNumbers()) };
    const found = await ask(`looking up ${phoneNumber}`, 'auth-token', () => findIncomingNumber(twilio, phoneNumber));
    if (input.apiKey) {
      const withKey = client(input.apiKey);
      await ask(`looking up ${phoneNumber} with the API key`, 'api-key', () =>
        findIncomingNumber(withKey, phoneNumber),
      );
    }
    if (found === undefined)
      return { ok: false, problem: numberNotOwned(phoneNumber, accountSid, await voiceNumbers()) };
    if (found.capabilities?.voice !== true)
      return { ok: false, problem: numberNotVoiceCapable(phoneNumber, accountSid, await voiceNumbers()) };
    const number: FoundNumber = {
      sid: found.sid,
      phoneNumber: found.phoneNumber,
      friendlyName: found.friendlyName,
      settings: voiceSettingsOf(found),
    };
    const appSid = number.settings.voiceApplicationSid;
    return { ok: true, number, app: appSid ? await boundApp(twilio, appSid) : undefined };
  } catch (error) {
    if (error instanceof CheckFailed) return { ok: false, problem: error.message };
    throw error;
  }
}
