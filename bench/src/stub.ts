/** The local Twilio REST stand-in the bench points REST handlers at: the tests' TwilioStub, scripted to succeed. */
import { ACCOUNT_SID, sid } from '../../test/lambdas/support/events';
import { participantJson, TwilioStub } from '../../test/lambdas/support/twilio-stub';

/** Starts a stub on 127.0.0.1 that answers every Participants create with 201 (the agent added). */
export async function startBenchStub(): Promise<TwilioStub> {
  const stub = new TwilioStub();
  let n = 0;
  stub.on('POST', /\/Participants\.json$/, (request) => ({
    status: 201,
    body: participantJson({
      accountSid: ACCOUNT_SID,
      conferenceSid: sid('CF', 5),
      callSid: sid('CA', 900000 + ++n),
      label: String(request.form.Label ?? 'ai-agent'),
    }),
  }));
  await stub.start();
  // The stub records every request for tests; the bench sends thousands, so keep memory flat.
  stub.requests.push = () => 0;
  return stub;
}
