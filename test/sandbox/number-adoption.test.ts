/**
 * The phone-number provider (infra/twilio/phone-number-provider.ts) against the Twilio emulator: a number whose
 * calls go to a TwiML App is adopted (the provider unlinks the App with an empty `VoiceApplicationSid`, as
 * Twilio accepts) and gets the App back on destroy. The number is never released.
 */
import { fixedConfigureRequest } from '../../infra/twilio/credentials';
import { PhoneNumberVoiceConfigProvider } from '../../infra/twilio/phone-number-provider';
import { TwimlAppProvider } from '../../infra/twilio/twiml-app-provider';
import { startTwilioEmulator, type TwilioEmulator } from '../../sandbox/twilio';
import { fullSdkClient } from './support/twilio-sdk';

const NUMBER = '+15550003333';
const INBOUND = 'http://127.0.0.1:9/twilio/voice/inbound';
const FALLBACK = 'http://127.0.0.1:9/twilio/voice/inbound-fallback';

let emu: TwilioEmulator;

beforeEach(async () => {
  emu = await startTwilioEmulator();
});

afterEach(async () => {
  await emu.stop();
});

/** A provider configured for the emulator's account, as a stack's config would configure it. */
async function configured<P extends { configure(req: ReturnType<typeof fixedConfigureRequest>): Promise<void> }>(
  provider: P,
): Promise<P> {
  await provider.configure(
    fixedConfigureRequest({
      twilioAccountSid: emu.accountSid,
      twilioAuthToken: emu.authToken,
      twilioApiBaseUrl: emu.baseUrl,
    }),
  );
  return provider;
}

it('when the number is bound to a TwiML App, adopting it unlinks the App and destroy binds it again', async () => {
  // Arrange: an App made through the App provider, and the account's number sending its calls to it.
  const appProvider = await configured(new TwimlAppProvider(300));
  const { id: appSid } = await appProvider.create({
    friendlyName: 'someone else’s IVR',
    voiceUrl: 'https://ivr.example.com/voice',
    voiceMethod: 'POST',
  });
  const seeded = emu.addIncomingNumber(NUMBER, { voiceApplicationSid: appSid });
  const numbers = await configured(new PhoneNumberVoiceConfigProvider(300));
  const client = fullSdkClient(emu.baseUrl, emu.accountSid, emu.authToken);

  // Act: adopt
  const { id, outs } = await numbers.create({
    phoneNumber: NUMBER,
    voiceUrl: INBOUND,
    voiceMethod: 'POST',
    voiceFallbackUrl: FALLBACK,
    voiceFallbackMethod: 'POST',
  });
  const adopted = await client.api.v2010.account.incomingPhoneNumbers(id).fetch();

  // Assert: the stack's webhooks answer the number's calls, no App overrides them
  expect(id).toBe(seeded.sid);
  expect(outs.previous.voiceApplicationSid).toBe(appSid);
  expect(adopted).toMatchObject({ voiceUrl: INBOUND, voiceFallbackUrl: FALLBACK, voiceApplicationSid: null });

  // Act: destroy
  await numbers.delete(id, outs);
  const restored = await client.api.v2010.account.incomingPhoneNumbers(id).fetch();

  // Assert: the App answers the number's calls again; the number was never released
  expect(restored.voiceApplicationSid).toBe(appSid);
  expect(restored.voiceUrl).toBeNull();
  expect(emu.releasedNumbers).toEqual([]);
});
