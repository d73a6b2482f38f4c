/** The local Twilio REST stand-in the bench points REST handlers at: the tests' TwilioStub, scripted to succeed. */
import { ACCOUNT_SID, sid } from '../../test/lambdas/support/events';
import {
  conferenceListPage,
  participantJson,
  participantListPage,
  TwilioStub,
} from '../../test/lambdas/support/twilio-stub';

/**
 * Starts a stub on 127.0.0.1 that answers as Twilio does for a conference in progress with its caller: the
 * conference lookup by name and the participant list (the participants API reads both before it dials an agent),
 * and every Participants create with 201 (the agent added).
 */
export async function startBenchStub(): Promise<TwilioStub> {
  const stub = new TwilioStub();
  const conferenceSid = sid('CF', 5);
  let n = 0;
  stub.on('GET', /\/Conferences\.json$/, (request) =>
    conferenceListPage(ACCOUNT_SID, [
      {
        sid: conferenceSid,
        account_sid: ACCOUNT_SID,
        friendly_name: request.query.get('FriendlyName') ?? 'conference',
        status: 'in-progress',
      },
    ]),
  );
  stub.on('GET', /\/Participants\.json$/, () =>
    participantListPage(ACCOUNT_SID, conferenceSid, [
      participantJson({
        accountSid: ACCOUNT_SID,
        conferenceSid,
        callSid: sid('CA', 1),
        label: 'caller',
        status: 'connected',
      }),
    ]),
  );
  stub.on('POST', /\/Participants\.json$/, (request) => ({
    status: 201,
    body: participantJson({
      accountSid: ACCOUNT_SID,
      conferenceSid,
      callSid: sid('CA', 900000 + ++n),
      label: String(request.form.Label ?? 'ai-agent'),
    }),
  }));
  await stub.start();
  // The stub records every request for tests; the bench sends thousands, so keep memory flat.
  stub.requests.push = () => 0;
  return stub;
}
