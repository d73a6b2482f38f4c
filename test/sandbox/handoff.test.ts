/**
 * Humans in the loop end to end (issue 13): the AI asks for a human and the human sees the caller's number. The
 * built bundles behind the API Gateway emulator, the Twilio emulator (CallToken issued on the inbound call,
 * accepted on a participant create only for that live call, 21210 otherwise), the sample agent ending its
 * ConversationRelay session with `handoffData`, or (Media Streams) calling the participants API itself.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import type { AgentSession } from '../../sandbox/sample-agent';

const BILLING = '+15550002222';
const HUMAN = '+15550003333';
const config = {
  allowedDialTargets: JSON.stringify(['+1555*', 'client:*']),
  handoffQueues: JSON.stringify([`billing=${BILLING}`]),
};

const conferenceOf = (callSid: string) => `conf-${callSid}`;
const labels = (sandbox: Sandbox, callSid: string) =>
  sandbox.twilio
    .participants(conferenceOf(callSid))
    .filter((p) => p.status === 'connected')
    .map((p) => p.label)
    .sort();
const humanCall = (sandbox: Sandbox, callSid: string, label = 'human') => {
  const human = sandbox.twilio.participants(conferenceOf(callSid)).find((p) => p.label === label);
  return human && sandbox.twilio.call(human.callSid);
};
const ofCall = (callSid: string) => (s: AgentSession) => s.customParameters?.callerCallSid === callSid;

describe('with a ConversationRelay agent that hands off through handoffData', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      quiet: true,
      agentMode: 'conversation-relay',
      config,
      twilio: { callsPerSecond: Number.POSITIVE_INFINITY },
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const call = async (from: string) => (await sandbox.placeInboundCall({ from })).callSid;

  it("when the agent hands off cold to a queue, the queue's human joins the caller, sees the caller's number (CallToken) and the agent leaves", async () => {
    // Arrange
    sandbox.agent!.plan(
      { do: 'end', handoffData: JSON.stringify({ reason: 'billing dispute', queue: 'billing' }), afterMs: 20 },
      (s) => s.customParameters?.caller === '+15557650001',
    );

    // Act
    const callSid = await call('+15557650001');
    await sandbox.twilio.waitUntil(
      () => labels(sandbox, callSid).join() === 'caller,human',
      10_000,
      'caller and human, agent gone',
    );

    // Assert
    const human = humanCall(sandbox, callSid);
    expect(human?.to).toBe(BILLING);
    expect(human?.from).toBe('+15557650001');
    const create = sandbox.twilio.requests.find((r) => r.path.endsWith('/Participants.json') && r.form.To === BILLING);
    expect(create?.form.CallToken).toBe(sandbox.twilio.call(callSid)?.callToken);
    expect(sandbox.twilio.alerts.filter((a) => a.level === 'error')).toEqual([]);
  });

  it('when the agent hands off warm, the caller waits on hold while the agent briefs the human, then the caller and the human talk', async () => {
    // Arrange
    const from = '+15557650002';
    sandbox.agent!.plan(
      {
        do: 'end',
        handoffData: JSON.stringify({ reason: 'needs a person', target: HUMAN, type: 'warm' }),
        afterMs: 20,
      },
      (s) => s.customParameters?.caller === from && s.customParameters?.handoff === undefined,
    );
    sandbox.agent!.plan(
      { do: 'end', afterMs: 50 },
      (s) => s.customParameters?.caller === from && s.customParameters?.handoff === 'warm',
    );

    // Act
    const callSid = await call(from);
    const briefing = await sandbox.agent!.waitForSession(
      (s) => ofCall(callSid)(s) && s.customParameters?.handoff === 'warm',
      10_000,
    );
    const onHoldWhileBriefing = sandbox.twilio
      .participants(conferenceOf(callSid))
      .find((p) => p.label === 'caller')?.hold;
    await sandbox.twilio.waitUntil(
      () =>
        labels(sandbox, callSid).join() === 'caller,human' &&
        sandbox.twilio.participants(conferenceOf(callSid)).find((p) => p.label === 'caller')?.hold === false,
      10_000,
      'caller back, off hold, with the human; agent gone',
    );

    // Assert
    expect(briefing.kind).toBe('conversation-relay');
    expect(onHoldWhileBriefing).toBe(true);
    expect(humanCall(sandbox, callSid)?.to).toBe(HUMAN);
  });

  it.each([
    ['malformed JSON', '{"reason": "billing", "queue": '],
    ['an unknown queue', JSON.stringify({ reason: 'r', queue: 'sales' })],
    ['a target off the dial allow-list', JSON.stringify({ reason: 'r', target: '+4420700000' })],
  ])(
    'when the handoff is %s, nobody it names is dialled and the caller hears the fallback message',
    async (_c, data) => {
      // Arrange
      const from = `+1555765${String(1000 + Math.floor(Math.random() * 8999))}`;
      sandbox.agent!.plan({ do: 'end', handoffData: data, afterMs: 20 }, (s) => s.customParameters?.caller === from);

      // Act
      const callSid = await call(from);
      await sandbox.twilio.waitUntil(
        () => sandbox.twilio.call(callSid)?.status === 'completed',
        10_000,
        'caller ended',
      );

      // Assert
      const updates = sandbox.twilio.requests.filter((r) => r.path.endsWith(`/Calls/${callSid}.json`));
      expect(String(updates[0]?.form.Twiml)).toContain('We are sorry');
      expect(sandbox.twilio.participants(conferenceOf(callSid)).some((p) => p.label === 'human')).toBe(false);
    },
  );

  it("when Twilio refuses the caller's number (21210), the human is dialled from the stack's number", async () => {
    // Arrange
    const from = '+15557650003';
    sandbox.twilio.script.rejectCreate(BILLING, 21210, { times: 1 });
    sandbox.agent!.plan(
      { do: 'end', handoffData: JSON.stringify({ reason: 'r', queue: 'billing' }), afterMs: 20 },
      (s) => s.customParameters?.caller === from,
    );

    // Act
    const callSid = await call(from);
    await sandbox.twilio.waitUntil(() => labels(sandbox, callSid).join() === 'caller,human', 10_000, 'human joined');

    // Assert
    expect(humanCall(sandbox, callSid)?.from).toBe(sandbox.phoneNumber);
  });
});

describe('with a Media Streams agent that hands off by calling the participants API', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      quiet: true,
      config: {
        ...config,
        // The agent service gets the CallToken only when the deployer allow-lists it (it is a secret in logs).
        agentContextAllowlist: JSON.stringify(['caller', 'callerCallSid', 'conference', 'callToken']),
      },
      twilio: { callsPerSecond: Number.POSITIVE_INFINITY },
    });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("transfers the caller named by the conference in its start parameters, and the human sees the caller's number", async () => {
    // Arrange
    const from = '+15557650004';
    sandbox.agent!.plan(
      {
        do: 'transfer',
        api: { baseUrl: sandbox.apiBaseUrl, token: sandbox.apiToken },
        body: (p) => ({ type: 'cold', target: HUMAN, callerId: { number: p.caller, token: p.callToken } }),
        afterMs: 20,
      },
      (s) => s.customParameters?.caller === from,
    );

    // Act
    const { callSid } = await sandbox.placeInboundCall({ from });
    await sandbox.twilio.waitUntil(
      () => labels(sandbox, callSid).join() === 'caller,human',
      10_000,
      'human, agent gone',
    );

    // Assert
    const session = await sandbox.agent!.waitForSession(ofCall(callSid));
    expect(session.kind).toBe('stream');
    expect(session.apiAnswers?.[0]).toMatchObject({ status: 201, body: { type: 'cold', callerId: 'caller' } });
    expect(humanCall(sandbox, callSid)?.from).toBe(from);
  });

  it("when the token is not that live call's (a call that ended), Twilio answers 21210 and the human sees the stack's number", async () => {
    // Arrange: the token of an earlier call that has ended.
    const earlier = await sandbox.placeInboundCall({ from: '+15557650005' });
    await sandbox.agent!.waitForSession(ofCall(earlier.callSid));
    const staleToken = sandbox.twilio.call(earlier.callSid)?.callToken ?? '';
    await sandbox.twilio.hangup(earlier.callSid);
    const from = '+15557650005';
    sandbox.agent!.plan(
      {
        do: 'transfer',
        api: { baseUrl: sandbox.apiBaseUrl, token: sandbox.apiToken },
        body: (p) => ({ type: 'cold', target: HUMAN, callerId: { number: p.caller, token: staleToken } }),
        afterMs: 20,
      },
      (s) => s.customParameters?.caller === from,
    );

    // Act
    const { callSid } = await sandbox.placeInboundCall({ from });
    await sandbox.twilio.waitUntil(() => labels(sandbox, callSid).join() === 'caller,human', 10_000, 'human joined');

    // Assert
    const session = await sandbox.agent!.waitForSession(ofCall(callSid));
    expect(session.apiAnswers?.[0]).toMatchObject({ status: 201, body: { callerId: 'stack' } });
    expect(humanCall(sandbox, callSid)?.from).toBe(sandbox.phoneNumber);
    const refused = sandbox.twilio.requests.find(
      (r) => r.path.endsWith('/Participants.json') && r.form.CallToken === staleToken,
    );
    expect(refused?.status).toBe(400);
  });
});
