import { ACCOUNT_SID, APP_SID, baseEnv, conferenceEventParams, sid, twilioEvent } from './support/events';
import { loadHandler, type TestHandler } from './support/events';
import { participantJson, participantListPage, TwilioStub, twilioError } from './support/twilio-stub';
import { specProblems } from './support/openapi';
import { captureLogs } from '../support/logs';
import { datapointsIn, sumOf } from '../support/emf';
import { type CapturedStdout, captureStdout } from '../support/stdout';

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
  let stdout: CapturedStdout;
  const metric = (name: string, dimensions: Record<string, string> = {}) =>
    sumOf(datapointsIn(stdout.lines), name, { Service: 'events', ...dimensions });

  function load(env: Record<string, string> = {}) {
    handler = loadHandler(
      require.resolve('../../lambdas/events'),
      baseEnv({ TWILIO_API_BASE_URL: stub.baseUrl, SERVICE_NAME: 'events', ...env }),
    );
  }

  beforeEach(async () => {
    stub = await new TwilioStub().start();
    stdout = captureStdout();
    load();
  });
  afterEach(async () => {
    stdout.restore();
    await stub.stop();
  });
  afterAll(() => {
    process.env = saved;
  });

  it("adds the agent through the TwiML App when the caller joins, with the caller's context", async () => {
    stub.on('POST', /Participants\.json$/, { ...created, body: { ...created.body, queue_time: '1200' } });

    const response = await handler(
      twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
    );

    expect(response.statusCode).toBe(204);
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect([request.method, request.path]).toEqual(['POST', PARTICIPANTS_PATH]);
    const { StatusCallback, ...rest } = request.form;
    expect(rest).toEqual({
      From: '+15550001111',
      To: `app:${APP_SID}?caller=%2B15557654321&callerCallSid=${CALLER_CALL_SID}&conference=conf-${CALLER_CALL_SID}`,
      Label: 'ai-agent',
      Timeout: '15',
      Beep: 'false',
      StartConferenceOnEnter: 'true',
      EndConferenceOnExit: 'false',
      StatusCallbackMethod: 'POST',
      StatusCallbackEvent: ['ringing', 'answered', 'completed'],
    });
    // The leg reports to the signed leg-status route, with the call's recovery state in the query.
    const callback = new URL(String(StatusCallback));
    expect(`${callback.origin}${callback.pathname}`).toBe(
      'https://abc123.execute-api.us-east-1.amazonaws.com/twilio/calls/status',
    );
    expect(Object.fromEntries(callback.searchParams)).toMatchObject({
      leg: 'agent',
      attempt: '1',
      conferenceSid: CONFERENCE_SID,
      callerCallSid: CALLER_CALL_SID,
      callerJoinedAt: String(Date.parse('Tue, 24 Nov 2026 02:00:00 GMT')),
      'ctx.caller': '+15557654321',
    });
    expect(metric('CallsStarted')).toBe(1);
    expect(metric('AgentQueueTime')).toBe(1200);
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

  describe.each([
    ['a CallToken that fits the agent context', 300, true],
    ['a CallToken over the 499-character <Parameter> limit (a SHAKEN-signed call)', 900, false],
  ])('when the conference callback carries %s', (_case, length, carried) => {
    it(`dials the agent with it ${carried ? 'in' : 'left out of'} its app: context`, async () => {
      stub.on('POST', /Participants\.json$/, created);
      const token = 'T'.repeat(length);

      await handler(
        twilioEvent({
          path,
          rawQueryString: `${callerQuery}&callToken=${token}`,
          params: conferenceEventParams('participant-join'),
        }),
      );

      const to = String(stub.requests[0].form.To);
      expect(new URLSearchParams(to.slice(to.indexOf('?') + 1)).get('callToken')).toBe(carried ? token : null);
      expect(to).toContain(`callerCallSid=${CALLER_CALL_SID}`);
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

  it('when the agent create is rejected for good (21212), does not retry it: the caller hears the message and the call ends', async () => {
    stub.on('POST', /Participants\.json$/, twilioError(400, 21212, 'Invalid From number'));
    stub.on('POST', /Calls\/CA\w+\.json$/, { status: 200, body: { sid: CALLER_CALL_SID, status: 'in-progress' } });

    const response = await handler(
      twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
    );

    expect(response.statusCode).toBe(204);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${PARTICIPANTS_PATH}`,
      `POST /2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALLER_CALL_SID}.json`,
    ]);
    expect(String(stub.requests[1].form.Twiml)).toMatch(
      /<Say>We are sorry, nobody can take your call.*<\/Say><Hangup\/>/,
    );
    expect(specProblems('POST', stub.requests[1].path, stub.requests[1].form)).toEqual([]);
    expect([
      metric('AgentJoinFailures', { Cause: 'rejected' }),
      metric('Fallbacks', { Kind: 'message' }),
      metric('CallsEndedUnattended'),
    ]).toEqual([1, 1, 1]);
  });

  describe('when Twilio refuses the credentials (401)', () => {
    const logs = captureLogs();

    it('answers 500 so the failure shows in Twilio’s debugger', async () => {
      stub.on('POST', /\.json$/, twilioError(401, 20003, 'Authenticate'));
      const response = await handler(
        twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
      );
      expect(response.statusCode).toBe(500);
      expect(response.body).not.toContain('test-auth-token');
      // The create, then the fallback message, both refused; neither retried.
      expect(stub.requests).toHaveLength(2);
      expect(logs.takeErrors()).toEqual([expect.objectContaining({ message: 'handler failed', handler: 'events' })]);
    });
  });

  it('when the conference ended before the agent create (20404), answers 204 and counts the call unattended', async () => {
    stub.on('POST', /Participants\.json$/, twilioError(404, 20404, 'not found'));

    const response = await handler(
      twilioEvent({ path, rawQueryString: callerQuery, params: conferenceEventParams('participant-join') }),
    );

    expect(response.statusCode).toBe(204);
    expect(stub.requests).toHaveLength(1);
    expect(metric('CallsEndedUnattended')).toBe(1);
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

    const participantsPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Conferences/${CONFERENCE_SID}/Participants`;
    const listed = (...labels: string[]) =>
      participantListPage(
        ACCOUNT_SID,
        CONFERENCE_SID,
        [['caller', 1], ['human', 3], ...labels.map((l, i) => [l, 10 + i] as const)].map(([label, n]) =>
          participantJson({
            accountSid: ACCOUNT_SID,
            conferenceSid: CONFERENCE_SID,
            callSid: sid('CA', n as number),
            label: label as string,
            status: 'connected',
          }),
        ),
        250,
      );

    it('when the human answers, it removes every AI agent in the conference (the added ones too), by call SID', async () => {
      // Arrange
      stub.on('GET', /Participants\.json/, listed('ai-agent', 'ai-agent-2'));
      stub.on('DELETE', /Participants\/CA\w+\.json$/, { status: 204 });

      // Act
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('in-progress') }));

      // Assert
      expect(response.statusCode).toBe(204);
      const deletes = stub.requests.filter((r) => r.method === 'DELETE').map((r) => r.path);
      expect(deletes.sort()).toEqual([
        `${participantsPath}/${sid('CA', 10)}.json`,
        `${participantsPath}/${sid('CA', 11)}.json`,
      ]);
      for (const path of deletes) expect(specProblems('DELETE', path, {})).toEqual([]);
    });

    it('when the agent left just before (20404 on its removal), it still answers 204', async () => {
      // Arrange
      stub.on('GET', /Participants\.json/, listed('ai-agent'));
      stub.on('DELETE', /Participants\/CA\w+\.json$/, twilioError(404, 20404, 'not found'));

      // Act
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('in-progress') }));

      // Assert
      expect(response.statusCode).toBe(204);
    });

    it('when the conference has ended (20404 on the participant list), it answers 204 and removes nobody', async () => {
      // Arrange
      stub.on('GET', /Participants\.json/, twilioError(404, 20404, 'not found'));

      // Act
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('in-progress') }));

      // Assert
      expect(response.statusCode).toBe(204);
      expect(stub.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    });

    it('keeps the agent while the human is only ringing', async () => {
      const response = await handler(twilioEvent({ path, rawQueryString: query, params: humanStatus('ringing') }));
      expect(response.statusCode).toBe(204);
      expect(stub.requests).toHaveLength(0);
    });
  });
});
