import { ACCOUNT_SID, APP_SID, baseEnv, conferenceEventParams, sid, twilioEvent } from './support/events';
import { loadHandler, type TestHandler } from './support/events';
import { participantJson, TwilioStub, twilioError } from './support/twilio-stub';
import { specProblems } from './support/openapi';
import { captureLogs } from '../support/logs';

const CONFERENCE_SID = sid('CF', 5);
const CALLER_CALL_SID = sid('CA', 1);
const PARTICIPANTS_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Conferences/${CONFERENCE_SID}/Participants.json`;
const path = '/twilio/conference/events';
const callerQuery = `caller=%2B15557654321&callerCallSid=${CALLER_CALL_SID}`;

const created = {
  status: 201,
  body: participantJson({
    accountSid: ACCOUNT_SID,
    conferenceSid: CONFERENCE_SID,
    callSid: sid('CA', 2),
    label: 'ai-agent',
  }),
};

describe('events handler', () => {
  const saved = process.env;
  let stub: TwilioStub;
  let handler: TestHandler;

  function load(env: Record<string, string> = {}) {
    handler = loadHandler(
      require.resolve('../../lambdas/events'),
      baseEnv({ TWILIO_API_BASE_URL: stub.baseUrl, ...env }),
    );
  }

  beforeEach(async () => {
    stub = await new TwilioStub().start();
    load();
  });
  afterEach(() => stub.stop());
  afterAll(() => {
    process.env = saved;
  });

  it("adds the agent through the TwiML App when the caller joins, with the caller's context", async () => {
    stub.on('POST', /Participants\.json$/, created);

    const response = await handler(
      twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
    );

    expect(response.statusCode).toBe(204);
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect([request.method, request.path]).toEqual(['POST', PARTICIPANTS_PATH]);
    expect(request.form).toEqual({
      From: '+15550001111',
      To: `app:${APP_SID}?caller=%2B15557654321&callerCallSid=${CALLER_CALL_SID}&conference=conf-${CALLER_CALL_SID}`,
      Label: 'ai-agent',
      Timeout: '15',
      Beep: 'false',
      StartConferenceOnEnter: 'true',
      EndConferenceOnExit: 'false',
    });
    expect(specProblems(request.method, request.path, request.form)).toEqual([]);
    expect(request.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:test-auth-token-0123456789abcdef`).toString('base64')}`,
    );
  });

  describe.each([
    [
      'the agent joining',
      conferenceEventParams('participant-join', { ParticipantLabel: 'ai-agent', CallSid: sid('CA', 2) }),
    ],
    [
      'a human joining',
      conferenceEventParams('participant-join', { ParticipantLabel: 'human', CallSid: sid('CA', 3) }),
    ],
    [
      'the caller leaving',
      conferenceEventParams('participant-leave', { ReasonParticipantLeft: 'participant_hung_up' }),
    ],
    [
      'the conference ending',
      conferenceEventParams('conference-end', { ReasonConferenceEnded: 'last-participant-left' }),
    ],
    ['the conference starting', conferenceEventParams('conference-start')],
  ])('on %s', (_name, params) => {
    it('only logs (no REST call)', async () => {
      const response = await handler(twilioEvent({ path, rawQueryString: callerQuery, params }));
      expect(response.statusCode).toBe(204);
      expect(stub.requests).toHaveLength(0);
    });
  });

  it('treats a duplicate label (16026, a repeated event) as the agent already being there', async () => {
    stub.on('POST', /Participants\.json$/, twilioError(400, 16026, 'Participant label ai-agent is already in use'));

    const response = await handler(
      twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
    );

    expect(response.statusCode).toBe(204);
    expect(stub.requests).toHaveLength(1);
  });

  describe.each([
    [
      '429 rate limiting',
      [twilioError(429, 20429, 'Too Many Requests'), twilioError(429, 20429, 'Too Many Requests'), created],
    ],
    ['16030 internal add failure', [twilioError(500, 16030, 'Participant could not be added'), created]],
    ['a connection reset (label-guarded create)', [{ status: 0, reset: true }, created]],
    ['a Twilio 500 (label-guarded create)', [twilioError(500, 20500, 'Internal Server Error'), created]],
  ])('retries %s', (_name, responses) => {
    it('and adds the agent once', async () => {
      stub.sequence('POST', /Participants\.json$/, responses);
      const response = await handler(
        twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
      );
      expect(response.statusCode).toBe(204);
      expect(stub.requests).toHaveLength(responses.length);
      expect(new Set(stub.requests.map((r) => r.form.Label))).toEqual(new Set(['ai-agent']));
    });
  });

  describe.each([
    ['an invalid From (21212)', twilioError(400, 21212, 'Invalid From number')],
    ['Twilio refusing the credentials (401)', twilioError(401, 20003, 'Authenticate')],
  ])('does not retry %s', (_name, failure) => {
    const logs = captureLogs();

    it('and answers 500 so the failure shows in Twilio’s debugger', async () => {
      stub.on('POST', /Participants\.json$/, failure);
      const response = await handler(
        twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
      );
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('test-auth-token');
      expect(stub.requests).toHaveLength(1);
      expect(logs.takeErrors()).toEqual([expect.objectContaining({ message: 'handler failed', handler: 'events' })]);
    });
  });

  it('does nothing for a forged event', async () => {
    const response = await handler(
      twilioEvent({
        path,
        rawQueryString: callerQuery,
        params: conferenceEventParams('participant-join'),
        authToken: 'forged',
      }),
    );
    expect(response.statusCode).toBe(403);
    expect(stub.requests).toHaveLength(0);
  });

  it('leaves the agent out when auto-add is off', async () => {
    load({ AGENT_AUTO_ADD: 'false' });
    const response = await handler(
      twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
    );
    expect(response.statusCode).toBe(204);
    expect(stub.requests).toHaveLength(0);
  });

  describe('cold transfer completion', () => {
    const query = `action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=ai-agent`;
    const humanStatus = (status: string) => ({
      AccountSid: ACCOUNT_SID,
      CallSid: sid('CA', 3),
      CallStatus: status,
      ApiVersion: '2010-04-01',
      Direction: 'outbound-api',
    });

    it('removes the agent when the human answers', async () => {
      stub.on('DELETE', /Participants\/ai-agent\.json$/, { status: 204 });
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('in-progress') }));
      expect(response.statusCode).toBe(204);
      expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `DELETE /2010-04-01/Accounts/${ACCOUNT_SID}/Conferences/${CONFERENCE_SID}/Participants/ai-agent.json`,
      ]);
      expect(specProblems('DELETE', stub.requests[0].path, {})).toEqual([]);
    });

    it('counts an agent already gone (20404) as removed', async () => {
      stub.on('DELETE', /Participants\/ai-agent\.json$/, twilioError(404, 20404, 'not found'));
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('in-progress') }));
      expect(response.statusCode).toBe(204);
    });

    it('keeps the agent while the human is only ringing', async () => {
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('ringing') }));
      expect(response.statusCode).toBe(204);
      expect(stub.requests).toHaveLength(0);
    });
  });
});
