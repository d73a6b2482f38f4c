/**
 * The `<Connect action>` route on the events function: an agent's ConversationRelay handoff becomes the shared
 * transfer (cold or warm, with the caller's number when the CallToken came along), anything else the fallback.
 * Real handler module, real `twilio` client, a scripted Twilio stand-in on 127.0.0.1.
 */
import { datapointsIn, sumOf } from '../support/emf';
import { captureLogs } from '../support/logs';
import { type CapturedStdout, captureStdout } from '../support/stdout';
import { specProblems } from './support/openapi';
import { ACCOUNT_SID, baseEnv, callParams, loadHandler, sid, type TestHandler, twilioEvent } from './support/events';
import {
  conferenceJson,
  conferenceListPage,
  participantJson,
  participantListPage,
  type StubResponse,
  TwilioStub,
  twilioError,
} from './support/twilio-stub';

const CONFERENCE_SID = sid('CF', 5);
const CALLER = sid('CA', 1);
const AGENT_LEG = sid('CA', 2);
const HUMAN_LEG = sid('CA', 3);
const CONFERENCE = `conf-${CALLER}`;
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const PARTICIPANTS = `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants`;
const TOKEN = '%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9.eyJjYWxsU2lkIjoiQ0Ex.sig%22%7D';

/** The query the agent handler put on the action URL (written out here, not with the code's encoder). */
function actionQuery(extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    caller: '+15557654321',
    callerCallSid: CALLER,
    conference: CONFERENCE,
    ...extra,
  }).toString();
}

/** The `<Connect action>` request Twilio sends when a ConversationRelay session ends. */
function sessionEnded(handoffData: string | undefined, query = actionQuery(), callStatus = 'in-progress') {
  return twilioEvent({
    path: '/twilio/voice/agent-ended',
    rawQueryString: query,
    params: callParams({
      CallSid: AGENT_LEG,
      CallStatus: callStatus,
      Direction: 'outbound-api',
      SessionId: 'VX0123',
      SessionStatus: 'ended',
      SessionDuration: '42',
      ...(handoffData !== undefined && { HandoffData: handoffData }),
    }),
  });
}

const conferenceList = conferenceListPage(ACCOUNT_SID, [
  conferenceJson({ accountSid: ACCOUNT_SID, sid: CONFERENCE_SID, friendlyName: CONFERENCE, status: 'in-progress' }),
]);
const participant = (callSid: string, label: string, extra: { status?: string; hold?: boolean } = {}) =>
  participantJson({
    accountSid: ACCOUNT_SID,
    conferenceSid: CONFERENCE_SID,
    callSid,
    label,
    status: 'connected',
    ...extra,
  });
const created = (callSid: string, label: string): StubResponse => ({
  status: 201,
  body: participantJson({ accountSid: ACCOUNT_SID, conferenceSid: CONFERENCE_SID, callSid, label }),
});

describe('events handler: the agent asks for a human (<Connect action> with HandoffData)', () => {
  const saved = process.env;
  const logs = captureLogs();
  let stub: TwilioStub;
  let handler: TestHandler;
  const calls = () => stub.requests.map((r) => `${r.method} ${r.path}`);
  const creates = () => stub.requests.filter((r) => r.method === 'POST' && r.path === `${PARTICIPANTS}.json`);
  let stdout: CapturedStdout;
  const metric = (name: string, dimensions: Record<string, string>) =>
    sumOf(datapointsIn(stdout.lines), name, { Service: 'events', ...dimensions });

  function load(env: Record<string, string> = {}) {
    handler = loadHandler(
      require.resolve('../../lambdas/events'),
      baseEnv({
        TWILIO_API_BASE_URL: stub.baseUrl,
        SERVICE_NAME: 'events',
        LOG_LEVEL: 'info',
        ALLOWED_DIAL_TARGETS: '+1555*,client:*',
        HANDOFF_QUEUES: 'billing=+15551230000,support=client:support',
        ...env,
      }),
    );
  }

  beforeEach(async () => {
    stub = await new TwilioStub().start();
    stdout = captureStdout();
    stub.on('GET', /Conferences\.json$/, conferenceList);
    stub.on('POST', /Participants\.json$/, created(HUMAN_LEG, 'human'));
    stub.on('POST', /Participants\/caller\.json$/, {
      status: 200,
      body: participant(CALLER, 'caller', { hold: true }),
    });
    load();
  });
  afterEach(async () => {
    stdout.restore();
    await stub.stop();
  });
  afterAll(() => {
    process.env = saved;
  });

  describe.each([
    ['a queue', '{"reason":"billing dispute","queue":"billing"}', '+15551230000'],
    ['a target', '{"reason":"asked for a person","target":"client:alice","type":"cold"}', 'client:alice'],
  ])('when the agent hands off cold to %s', (_case, handoffData, target) => {
    it('dials the human as the participants API would and hangs the agent leg up', async () => {
      const response = await handler(sessionEnded(handoffData));

      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/<Response><Hangup\/><\/Response>$/);
      expect(calls()).toEqual([`GET ${ACCOUNT}/Conferences.json`, `POST ${PARTICIPANTS}.json`]);
      const [create] = creates();
      expect(create.form).toMatchObject({
        To: target,
        From: '+15550001111',
        Label: 'human',
        EndConferenceOnExit: 'false',
      });
      expect(create.form.CallToken).toBeUndefined();
      expect(specProblems('POST', create.path, create.form)).toEqual([]);
    });
  });

  it('when the agent hands off warm, holds the caller, dials the human and sends the agent leg back to the agent to brief them', async () => {
    const response = await handler(sessionEnded('{"reason":"r","queue":"support","type":"warm"}'));

    expect(calls()).toEqual([
      `GET ${ACCOUNT}/Conferences.json`,
      `POST ${PARTICIPANTS}/caller.json`,
      `POST ${PARTICIPANTS}.json`,
    ]);
    expect(stub.requests[1].form).toEqual({ Hold: 'true' });
    expect(creates()[0].form.To).toBe('client:support');
    const redirect =
      /<Redirect method="POST">([^<]+)<\/Redirect>/.exec(response.body)?.[1].replace(/&amp;/g, '&') ?? '';
    const url = new URL(redirect);
    expect(url.pathname).toBe('/twilio/voice/agent');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      caller: '+15557654321',
      callerCallSid: CALLER,
      conference: CONFERENCE,
      handoff: 'warm',
    });
  });

  it('when the briefing session of a warm handoff ends, takes the caller off hold, removes the agent and hangs its leg up', async () => {
    // Arrange
    stub.on('DELETE', /Participants\/CA\w+\.json$/, { status: 204 });
    const people = [participant(CALLER, 'caller'), participant(HUMAN_LEG, 'human')];
    stub.sequence('GET', /Participants\.json$/, [
      participantListPage(ACCOUNT_SID, CONFERENCE_SID, [...people, participant(AGENT_LEG, 'ai-agent')]),
      participantListPage(ACCOUNT_SID, CONFERENCE_SID, [...people, participant(AGENT_LEG, 'ai-agent')]),
      participantListPage(ACCOUNT_SID, CONFERENCE_SID, people),
    ]);

    // Act
    const response = await handler(sessionEnded(undefined, actionQuery({ handoff: 'warm' })));

    // Assert
    expect(response.body).toMatch(/<Response><Hangup\/><\/Response>$/);
    expect(calls()).toEqual([
      `GET ${ACCOUNT}/Conferences.json`,
      `GET ${PARTICIPANTS}.json`,
      `POST ${PARTICIPANTS}/caller.json`,
      `GET ${PARTICIPANTS}.json`,
      `DELETE ${PARTICIPANTS}/${AGENT_LEG}.json`,
      `GET ${PARTICIPANTS}.json`,
    ]);
    expect(stub.requests[2].form).toEqual({ Hold: 'false' });
  });

  it('when the briefing session ends after the human has gone, changes nothing and hangs the agent leg up (its end brings the recovery)', async () => {
    stub.on(
      'GET',
      /Participants\.json$/,
      participantListPage(ACCOUNT_SID, CONFERENCE_SID, [
        participant(CALLER, 'caller'),
        participant(AGENT_LEG, 'ai-agent'),
      ]),
    );

    const response = await handler(sessionEnded(undefined, actionQuery({ handoff: 'warm' })));

    expect(response.body).toMatch(/<Response><Hangup\/><\/Response>$/);
    expect(calls()).toEqual([`GET ${ACCOUNT}/Conferences.json`, `GET ${PARTICIPANTS}.json`]);
  });

  describe('when the action URL carries the inbound call CallToken', () => {
    it("presents the caller's number to the human with the token, and never logs the token", async () => {
      await handler(sessionEnded('{"reason":"r","queue":"billing"}', actionQuery({ callToken: TOKEN })));

      expect(creates()[0].form).toMatchObject({ From: '+15557654321', CallToken: TOKEN, To: '+15551230000' });
      expect(specProblems('POST', creates()[0].path, creates()[0].form)).toEqual([]);
      expect(logs.records().find((r) => r.message === 'handoff transfer started')).toMatchObject({
        callerId: 'caller',
      });
      expect(JSON.stringify(logs.records())).not.toContain('parentCallInfoToken');
    });

    it("when Twilio refuses the caller's number (21210), dials again from the stack's number", async () => {
      stub.sequence('POST', /Participants\.json$/, [
        twilioError(
          400,
          21210,
          'The source phone number provided, +15557654321, is not yet verified for your account.',
        ),
        created(HUMAN_LEG, 'human'),
      ]);

      const response = await handler(
        sessionEnded('{"reason":"r","queue":"billing"}', actionQuery({ callToken: TOKEN })),
      );

      expect(response.body).toMatch(/<Hangup\/>/);
      expect(creates().map((c) => [c.form.From, c.form.CallToken])).toEqual([
        ['+15557654321', TOKEN],
        ['+15550001111', undefined],
      ]);
      expect(logs.records().find((r) => r.message === 'handoff transfer started')).toMatchObject({ callerId: 'stack' });
      expect(JSON.stringify(logs.records())).not.toContain('parentCallInfoToken');
    });
  });

  describe.each([
    ['malformed JSON', '{"reason": "r", "queue": '],
    ['an unknown queue', '{"reason":"r","queue":"sales"}'],
    ['a target off the dial allow-list', '{"reason":"r","target":"+4420700000"}'],
    ['no reason', '{"queue":"billing"}'],
  ])('when the handoff is %s', (_case, handoffData) => {
    it('dials nobody it names and ends the call with the fallback message (no fallback target set)', async () => {
      stub.on('POST', /Calls\/CA[0-9a-f]+\.json$/, { status: 200, body: { sid: CALLER, status: 'in-progress' } });

      const response = await handler(sessionEnded(handoffData));

      expect(response.body).toMatch(/<Response><Hangup\/><\/Response>$/);
      expect(calls()).toEqual([`GET ${ACCOUNT}/Conferences.json`, `POST ${ACCOUNT}/Calls/${CALLER}.json`]);
      expect(String(stub.requests[1].form.Twiml)).toContain('<Say>We are sorry');
      expect(metric('TransferOutcomes', { Outcome: 'failed' })).toBe(1);
      expect(metric('Fallbacks', { Kind: 'message' })).toBe(1);
      expect(JSON.stringify(logs.records())).not.toContain('"r"');
    });
  });

  it('when the handoff cannot be followed and a fallback target is set, dials the fallback target', async () => {
    load({ FALLBACK_TARGET: '+15550009999' });
    stub.on('POST', /Participants\.json$/, created(sid('CA', 8), 'fallback'));

    await handler(sessionEnded('not json'));

    expect(creates()[0].form).toMatchObject({ To: '+15550009999', Label: 'fallback' });
    expect(metric('Fallbacks', { Kind: 'target' })).toBe(1);
  });

  it("when Twilio refuses the human's leg (e.g. 21215 geo permissions), takes the fallback", async () => {
    stub.on('POST', /Participants\.json$/, twilioError(400, 21215, 'Account not authorized to call +15551230000.'));
    stub.on('POST', /Calls\/CA[0-9a-f]+\.json$/, { status: 200, body: { sid: CALLER, status: 'in-progress' } });

    const response = await handler(sessionEnded('{"reason":"r","queue":"billing"}'));

    expect(response.body).toMatch(/<Hangup\/>/);
    expect(calls()).toContain(`POST ${ACCOUNT}/Calls/${CALLER}.json`);
    expect(metric('TransferOutcomes', { Outcome: 'failed' })).toBe(1);
  });

  it.each([
    ['no HandoffData (the stream or session ended)', sessionEnded(undefined)],
    [
      'the call ended the session (CallStatus completed)',
      sessionEnded('{"reason":"r","queue":"billing"}', actionQuery(), 'completed'),
    ],
  ])('when %s, hangs the agent leg up and leaves the rest to the leg status callback', async (_case, event) => {
    const response = await handler(event);

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<Response><Hangup\/><\/Response>$/);
    expect(stub.requests).toEqual([]);
  });
});
