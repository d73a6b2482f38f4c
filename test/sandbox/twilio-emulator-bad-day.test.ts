/**
 * The Twilio emulator on a bad day, driven by the real `twilio` client and real HTTP on 127.0.0.1: per-leg status
 * callbacks, agent and human legs that are busy, fail, ring out or are refused (participant-leave with
 * participant_add_failed), the CPS queue with `queue_time`, `<Connect action>` when the agent drops or ends a
 * ConversationRelay session with handoffData, and conference callbacks that fail (16011, not retried).
 * Every REST exchange is still checked against Twilio's OpenAPI spec.
 */
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { createTwilioClient, type TwilioRestClient } from '../../lambdas/shared/twilio-client';
import { startSandbox } from '../../sandbox';
import { SampleAgent } from '../../sandbox/sample-agent';
import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from '../../sandbox/twilio';
import { CallRateQueue } from '../../sandbox/twilio/call-rate';
import { connectActionParams } from '../../sandbox/twilio/connect-action';
import { LegScript } from '../../sandbox/twilio/leg-script';
import { streamFailureCode } from '../../sandbox/twilio/media-stream';
import { scaledClock } from '../../sandbox/twilio/time';
import { shouldRetry } from '../../sandbox/twilio/webhook-client';
import { specProblems } from '../lambdas/support/openapi';
import { resourceProblems } from './support/response-schema';
import { WebhookServer, type ReceivedWebhook } from './support/webhook-server';

const NUMBER = '+15550001111';
const CALLER = '+15557654321';
const RFC2822 = /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const ALL_CALL_EVENTS: ('initiated' | 'ringing' | 'answered' | 'completed')[] = [
  'initiated',
  'ringing',
  'answered',
  'completed',
];

function xml(build: (r: VoiceResponse) => void): { body: string } {
  const response = new VoiceResponse();
  build(response);
  return { body: response.toString() };
}

describe('CallRateQueue (Twilio CPS)', () => {
  describe.each([
    // [cps, arrival times in ms, expected queue times in ms]
    [1, [0, 0, 0], [0, 1000, 2000]],
    [1, [0, 400, 2500], [0, 600, 0]],
    [2, [0, 0, 0, 0], [0, 500, 1000, 1500]],
    [30, [0, 0], [0, 33]],
    [Number.POSITIVE_INFINITY, [0, 0, 0], [0, 0, 0]],
  ])('at %p calls per second', (cps, arrivals, expected) => {
    it(`when creates arrive at ${arrivals.join(', ')} ms, they queue ${expected.join(', ')} ms`, () => {
      let now = 0;
      const queue = new CallRateQueue(cps, { clock: () => now });

      const waits = arrivals.map((at) => {
        now = at;
        return queue.reserve();
      });

      expect(waits).toEqual(expected);
    });
  });

  it.each([0, -1, Number.NaN])('when the rate is %p, it refuses it', (cps) => {
    expect(() => new CallRateQueue(cps, { clock: () => 0 })).toThrow(/positive/);
  });

  describe.each([
    // [time scale (real ms per Twilio ms), real arrival times in ms, expected queue times in Twilio ms]
    [1, [0, 30, 60], [0, 970, 1940]],
    [0.001, [0, 30, 60], [0, 0, 0]],
    [0.01, [0, 5, 10], [0, 500, 1000]],
  ])('on Twilio’s clock at time scale %p', (timeScale, arrivals, expected) => {
    it(`when creates arrive at ${arrivals.join(', ')} real ms at 1 cps, they queue ${expected.join(', ')} Twilio ms`, () => {
      // Arrange: the emulator's default clock, read through a real clock the test moves
      let realNow = 0;
      const queue = new CallRateQueue(1, { clock: scaledClock(timeScale, () => realNow) });

      // Act
      const waits = arrivals.map((at) => {
        realNow = at;
        return queue.reserve();
      });

      // Assert
      expect(waits).toEqual(expected);
    });
  });
});

describe('streamFailureCode (Twilio error pages)', () => {
  it.each([
    ['stream', 'refused', 31902],
    ['stream', 'timeout', 31901],
    ['stream', 'handshake', 31920],
    ['stream', 'other', 31920],
    ['conversation-relay', 'refused', 64102],
    ['conversation-relay', 'handshake', 64102],
  ] as const)('when a %s WebSocket fails (%s), the Debugger code is %i', (kind, failure, code) => {
    expect(streamFailureCode(kind, failure)).toBe(code);
  });
});

describe('connectActionParams', () => {
  const VX = 'VX00000000000000000000000000000001';

  it.each([
    [
      'the agent ended with handoffData',
      { by: 'agent', handoffData: '{"to":"human"}' },
      { SessionStatus: 'ended', HandoffData: '{"to":"human"}' },
    ],
    ['the agent closed the socket', { by: 'agent' }, { SessionStatus: 'ended' }],
    [
      'the WebSocket failed',
      { by: 'error', message: 'handshake answered 500', failure: 'handshake' },
      { SessionStatus: 'failed' },
    ],
    ['the call ended it', 'call-ended', { SessionStatus: 'completed' }],
  ] as const)('when a ConversationRelay session ends because %s, the action carries %j', (_name, end, expected) => {
    expect(connectActionParams('ConversationRelay', VX, end, 7)).toEqual({
      SessionId: VX,
      SessionDuration: '7',
      ...expected,
    });
  });

  it('when a <Stream> ends, the action carries only the standard call parameters', () => {
    expect(connectActionParams('Stream', 'MZ00000000000000000000000000000001', { by: 'agent' }, 3)).toEqual({});
  });
});

describe('LegScript', () => {
  it('when a next-leg rule and a standing rule both match, the next-leg rule is used once, then the standing one', () => {
    const script = new LegScript().leg('client:alice', 'no-answer').nextLeg('client:alice', 'busy');

    const outcomes = [1, 2, 3].map(() => script.takeOutcome('client:alice'));

    expect(outcomes).toEqual(['busy', 'no-answer', 'no-answer']);
  });

  it('when an app: leg carries custom parameters, a rule for the bare app: address matches it', () => {
    const app = 'app:AP00000000000000000000000000000001';
    const script = new LegScript().nextLeg(app, 'failed');

    expect(script.takeOutcome(`${app}?ticket=T-1`)).toBe('failed');
    expect(script.takeOutcome(`${app}?ticket=T-1`)).toBeUndefined();
  });

  it('when a rule names *, it matches any destination; a refusal is used the given number of times', () => {
    const script = new LegScript().nextLeg('*', 'busy').rejectCreate('+15550009999', 21215, { times: 2 });

    expect([script.takeOutcome('sip:bob@example.com'), script.takeOutcome('+15550001234')]).toEqual([
      'busy',
      undefined,
    ]);
    expect([1, 2, 3].map(() => script.takeRejection('+15550009999')?.code)).toEqual([21215, 21215, undefined]);
  });
});

describe('shouldRetry (connection overrides rc/rp)', () => {
  it.each([
    // [answer, retry policy, retried?]
    [{ status: null, error: 'connection' }, undefined, true],
    [{ status: 500 }, undefined, false],
    [{ status: 500 }, ['5xx'], true],
    [{ status: 404 }, ['5xx'], false],
    [{ status: 404 }, ['4xx'], true],
    [{ status: 204 }, ['all'], false],
    [{ status: 503 }, ['all'], true],
    [{ status: null, error: 'timeout' }, ['rt'], true],
    [{ status: null, error: 'connection' }, ['rt'], false],
    [{ status: null, error: 'connection' }, ['5xx', 'ct'], true],
  ] as const)('when the answer is %j and rp is %j, it retries: %p', (answer, rp, retried) => {
    expect(shouldRetry({ error: undefined, ...answer }, rp)).toBe(retried);
  });
});

describe('Twilio emulator on a bad day', () => {
  let emu: TwilioEmulator;
  let hooks: WebhookServer;
  let agent: SampleAgent;
  let client: TwilioRestClient;
  let appSid: string;
  /** What the events route adds when the caller joins (tests change it before placing the call). */
  let agentCreate: Record<string, unknown>;
  /** The TwiML App's answer (tests change it). */
  let agentTwiml: (hook: ReceivedWebhook) => { body: string };

  async function start(options: TwilioEmulatorOptions = {}): Promise<void> {
    emu = await startTwilioEmulator(options);
    hooks = await new WebhookServer(emu.authToken).start();
    agent = await new SampleAgent().start();
    client = createTwilioClient({
      accountSid: emu.accountSid,
      username: emu.accountSid,
      password: emu.authToken,
      baseUrl: emu.baseUrl,
    });
    appSid = (
      await client.api.v2010.account.applications.create({ friendlyName: 'agent', voiceUrl: `${hooks.baseUrl}/agent` })
    ).sid;
    emu.addIncomingNumber(NUMBER, { voiceUrl: `${hooks.baseUrl}/inbound` });
    agentCreate = {};
    agentTwiml = () => xml((r) => r.connect({ action: `${hooks.baseUrl}/connect-action` }).stream({ url: agent.url }));
    hooks.route('/inbound', (hook) =>
      xml((r) =>
        r.dial().conference(
          {
            participantLabel: 'caller',
            endConferenceOnExit: true,
            statusCallback: `${hooks.baseUrl}/events`,
            statusCallbackEvent: ['start', 'end', 'join', 'leave'],
          },
          `conf-${hook.params.CallSid}`,
        ),
      ),
    );
    hooks.route('/events', async (hook) => {
      if (hook.params.StatusCallbackEvent === 'participant-join' && hook.params.ParticipantLabel === 'caller') {
        await client.api.v2010.account.conferences(hook.params.ConferenceSid).participants.create({
          from: NUMBER,
          to: `app:${appSid}?ticket=T-42`,
          label: 'ai-agent',
          statusCallback: `${hooks.baseUrl}/status`,
          statusCallbackEvent: ALL_CALL_EVENTS,
          ...agentCreate,
        });
      }
      return { status: 204 };
    });
    hooks.route('/status', () => ({ status: 204 }));
    hooks.route('/agent', (hook) => agentTwiml(hook));
  }

  afterEach(async () => {
    await emu?.stop();
    await hooks?.stop();
    await agent?.stop();
  });

  const conferenceEvents = (name: string) => hooks.on('/events').filter((h) => h.params.StatusCallbackEvent === name);
  const statuses = () => hooks.on('/status').map((h) => h.params.CallStatus);
  const agentLeave = () => conferenceEvents('participant-leave').find((h) => h.params.ParticipantLabel === 'ai-agent');
  const createAnswers = () => emu.requests.filter((r) => r.operationId === 'CreateParticipant');

  /** Every REST request was a valid spec request, and every participant create answer has the spec's shape. */
  function expectSpecShapes(): void {
    for (const r of emu.requests)
      expect(specProblems(r.method, r.path, r.form, new URLSearchParams(r.query))).toEqual([]);
    for (const r of createAnswers().filter((a) => a.status === 201))
      expect(
        resourceProblems('api.v2010.account.conference.participant', r.responseBody as Record<string, unknown>),
      ).toEqual([]);
  }

  describe('participant status callbacks', () => {
    beforeEach(() => start());

    it('when the agent leg answers and is later removed, its StatusCallback gets initiated, ringing, in-progress, completed with the call parameters', async () => {
      // Arrange
      const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      const session = await agent.waitForSession(() => true, 3000);

      // Act
      const conferenceSid = conferenceEvents('participant-join')[0].params.ConferenceSid;
      await client.api.v2010.account.conferences(conferenceSid).participants('ai-agent').remove();
      await emu.waitUntil(() => statuses().includes('completed'), 3000, 'completed callback');
      await emu.settle();

      // Assert
      const callbacks = hooks.on('/status');
      expect(statuses()).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
      expect(callbacks.map((h) => h.params.SequenceNumber)).toEqual(['0', '1', '2', '3']);
      for (const h of callbacks) {
        expect(h.signatureValid).toBe(true);
        expect(h.params).toMatchObject({
          AccountSid: emu.accountSid,
          ApiVersion: '2010-04-01',
          CallSid: session.callSid,
          From: NUMBER,
          To: `app:${appSid}`,
          Caller: NUMBER,
          Called: `app:${appSid}`,
          Direction: 'outbound-api',
          CallbackSource: 'call-progress-events',
          Timestamp: expect.stringMatching(RFC2822),
        });
      }
      expect(callbacks[3].params.CallDuration).toMatch(/^\d+$/);
      expect(callSid).not.toBe(session.callSid);
      expectSpecShapes();
    });

    it('when StatusCallbackMethod is GET, the callbacks arrive as signed GETs with the parameters in the query', async () => {
      agentCreate = { statusCallbackMethod: 'GET', statusCallbackEvent: ['initiated', 'answered'] };

      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => hooks.on('/status').length === 2, 3000, 'two callbacks');

      const callbacks = hooks.on('/status');
      expect(callbacks.map((h) => h.method)).toEqual(['GET', 'GET']);
      expect(callbacks.map((h) => new URLSearchParams(h.rawQuery).get('CallStatus'))).toEqual([
        'initiated',
        'in-progress',
      ]);
      expect(callbacks.every((h) => h.signatureValid)).toBe(true);
    });
  });

  describe.each([
    ['busy', 'busy'],
    ['failed', 'failed'],
    ['no-answer', 'no-answer'],
  ] as const)('when the agent leg is %s', (outcome, callStatus) => {
    beforeEach(() => start());

    it(`the create answers 201 queued, then participant-leave reports participant_add_failed with ${callStatus}`, async () => {
      // Arrange
      emu.script.nextLeg(`app:${appSid}`, outcome);
      agentCreate = { timeout: 10 };

      // Act
      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => agentLeave() !== undefined, 3000, 'agent participant-leave');
      await emu.settle();

      // Assert
      const [create] = createAnswers();
      expect(create.status).toBe(201);
      expect(create.responseBody).toMatchObject({ status: 'queued', label: 'ai-agent', queue_time: '0' });
      expect(agentLeave()?.params).toMatchObject({
        ReasonParticipantLeft: 'participant_add_failed',
        ParticipantCallStatus: callStatus,
        CallSid: (create.responseBody as { call_sid: string }).call_sid,
      });
      expect(conferenceEvents('participant-join').map((h) => h.params.ParticipantLabel)).toEqual(['caller']);
      expect(statuses()).toEqual(['initiated', 'ringing', callStatus]);
      expect(hooks.on('/agent')).toEqual([]);
      expect(agent.sessions).toEqual([]);
      expectSpecShapes();
    });
  });

  describe('humans who do not answer', () => {
    beforeEach(() => start());

    it.each(['client:alice', '+15553330000', 'sip:bob@example.com'])(
      'when %s rings out, its leg ends no-answer and the conference reports participant_add_failed',
      async (human) => {
        emu.script.leg(human, 'no-answer');
        const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
        await agent.waitForSession(() => true, 3000);
        const conferenceSid = conferenceEvents('participant-join')[0].params.ConferenceSid;

        const created = await client.api.v2010.account.conferences(conferenceSid).participants.create({
          from: NUMBER,
          to: human,
          label: 'human',
          timeout: 15,
          statusCallback: `${hooks.baseUrl}/status`,
          statusCallbackEvent: ALL_CALL_EVENTS,
        });
        await emu.waitUntil(
          () => conferenceEvents('participant-leave').some((h) => h.params.ParticipantLabel === 'human'),
          3000,
          'human leave',
        );

        expect(created.status).toBe('queued');
        expect(
          conferenceEvents('participant-leave').find((h) => h.params.ParticipantLabel === 'human')?.params,
        ).toMatchObject({ ReasonParticipantLeft: 'participant_add_failed', ParticipantCallStatus: 'no-answer' });
        expect(emu.call(created.callSid)?.status).toBe('no-answer');
        expect(emu.call(callSid)?.status).toBe('in-progress');
        expectSpecShapes();
      },
    );
  });

  describe('a cold transfer with <Dial> to a human who does not answer', () => {
    it('when the dialled client rings out, its noun statusCallback and the Dial action report no-answer, and the leg never queued', async () => {
      // Arrange: two API-created calls fill the 1-CPS queue first (they arrive at one Twilio instant).
      await start({ callsPerSecond: 1, queueClock: () => 0 });
      emu.script.leg('client:alice', 'no-answer');
      hooks.route('/inbound', () =>
        xml((r) =>
          r
            .dial({ action: `${hooks.baseUrl}/dial-action`, timeout: 10 })
            .client({ statusCallback: `${hooks.baseUrl}/status`, statusCallbackEvent: ALL_CALL_EVENTS }, 'alice'),
        ),
      );
      hooks.route('/dial-action', () => xml((r) => r.hangup()));
      const queued = await Promise.all(
        ['+15553330001', '+15553330002'].map((to) =>
          client.api.v2010.account.calls.create({
            from: NUMBER,
            to,
            twiml: '<Response><Pause length="5"/></Response>',
          }),
        ),
      );

      // Act
      const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => hooks.on('/dial-action').length === 1, 3000, 'dial action');

      // Assert
      expect(statuses()).toEqual(['initiated', 'ringing', 'no-answer']);
      expect(hooks.on('/status').every((h) => h.signatureValid && h.params.Direction === 'outbound-dial')).toBe(true);
      expect(hooks.on('/dial-action')[0].params).toMatchObject({ CallSid: callSid, DialCallStatus: 'no-answer' });
      const [child] = await client.api.v2010.account.calls.list({ parentCallSid: callSid });
      expect(child.queueTime).toBe('0');
      expect(Math.max(...queued.map((c) => Number(c.queueTime)))).toBeGreaterThan(0);
    });
  });

  describe('creates Twilio refuses', () => {
    beforeEach(() => start());

    it('when a create to a destination is scripted as refused, it answers the Twilio error and dials nobody', async () => {
      emu.script.rejectCreate('client:alice', 21215, { message: 'Account not authorized to call client:alice' });
      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await agent.waitForSession(() => true, 3000);
      const conferenceSid = conferenceEvents('participant-join')[0].params.ConferenceSid;
      const calls = emu.events.filter((e) => e.type === 'call-created').length;

      const refused = client.api.v2010.account
        .conferences(conferenceSid)
        .participants.create({ from: NUMBER, to: 'client:alice' });

      await expect(refused).rejects.toMatchObject({ status: 400, code: 21215 });
      expect(emu.events.filter((e) => e.type === 'call-created')).toHaveLength(calls);
      const again = await client.api.v2010.account
        .conferences(conferenceSid)
        .participants.create({ from: NUMBER, to: 'client:alice' });
      expect(again.callSid).toMatch(/^CA[0-9a-f]{32}$/);
    });
  });

  describe('the calls-per-second queue', () => {
    it('when three participants are created at once at 1 cps, they report growing queue_time and are dialled in order', async () => {
      // Arrange: the creates arrive at one Twilio instant; 1 Twilio second lasts 20 ms here, so the queued legs are
      // dialled visibly apart.
      await start({ callsPerSecond: 1, timeScale: 0.02, queueClock: () => 0 });
      hooks.route('/inbound', () => xml((r) => r.dial().conference({ endConferenceOnExit: true }, 'room')));
      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => emu.participants('room').length === 1, 2000, 'caller in room');
      const room = emu.conferences()[0].sid;

      // Act
      const created = await Promise.all(
        ['client:a', 'client:b', 'client:c'].map((to) =>
          client.api.v2010.account.conferences(room).participants.create({
            from: NUMBER,
            to,
            statusCallback: `${hooks.baseUrl}/status`,
            statusCallbackEvent: ['initiated'],
          }),
        ),
      );
      await emu.waitUntil(() => hooks.on('/status').length === 3, 3000, 'three initiated callbacks');

      // Assert
      const queueTimes = created.map((p) => Number(p.queueTime)).sort((a, b) => a - b);
      expect(queueTimes).toEqual([0, 1000, 2000]);
      const byQueueTime = [...created].sort((a, b) => Number(a.queueTime) - Number(b.queueTime)).map((p) => p.callSid);
      expect(hooks.on('/status').map((h) => h.params.CallSid)).toEqual(byQueueTime);
      expectSpecShapes();
    });

    it('when the Calls API creates a call behind a queued one, its answer reports queue_time too', async () => {
      await start({ callsPerSecond: 1, queueClock: () => 0 });

      const [first, second] = await Promise.all([
        client.api.v2010.account.calls.create({
          from: NUMBER,
          to: '+15553330001',
          twiml: '<Response><Hangup/></Response>',
        }),
        client.api.v2010.account.calls.create({
          from: NUMBER,
          to: '+15553330002',
          twiml: '<Response><Hangup/></Response>',
        }),
      ]);

      expect([first.queueTime, second.queueTime].map(Number).sort((a, b) => a - b)).toEqual([0, 1000]);
      for (const r of emu.requests.filter((q) => q.operationId === 'CreateCall'))
        expect(resourceProblems('api.v2010.account.call', r.responseBody as Record<string, unknown>)).toEqual([]);
    });

    it('when creates come one after another, each after the previous answer, none queues at 1 cps (Twilio’s clock)', async () => {
      // Arrange: 1 Twilio second is 0.1 real ms, less than any REST round trip apart
      await start({ callsPerSecond: 1, timeScale: 0.0001 });

      // Act
      const answers = [];
      for (const i of [1, 2, 3])
        answers.push(
          await client.api.v2010.account.calls.create({
            from: NUMBER,
            to: `+1555333000${i}`,
            twiml: '<Response><Hangup/></Response>',
          }),
        );

      // Assert
      expect(answers.map((a) => a.queueTime)).toEqual(['0', '0', '0']);
    });

    it('when the rate is unlimited, nothing queues', async () => {
      await start({ callsPerSecond: Number.POSITIVE_INFINITY });

      const answers = await Promise.all(
        [1, 2, 3].map((i) =>
          client.api.v2010.account.calls.create({
            from: NUMBER,
            to: `+1555333000${i}`,
            twiml: '<Response><Hangup/></Response>',
          }),
        ),
      );

      expect(answers.map((a) => a.queueTime)).toEqual(['0', '0', '0']);
      expect(emu.callsPerSecond).toBe(Number.POSITIVE_INFINITY);
    });
  });

  describe('<Connect action> when the agent session ends', () => {
    beforeEach(() => start());

    it('when the agent closes its Media Stream mid-call, Twilio requests the action URL and runs its TwiML on that leg', async () => {
      // Arrange
      agent.plan({ do: 'close' });
      hooks.route('/connect-action', () =>
        xml((r) => {
          r.say('The assistant dropped.');
          r.hangup();
        }),
      );

      // Act
      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => agentLeave() !== undefined, 3000, 'agent leave');

      // Assert
      const [action] = hooks.on('/connect-action');
      const agentCallSid = action.params.CallSid;
      expect(action.signatureValid).toBe(true);
      expect(action.params).toMatchObject({
        AccountSid: emu.accountSid,
        CallStatus: 'in-progress',
        Direction: 'outbound-api',
        To: `app:${appSid}`,
      });
      expect(action.params.SessionId).toBeUndefined();
      const verbs = emu.events.filter((e) => e.type === 'twiml-executed' && e.callSid === agentCallSid);
      expect(verbs.map((e) => (e as { verb: string }).verb)).toEqual(['Connect', 'Say', 'Hangup']);
      expect(agentLeave()?.params.ReasonParticipantLeft).toBe('participant_hung_up');
      expect(emu.call(agentCallSid)?.status).toBe('completed');
    });

    it('when the <Connect> has no action, the leg hangs up once the agent closes the stream', async () => {
      agentTwiml = () => xml((r) => r.connect().stream({ url: agent.url }));
      agent.plan({ do: 'close' });

      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => statuses().includes('completed'), 3000, 'agent leg completed');
      await emu.settle();

      expect(hooks.on('/connect-action')).toEqual([]);
      expect(agentLeave()?.params.ReasonParticipantLeft).toBe('participant_hung_up');
    });

    it('when the agent ends a ConversationRelay session with handoffData, the action gets SessionId, SessionStatus, SessionDuration and HandoffData', async () => {
      // Arrange
      const handoffData = JSON.stringify({ reason: 'transfer', to: 'client:alice' });
      agentTwiml = () =>
        xml((r) => r.connect({ action: `${hooks.baseUrl}/connect-action` }).conversationRelay({ url: agent.url }));
      agent.plan({ do: 'end', handoffData });
      hooks.route('/connect-action', () => xml((r) => r.hangup()));

      // Act
      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => hooks.on('/connect-action').length === 1, 3000, 'connect action');

      // Assert
      const [action] = hooks.on('/connect-action');
      expect(action.signatureValid).toBe(true);
      expect(action.params).toMatchObject({
        SessionId: expect.stringMatching(/^VX[0-9a-f]{32}$/),
        SessionStatus: 'ended',
        SessionDuration: expect.stringMatching(/^\d+$/),
        HandoffData: handoffData,
        CallStatus: 'in-progress',
      });
    });

    it('when the ConversationRelay WebSocket cannot be reached, the Debugger logs 64102 and the action gets SessionStatus failed', async () => {
      const unreachable = agent.url;
      await agent.stop();
      agentTwiml = () =>
        xml((r) => r.connect({ action: `${hooks.baseUrl}/connect-action` }).conversationRelay({ url: unreachable }));
      hooks.route('/connect-action', () => xml((r) => r.hangup()));

      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => hooks.on('/connect-action').length === 1, 3000, 'connect action');

      expect(hooks.on('/connect-action')[0].params).toMatchObject({
        SessionStatus: 'failed',
        CallStatus: 'in-progress',
      });
      expect(hooks.on('/connect-action')[0].params.HandoffData).toBeUndefined();
      expect(emu.alerts).toEqual([expect.objectContaining({ code: 64102, level: 'error', url: unreachable })]);
    });

    it('when the call ends the session (the caller hangs up), the action URL is still requested and its TwiML is not run', async () => {
      // Arrange
      agentTwiml = () =>
        xml((r) => r.connect({ action: `${hooks.baseUrl}/connect-action` }).conversationRelay({ url: agent.url }));
      hooks.route('/connect-action', () => xml((r) => r.say('nobody hears this')));
      const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await agent.waitForSession(() => true, 3000);

      // Act
      await emu.hangup(callSid);
      await emu.waitUntil(() => hooks.on('/connect-action').length === 1, 3000, 'connect action');
      await emu.settle();

      // Assert
      const [action] = hooks.on('/connect-action');
      expect(action.params).toMatchObject({ CallStatus: 'completed', SessionStatus: 'completed' });
      expect(action.params.HandoffData).toBeUndefined();
      expect(emu.events.some((e) => e.type === 'twiml-executed' && e.verb === 'Say')).toBe(false);
    });
  });

  describe('the caller hangs up while the agent is being added', () => {
    beforeEach(() => start());

    it('when the agent leg is still ringing, it is canceled and reported as participant_add_failed, canceled', async () => {
      emu.script.nextLeg(`app:${appSid}`, 'no-answer');
      const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => statuses().includes('ringing'), 3000, 'agent ringing');

      await emu.hangup(callSid);
      await emu.waitUntil(() => conferenceEvents('conference-end').length === 1, 3000, 'conference end');
      await emu.settle();

      expect(agentLeave()?.params).toMatchObject({
        ReasonParticipantLeft: 'participant_add_failed',
        ParticipantCallStatus: 'canceled',
      });
      expect(statuses().at(-1)).toBe('canceled');
      expect(agent.sessions).toEqual([]);
      expect(hooks.on('/agent')).toEqual([]);
    });
  });

  describe('status callbacks delivered twice or out of order', () => {
    beforeEach(() => start());

    it('when a conference callback is duplicated, both deliveries carry the same SequenceNumber and idempotency token, and the stable Label refuses the second agent (16026)', async () => {
      // Arrange: a receiver that acts on every delivery, as a naive handler would.
      emu.deliveries.duplicate('conference-status');
      const refusals: number[] = [];
      hooks.route('/events', async (hook) => {
        if (hook.params.StatusCallbackEvent === 'participant-join' && hook.params.ParticipantLabel === 'caller')
          await client.api.v2010.account
            .conferences(hook.params.ConferenceSid)
            .participants.create({ from: NUMBER, to: `app:${appSid}`, label: 'ai-agent' })
            .catch((error: { code: number }) => refusals.push(error.code));
        return { status: 204 };
      });

      // Act
      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await agent.waitForSession(() => true, 3000);
      await emu.settle();

      // Assert

      const [first, second, third] = hooks.on('/events');
      expect(second.params).toEqual(first.params);
      expect(second.idempotencyToken).toBe(first.idempotencyToken);
      expect(first.idempotencyToken).toMatch(/^[0-9a-f-]{36}$/);
      expect(third.idempotencyToken).not.toBe(first.idempotencyToken);
      expect([first, second].every((h) => h.signatureValid)).toBe(true);
      expect(conferenceEvents('participant-join').map((h) => h.params.ParticipantLabel)).toEqual([
        'caller',
        'caller',
        'ai-agent',
      ]);
      expect(refusals).toEqual([16026]);
      expect(agent.sessions).toHaveLength(1);
    });

    it('when a call-progress callback is held back, the later ones overtake it and SequenceNumber restores the order', async () => {
      emu.deliveries.delay('call-status', 100);

      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => hooks.on('/status').length === 3, 3000, 'three call-progress callbacks');
      await emu.settle();

      const arrived = hooks.on('/status').map((h) => [h.params.SequenceNumber, h.params.CallStatus]);
      expect(arrived).toEqual([
        ['1', 'ringing'],
        ['2', 'in-progress'],
        ['0', 'initiated'],
      ]);
    });
  });

  describe('conference callbacks that fail', () => {
    beforeEach(() => start());

    it('when the callback URL asks for retries on 5xx (#rc=2&rp=5xx), the event is sent again until it is accepted', async () => {
      let failures = 2;
      hooks.route('/inbound', () =>
        xml((r) =>
          r
            .dial()
            .conference(
              { statusCallback: `${hooks.baseUrl}/events#rc=2&rp=5xx`, statusCallbackEvent: ['join'] },
              'room',
            ),
        ),
      );
      hooks.route('/events', () => (failures-- > 0 ? { status: 500 } : { status: 204 }));

      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => hooks.on('/events').length === 3, 3000, 'three attempts');
      await emu.settle();

      expect(hooks.on('/events').map((h) => h.params.SequenceNumber)).toEqual(['1', '1', '1']);
      expect(hooks.on('/events').every((h) => h.signatureValid)).toBe(true);
      expect(emu.alerts.filter((a) => a.code === 16011)).toEqual([]);
    });

    it('when the conference status callback answers 500, Twilio logs 16011 and does not retry it', async () => {
      hooks.route('/events', () => ({ status: 500 }));

      await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => emu.alerts.some((a) => a.code === 16011), 3000, '16011');
      await emu.settle();

      expect(conferenceEvents('participant-join')).toHaveLength(1);
      expect(emu.alerts.filter((a) => a.code === 16011)).toEqual([
        expect.objectContaining({ level: 'error', url: `${hooks.baseUrl}/events` }),
      ]);
    });

    it('when a call-progress callback answers 500, Twilio logs 15003 as a warning (its page) and does not retry it', async () => {
      // Arrange
      hooks.route('/progress', () => ({ status: 500 }));

      // Act
      await client.api.v2010.account.calls.create({
        from: NUMBER,
        to: '+15553330009',
        twiml: '<Response><Hangup/></Response>',
        statusCallback: `${hooks.baseUrl}/progress`,
        statusCallbackEvent: ['completed'],
      });
      await emu.waitUntil(() => emu.alerts.some((a) => a.code === 15003), 3000, '15003');
      await emu.settle();

      // Assert
      expect(hooks.on('/progress')).toHaveLength(1);
      expect(emu.alerts.filter((a) => a.code === 15003)).toEqual([
        expect.objectContaining({ level: 'warning', url: `${hooks.baseUrl}/progress` }),
      ]);
    });
  });
});

describe('startSandbox', () => {
  it.each([
    [undefined, 1],
    [{ callsPerSecond: Number.POSITIVE_INFINITY }, Number.POSITIVE_INFINITY],
  ])('when given Twilio emulator options %p, the sandbox emulator runs at %p calls per second', async (twilio, cps) => {
    const sandbox = await startSandbox({ quiet: true, ...(twilio && { twilio }) });
    try {
      expect(sandbox.twilio.callsPerSecond).toBe(cps);
    } finally {
      await sandbox.stop();
    }
  });
});
