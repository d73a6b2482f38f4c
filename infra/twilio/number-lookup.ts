/**
 * How the stack finds an incoming phone number of the account: the phone number provider adopts the number it
 * finds here, and the setup command (`npm run setup`) checks ownership with the same lookup, so both agree on what
 * "the account owns this number" means.
 */
import type { IncomingPhoneNumberInstance } from 'twilio/lib/rest/api/v2010/account/incomingPhoneNumber';
import type { TwilioRestClient } from '../../lambdas/shared/twilio-client';

/** How many numbers `voiceCapableNumbers` reads at most (Twilio's largest page). */
export const OWNED_NUMBERS_READ_LIMIT = 1000;

/** The account's incoming number whose E.164 is exactly `phoneNumber`, or undefined. */
export async function findIncomingNumber(
  client: TwilioRestClient,
  phoneNumber: string,
): Promise<IncomingPhoneNumberInstance | undefined> {
  const found = await client.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber, limit: 20 });
  // The PhoneNumber filter matches partially (and takes *): only an exact match is this number.
  return found.find((n) => n.phoneNumber === phoneNumber);
}

/** The E.164 numbers of the account that can take voice calls (at most OWNED_NUMBERS_READ_LIMIT read), sorted. */
export async function voiceCapableNumbers(client: TwilioRestClient): Promise<string[]> {
  const numbers = await client.api.v2010.account.incomingPhoneNumbers.list({
    pageSize: OWNED_NUMBERS_READ_LIMIT,
    limit: OWNED_NUMBERS_READ_LIMIT,
  });
  return numbers
    .filter((n) => n.capabilities?.voice === true)
    .map((n) => n.phoneNumber)
    .sort();
}
