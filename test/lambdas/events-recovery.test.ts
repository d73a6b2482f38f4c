import { datapointsIn, sumOf } from '../support/emf';
import { type CapturedStdout, captureStdout } from '../support/stdout';
import { specProblems } from './support/openapi';
import {
  ACCOUNT_SID,
  APP_SID,
  baseEnv,
  conferenceEventParams,
  loadHandler,
  sid,
  type TestHandler,
  twilioEvent,
} from './support/events';
import { participantJson, participantListPage, TwilioStub } from './support/twilio-stub';

const CONFERENCE_SID = sid('CF', 5);
const CALLER = sid('CA', 1);
const AGENT_LEG = sid('CA', 2);
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const PARTICIPANTS = `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants`;

/** The query the stack put on a leg's status callback (written out here, not with the code's encoder). */
function legQuery(leg: 'agent' | 'fallback', attempt: number, attended = false): string {
  return new URLSearchParams({
    leg,
    attempt: String(attempt),
    conferenceSid: CONFERENCE_SID,
    callerCallSid: CALLER,
    attended: attended ? '1' : '0',
    callerJoinedAt: String(Date.parse('Tue, 24 Nov 2026 02:00:00 GMT')),
    'ctx.caller': '+15557654321',
    'ctx.callerCallSid': CALLER,
    'ctx.conference': `conf-${CALLER}`,
  }).toString();
}

/** A leg status callback as Twilio posts it. */
function legStatus(status: string, query: string, callSid = AGENT_LEG, authToken?: string) {
  return twilioEvent({
    path: '/twilio/calls/status',
    rawQueryString: query,
    authToken,
    params: {
      AccountSid: ACCOUNT_SID,
      CallSid: callSid,
      CallStatus: status,
      ApiVersion: '2010-04-01',
      Direction: 'outbound-api',
      SequenceNumber: '3',
      Timestamp: 'Tue, 24 Nov 2026 02:00:03 +0000',
    },
  });
}

const participant = (callSid: string, label: string, extra: { status?: string; hold?: boolean } = {}) =>
  participantJson({
    accountSid: ACCOUNT_SID,
    conferenceSid: CONFERENCE_SID,
    callSid,
    label,
    status: 'connected',
    ...extra,
  });
const listOf = (...participants: ReturnType<typeof participant>[]) =>
  participantListPage(ACCOUNT_SID, CONFERENCE_SID, participants);

describe('events handler: recovery when the caller could be left alone', () => {
  const saved = process.env;
  let stub: TwilioStub;
  let handler: TestHandler;
  let stdout: CapturedStdout;
  const metric = (name: string, dimensions: Record<string, string> = {}) =>
    sumOf(datapointsIn(stdout.lines), name, { Service: 'events', ...dimensions });
  const calls = () => stub.requests.map((r) => `${r.method} ${r.path}`);

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

  describe.each(['busy', 'failed', 'no-answer'])(
    'when the first agent leg ends %s and the caller is alone',
    (status) => {
      it('dials the agent again with the same context, attempt 2, and reports it', async () => {
        stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller')));
        stub.on('POST', /Participants\.json$/, {
          status: 201,
          body: participantJson({
            accountSid: ACCOUNT_SID,
            conferenceSid: CONFERENCE_SID,
            callSid: sid('CA', 7),
            label: 'ai-agent',
          }),
        });

        const response = await handler(legStatus(status, legQuery('agent', 1)));

        expect(response.statusCode).toBe(204);
        expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${PARTICIPANTS}.json`]);
        const create = stub.requests[1].form;
        expect(create.To).toBe(
          `app:${APP_SID}?caller=%2B15557654321&callerCallSid=${CALLER}&conference=conf-${CALLER}`,
        );
        expect(create.Label).toBe('ai-agent');
        expect(new URL(String(create.StatusCallback)).searchParams.get('attempt')).toBe('2');
        expect(specProblems('POST', stub.requests[1].path, create)).toEqual([]);
        expect([metric('AgentJoinFailures', { Cause: status }), metric('Fallbacks', { Kind: 'retry' })]).toEqual([
          1, 1,
        ]);
      });
    },
  );

  it('when the last agent attempt fails and a fallback target is set, dials the target labelled fallback', async () => {
    load({ FALLBACK_TARGET: '+15550009999' });
    stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller')));
    stub.on('POST', /Participants\.json$/, {
      status: 201,
      body: participantJson({
        accountSid: ACCOUNT_SID,
        conferenceSid: CONFERENCE_SID,
        callSid: sid('CA', 8),
        label: 'fallback',
      }),
    });

    await handler(legStatus('no-answer', legQuery('agent', 2)));

    const create = stub.requests[1].form;
    expect([create.To, create.Label]).toEqual(['+15550009999', 'fallback']);
    expect(new URL(String(create.StatusCallback)).searchParams.get('leg')).toBe('fallback');
    expect(metric('Fallbacks', { Kind: 'target' })).toBe(1);
  });

  it('when a voicemail URL is set and nobody can be reached, sends the caller there', async () => {
    load({ FALLBACK_VOICEMAIL_URL: 'https://voicemail.example.com/record' });
    stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller')));
    stub.on('POST', /Calls\/CA\w+\.json$/, { status: 200, body: { sid: CALLER } });

    await handler(legStatus('completed', legQuery('agent', 2, true)));

    expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${ACCOUNT}/Calls/${CALLER}.json`]);
    expect(stub.requests[1].form).toEqual({ Url: 'https://voicemail.example.com/record', Method: 'POST' });
    expect([metric('Fallbacks', { Kind: 'voicemail' }), metric('CallsEndedUnattended')]).toEqual([1, 0]);
  });

  it.each([
    ['ringing', 'canceled'],
    ['in-progress', 'completed'],
  ])('when the agent leg is %s after the caller hung up, ends that leg (%s): no orphan leg', async (status, ended) => {
    stub.on('GET', /Participants\.json$/, listOf());
    stub.on('POST', /Calls\/CA\w+\.json$/, { status: 200, body: { sid: AGENT_LEG } });

    await handler(legStatus(status, legQuery('agent', 1)));

    expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${ACCOUNT}/Calls/${AGENT_LEG}.json`]);
    expect(stub.requests[1].form).toEqual({ Status: ended });
  });

  it('when a leg reports initiated, only logs it (ringing or answered follow while the leg can still be stopped)', async () => {
    const response = await handler(legStatus('initiated', legQuery('agent', 1)));

    expect(response.statusCode).toBe(204);
    expect(stub.requests).toHaveLength(0);
  });

  it('when the agent leg was removed for a transfer (a human is with the caller), does nothing', async () => {
    stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller'), participant(sid('CA', 3), 'human')));

    await handler(legStatus('completed', legQuery('agent', 1, true)));

    expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`]);
  });

  it('when the agent answers, reports time to agent from the Twilio timestamps (caller join to answer)', async () => {
    stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller'), participant(AGENT_LEG, 'ai-agent')));

    await handler(legStatus('in-progress', legQuery('agent', 1)));

    expect(metric('TimeToAgent')).toBe(3000);
  });

  it('when the leg callback is forged, does nothing', async () => {
    const response = await handler(legStatus('busy', legQuery('agent', 1), AGENT_LEG, 'forged'));

    expect(response.statusCode).toBe(403);
    expect(stub.requests).toHaveLength(0);
  });

  it('when the state in the query is not one the stack wrote, answers 400 and does nothing', async () => {
    const response = await handler(legStatus('busy', 'leg=agent&attempt=1'));

    expect(response.statusCode).toBe(400);
    expect(stub.requests).toHaveLength(0);
  });

  describe('transfers', () => {
    const callerQuery = `caller=%2B15557654321&callerCallSid=${CALLER}`;
    const humanLeft = (reason: string, status: string) =>
      twilioEvent({
        path: '/twilio/conference/events',
        rawQueryString: callerQuery,
        params: conferenceEventParams('participant-leave', {
          CallSid: sid('CA', 3),
          ParticipantLabel: 'human',
          ReasonParticipantLeft: reason,
          ParticipantCallStatus: status,
        }),
      });

    it('when the human of a warm transfer does not answer, takes the caller off hold, back to the agent', async () => {
      stub.on(
        'GET',
        /Participants\.json$/,
        listOf(participant(CALLER, 'caller', { hold: true }), participant(AGENT_LEG, 'ai-agent')),
      );
      stub.on('POST', /Participants\/caller\.json$/, { status: 200, body: participant(CALLER, 'caller') });

      await handler(humanLeft('participant_add_failed', 'no-answer'));

      expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${PARTICIPANTS}/caller.json`]);
      expect(stub.requests[1].form).toEqual({ Hold: 'false' });
      expect(metric('TransferOutcomes', { Outcome: 'no-answer' })).toBe(1);
    });

    it('when the human of a cold transfer does not answer and the agent is gone, dials the agent back', async () => {
      stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller')));
      stub.on('POST', /Participants\.json$/, {
        status: 201,
        body: participantJson({
          accountSid: ACCOUNT_SID,
          conferenceSid: CONFERENCE_SID,
          callSid: sid('CA', 9),
          label: 'ai-agent',
        }),
      });

      await handler(humanLeft('participant_add_failed', 'busy'));

      expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${PARTICIPANTS}.json`]);
      expect(stub.requests[1].form.Label).toBe('ai-agent');
    });

    it('when a human joins, reports a transfer answered', async () => {
      await handler(
        twilioEvent({
          path: '/twilio/conference/events',
          rawQueryString: callerQuery,
          params: conferenceEventParams('participant-join', { CallSid: sid('CA', 3), ParticipantLabel: 'human' }),
        }),
      );

      expect(metric('TransferOutcomes', { Outcome: 'answered' })).toBe(1);
      expect(stub.requests).toHaveLength(0);
    });

    it.each([
      ['muted (listening)', { Muted: 'true' }],
      ['coaching (whispering)', { Coaching: 'true', CallSidToCoach: AGENT_LEG }],
    ])('when a supervisor joins %s, reports no transfer and does nothing', async (_how, heard) => {
      // Act
      await handler(
        twilioEvent({
          path: '/twilio/conference/events',
          rawQueryString: callerQuery,
          params: conferenceEventParams('participant-join', {
            CallSid: sid('CA', 4),
            ParticipantLabel: 'supervisor',
            ...heard,
          }),
        }),
      );

      // Assert
      expect(metric('TransferOutcomes', { Outcome: 'answered' })).toBe(0);
      expect(stub.requests).toHaveLength(0);
    });

    it('when a warm transfer’s human does not answer and only a listening supervisor is left with the on-hold caller and the agent, takes the caller off hold', async () => {
      // Arrange
      stub.on(
        'GET',
        /Participants\.json$/,
        listOf(
          participant(CALLER, 'caller', { hold: true }),
          participant(AGENT_LEG, 'ai-agent'),
          participantJson({
            accountSid: ACCOUNT_SID,
            conferenceSid: CONFERENCE_SID,
            callSid: sid('CA', 4),
            label: 'supervisor',
            status: 'connected',
            muted: true,
          }),
        ),
      );
      stub.on('POST', /Participants\/caller\.json$/, { status: 200, body: participant(CALLER, 'caller') });

      // Act
      await handler(humanLeft('participant_add_failed', 'no-answer'));

      // Assert
      expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${PARTICIPANTS}/caller.json`]);
      expect(stub.requests[1].form).toEqual({ Hold: 'false' });
    });
  });
  describe('a second agent, added through the participants API beside the one the stack added (ai-agent-2)', () => {
    const SECOND_AGENT = sid('CA', 6);
    const callerQuery = `caller=%2B15557654321&callerCallSid=${CALLER}`;
    const secondAgentEvent = (event: string, extra: Record<string, string> = {}) =>
      twilioEvent({
        path: '/twilio/conference/events',
        rawQueryString: callerQuery,
        params: conferenceEventParams(event, {
          CallSid: SECOND_AGENT,
          ParticipantLabel: 'ai-agent-2',
          EndConferenceOnExit: 'false',
          ...extra,
        }),
      });

    it('when it joins, reports no transfer answered and calls Twilio for nothing', async () => {
      // Act
      await handler(secondAgentEvent('participant-join'));

      // Assert
      expect(metric('TransferOutcomes', { Outcome: 'answered' })).toBe(0);
      expect(stub.requests).toHaveLength(0);
    });

    it('when it leaves a caller who is alone, does not hang the caller up as if a human had ended the call (its leg status decides)', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller')));

      // Act
      const response = await handler(
        secondAgentEvent('participant-leave', {
          ReasonParticipantLeft: 'participant_hung_up',
          ParticipantCallStatus: 'completed',
        }),
      );

      // Assert
      expect(response.statusCode).toBe(204);
      expect(calls()).toEqual([]);
    });

    it.each([
      ['its leg fails', 'failed', AGENT_LEG, 'ai-agent', SECOND_AGENT, 'ai-agent-2'],
      ['the agent the stack added drops', 'completed', SECOND_AGENT, 'ai-agent-2', AGENT_LEG, 'ai-agent'],
    ])(
      'when %s while the other agent is with the caller, dials nobody',
      async (_what, status, stays, stayingLabel, leg) => {
        // Arrange
        stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller'), participant(stays, stayingLabel)));

        // Act
        await handler(legStatus(status, legQuery('agent', 1, true), leg));

        // Assert
        expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`]);
        expect(metric('Fallbacks', { Kind: 'retry' })).toBe(0);
      },
    );

    it('when its leg drops and the caller is alone, dials the agent again under the stack’s label, attempt 2', async () => {
      // Arrange
      stub.on('GET', /Participants\.json$/, listOf(participant(CALLER, 'caller')));
      stub.on('POST', /Participants\.json$/, {
        status: 201,
        body: participantJson({
          accountSid: ACCOUNT_SID,
          conferenceSid: CONFERENCE_SID,
          callSid: sid('CA', 7),
          label: 'ai-agent',
        }),
      });

      // Act
      await handler(legStatus('completed', legQuery('agent', 1, true), SECOND_AGENT));

      // Assert
      expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${PARTICIPANTS}.json`]);
      expect(stub.requests[1].form.Label).toBe('ai-agent');
      expect(new URL(String(stub.requests[1].form.StatusCallback)).searchParams.get('attempt')).toBe('2');
    });

    it('when a warm transfer’s human never answers and only it is with the held caller, takes the caller off hold', async () => {
      // Arrange
      stub.on(
        'GET',
        /Participants\.json$/,
        listOf(participant(CALLER, 'caller', { hold: true }), participant(SECOND_AGENT, 'ai-agent-2')),
      );
      stub.on('POST', /Participants\/caller\.json$/, { status: 200, body: participant(CALLER, 'caller') });

      // Act
      await handler(
        twilioEvent({
          path: '/twilio/conference/events',
          rawQueryString: callerQuery,
          params: conferenceEventParams('participant-leave', {
            CallSid: sid('CA', 3),
            ParticipantLabel: 'human',
            ReasonParticipantLeft: 'participant_add_failed',
            ParticipantCallStatus: 'no-answer',
          }),
        }),
      );

      // Assert
      expect(calls()).toEqual([`GET ${PARTICIPANTS}.json`, `POST ${PARTICIPANTS}/caller.json`]);
      expect(stub.requests[1].form).toEqual({ Hold: 'false' });
    });

    it('when the caller leaves a conference that goes on, removes every agent and the fallback, not the human', async () => {
      // Arrange
      stub.on(
        'GET',
        /Participants\.json$/,
        listOf(
          participant(AGENT_LEG, 'ai-agent'),
          participant(SECOND_AGENT, 'ai-agent-2'),
          participant(sid('CA', 8), 'fallback'),
          participant(sid('CA', 3), 'human'),
        ),
      );
      stub.on('DELETE', /Participants\/CA\w+\.json$/, { status: 204 });

      // Act
      await handler(
        twilioEvent({
          path: '/twilio/conference/events',
          rawQueryString: callerQuery,
          params: conferenceEventParams('participant-leave', {
            EndConferenceOnExit: 'false',
            ReasonParticipantLeft: 'participant_hung_up',
          }),
        }),
      );

      // Assert
      expect(calls()).toEqual([
        `GET ${PARTICIPANTS}.json`,
        `DELETE ${PARTICIPANTS}/${AGENT_LEG}.json`,
        `DELETE ${PARTICIPANTS}/${SECOND_AGENT}.json`,
        `DELETE ${PARTICIPANTS}/${sid('CA', 8)}.json`,
      ]);
    });
  });
});
