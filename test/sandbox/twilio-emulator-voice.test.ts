/**
 * The Twilio emulator's voice side against real local webhook servers and a WebSocket agent: the inbound call
 * flow into a conference, the app: participant with custom parameters reaching the Media Stream `start`,
 * signed webhooks, hold/unhold, removal, conference end, TwiML failures and the Debugger.
 */
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { createTwilioClient, type TwilioRestClient } from '../../lambdas/shared/twilio-client';
import { startTwilioEmulator, type EmulatorEvent, type TwilioEmulator } from '../../sandbox/twilio';
import { AgentSocketServer, WebhookServer, type ReceivedWebhook } from './support/webhook-server';

const NUMBER = '+15550001111';
const CALLER = '+15557654321';
const CONTEXT = { caller: CALLER, note: 'a b & c = d ?x=1 ünïcødé 🎉', ticket: 'T-42' };

function xml(build: (r: VoiceResponse) => void): { body: string } {
  const response = new VoiceResponse();
  build(response);
  return { body: response.toString() };
}

describe('Twilio emulator voice engine', () => {
  let emu: TwilioEmulator;
  let hooks: WebhookServer;
  let agent: AgentSocketServer;
  let client: TwilioRestClient;
  let appSid: string;

  beforeEach(async () => {
    emu = await startTwilioEmulator();
    hooks = await new WebhookServer(emu.authToken).start();
    agent = await new AgentSocketServer(emu.authToken).start();
    client = createTwilioClient({
      accountSid: emu.accountSid,
      username: emu.accountSid,
      password: emu.authToken,
      baseUrl: emu.baseUrl,
    });
    appSid = (
      await client.api.v2010.account.applications.create({
        friendlyName: 'agent',
        voiceUrl: `${hooks.baseUrl}/agent`,
        voiceMethod: 'POST',
      })
    ).sid;
    emu.addIncomingNumber(NUMBER, { voiceUrl: `${hooks.baseUrl}/inbound` });

    // The stack's flow, in miniature: caller into conf-<CallSid>; on the caller's join, add the agent app.
    hooks.route('/inbound', (hook) =>
      xml((r) =>
        r.dial().conference(
          {
            participantLabel: 'caller',
            startConferenceOnEnter: true,
            endConferenceOnExit: true,
            beep: 'false',
            jitterBufferSize: 'small',
            statusCallback: `${hooks.baseUrl}/events?caller=${encodeURIComponent(hook.params.From)}`,
            statusCallbackMethod: 'POST',
            statusCallbackEvent: ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify'],
          },
          `conf-${hook.params.CallSid}`,
        ),
      ),
    );
    hooks.route('/events', async (hook) => {
      if (hook.params.StatusCallbackEvent === 'participant-join' && hook.params.ParticipantLabel === 'caller') {
        const query = Object.entries(CONTEXT)
          .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
          .join('&');
        await client.api.v2010.account.conferences(hook.params.ConferenceSid).participants.create({
          from: NUMBER,
          to: `app:${appSid}?${query}`,
          label: 'ai-agent',
          beep: 'false',
          endConferenceOnExit: false,
        });
      }
      return { status: 204 };
    });
    hooks.route('/agent', (hook) =>
      xml((r) => {
        const stream = r.connect().stream({ url: agent.url });
        for (const [name, value] of new URLSearchParams(hook.rawQuery)) stream.parameter({ name, value });
      }),
    );
  });

  afterEach(async () => {
    await emu.stop();
    await hooks.stop();
    await agent.stop();
  });

  const events = (name: string) => hooks.on('/events').filter((h) => h.params.StatusCallbackEvent === name);
  const conferenceEvent = (type: EmulatorEvent['type']) => (e: EmulatorEvent) => e.type === type;

  async function callUntilAgentStreams(): Promise<{ callSid: string; agentCallSid: string; conferenceSid: string }> {
    const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
    const started = await emu.waitFor<Extract<EmulatorEvent, { type: 'stream-started' }>>(
      conferenceEvent('stream-started'),
    );
    await emu.waitUntil(
      () => agent.named('start').length === 1 && events('conference-start').length === 1,
      3000,
      'agent start and conference-start',
    );
    const conferenceSid = hooks.on('/events')[0].params.ConferenceSid;
    return { callSid, agentCallSid: started.callSid, conferenceSid };
  }

  it('puts the caller into a conference and the agent in through the TwiML App with its custom parameters', async () => {
    const { callSid, agentCallSid, conferenceSid } = await callUntilAgentStreams();

    const [inbound] = hooks.on('/inbound');
    expect(inbound.params).toMatchObject({
      AccountSid: emu.accountSid,
      ApiVersion: '2010-04-01',
      CallSid: callSid,
      CallStatus: 'ringing',
      Direction: 'inbound',
      From: CALLER,
      To: NUMBER,
      Caller: CALLER,
      Called: NUMBER,
      FromCountry: 'US',
    });
    const [agentHook] = hooks.on('/agent');
    expect(Object.fromEntries(new URLSearchParams(agentHook.rawQuery))).toEqual(CONTEXT);
    expect(agentHook.params).toMatchObject({
      CallSid: agentCallSid,
      Direction: 'outbound-api',
      From: NUMBER,
      To: `app:${appSid}`,
      ApplicationSid: appSid,
      AccountSid: emu.accountSid,
    });
    const [start] = agent.named('start') as {
      start: {
        customParameters: unknown;
        callSid: string;
        accountSid: string;
        tracks: string[];
        mediaFormat: unknown;
        streamSid: string;
      };
      streamSid: string;
    }[];
    expect(start.start.customParameters).toEqual(CONTEXT);
    expect(start.start).toMatchObject({
      callSid: agentCallSid,
      accountSid: emu.accountSid,
      tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    });
    expect(start.streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(agent.messages[0]).toEqual({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    expect(agent.named('media').length).toBeGreaterThan(0);
    expect(emu.participants(conferenceSid).map((p) => [p.label, p.status])).toEqual([
      ['caller', 'connected'],
      ['ai-agent', 'connected'],
    ]);
    expect(
      hooks
        .on('/events')
        .map((h) => [h.params.StatusCallbackEvent, h.params.ParticipantLabel, h.params.SequenceNumber]),
    ).toEqual([
      ['participant-join', 'caller', '1'],
      ['participant-join', 'ai-agent', '2'],
      ['conference-start', undefined, '3'],
    ]);
  });

  it('signs every webhook and the WebSocket handshake so that twilio.validateRequest accepts them', async () => {
    await callUntilAgentStreams();

    expect(hooks.received.length).toBeGreaterThanOrEqual(5);
    expect(hooks.received.filter((h: ReceivedWebhook) => !h.signatureValid)).toEqual([]);
    expect(agent.handshakes).toEqual([{ url: agent.url, signatureValid: true }]);
  });

  it('sends conference events with the participant fields Twilio sends', async () => {
    const { callSid, conferenceSid } = await callUntilAgentStreams();

    const [join] = events('participant-join');
    expect(join.params).toEqual({
      AccountSid: emu.accountSid,
      ConferenceSid: conferenceSid,
      FriendlyName: `conf-${callSid}`,
      StatusCallbackEvent: 'participant-join',
      SequenceNumber: '1',
      Timestamp: expect.stringMatching(/\+0000$/),
      CallSid: callSid,
      ParticipantLabel: 'caller',
      Muted: 'false',
      Hold: 'false',
      Coaching: 'false',
      EndConferenceOnExit: 'true',
      StartConferenceOnEnter: 'true',
    });
    expect(hooks.on('/events')[0].rawQuery).toBe(`caller=${encodeURIComponent(CALLER)}`);
  });

  it('holds and unholds the caller with participant-hold and participant-unhold events', async () => {
    const { conferenceSid } = await callUntilAgentStreams();
    const caller = client.api.v2010.account.conferences(conferenceSid).participants('caller');

    await caller.update({ hold: true });
    await caller.update({ hold: false });
    await emu.waitUntil(() => events('participant-unhold').length === 1, 2000, 'participant-unhold');

    expect(events('participant-hold')[0].params).toMatchObject({ ParticipantLabel: 'caller', Hold: 'true' });
    expect(events('participant-unhold')[0].params).toMatchObject({ ParticipantLabel: 'caller', Hold: 'false' });
  });

  it('removes the agent: participant-leave, the stream gets stop, the agent call completes', async () => {
    const { agentCallSid, conferenceSid } = await callUntilAgentStreams();

    await client.api.v2010.account.conferences(conferenceSid).participants('ai-agent').remove();
    await emu.waitUntil(
      () => events('participant-leave').length === 1 && agent.named('stop').length === 1,
      2000,
      'leave and stop',
    );

    expect(events('participant-leave')[0].params).toMatchObject({
      ParticipantLabel: 'ai-agent',
      ReasonParticipantLeft: 'participant_updated_via_api',
      ParticipantCallStatus: 'completed',
    });
    expect(agent.named('stop')[0]).toMatchObject({
      event: 'stop',
      stop: { callSid: agentCallSid, accountSid: emu.accountSid },
    });
    expect(emu.call(agentCallSid)?.status).toBe('completed');
    expect(emu.conferences()[0].status).toBe('in-progress');
  });

  it('ends the conference when the caller (endConferenceOnExit) hangs up', async () => {
    const { callSid, agentCallSid } = await callUntilAgentStreams();

    await emu.hangup(callSid);
    await emu.waitUntil(() => events('conference-end').length === 1, 2000, 'conference-end');

    expect(events('conference-end')[0].params).toMatchObject({
      ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left',
      CallSidEndingConference: callSid,
    });
    expect(
      events('participant-leave')
        .map((h) => h.params.ParticipantLabel)
        .sort(),
    ).toEqual(['ai-agent', 'caller']);
    expect(emu.call(callSid)?.status).toBe('completed');
    await emu.waitUntil(
      () => emu.call(agentCallSid)?.status === 'completed' && agent.named('stop').length === 1,
      2000,
      'agent leg ended',
    );
    const [conference] = emu.conferences();
    expect(conference).toMatchObject({
      status: 'completed',
      reasonConferenceEnded: 'participant-with-end-conference-on-exit-left',
    });
  });

  it('when the caller hangs up while the voice URL is being fetched, settle() waits for that answer', async () => {
    // Arrange: the webhook leaves at once; the hang-up comes before it can have reached the server
    const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });

    // Act
    await emu.hangup(callSid);
    await emu.settle();
    await hooks.stop();

    // Assert: answered before the server stopped, and nothing more ran for the ended call
    expect(emu.webhooks.map((w) => [w.purpose, w.callSid, w.status])).toEqual([['voice-url', callSid, 200]]);
    expect(hooks.on('/inbound')).toHaveLength(1);
    expect(emu.call(callSid)?.status).toBe('canceled');
    expect(emu.conferences()).toEqual([]);
    expect(emu.alerts).toEqual([]);
  });

  it('delivers conference callbacks in order, one at a time, recording their HTTP status', async () => {
    await callUntilAgentStreams();
    await emu.settle();

    const sent = emu.webhooks.filter((w) => w.purpose === 'conference-status');
    expect(sent.map((w) => w.params.SequenceNumber)).toEqual(sent.map((_w, i) => String(i + 1)));
    expect(sent.every((w) => w.status === 204)).toBe(true);
  });

  it('ends the agent leg when the agent closes the socket, and the agent leaves the conference', async () => {
    const { agentCallSid } = await callUntilAgentStreams();

    agent.sockets[0].close();
    await emu.waitUntil(() => events('participant-leave').length === 1, 2000, 'agent leave');

    expect(events('participant-leave')[0].params).toMatchObject({
      ParticipantLabel: 'ai-agent',
      ReasonParticipantLeft: 'participant_hung_up',
    });
    expect(emu.call(agentCallSid)?.status).toBe('completed');
  });

  it('sends ConversationRelay setup with the custom parameters', async () => {
    hooks.route('/agent', (hook) =>
      xml((r) => {
        const relay = r.connect().conversationRelay({ url: agent.url, welcomeGreeting: 'Hi' });
        for (const [name, value] of new URLSearchParams(hook.rawQuery)) relay.parameter({ name, value });
      }),
    );

    const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
    await emu.waitUntil(() => agent.named('setup').length === 1, 3000, 'setup');

    expect(agent.named('setup')[0]).toMatchObject({
      type: 'setup',
      from: NUMBER,
      to: `app:${appSid}`,
      direction: 'outbound-api',
      accountSid: emu.accountSid,
      customParameters: CONTEXT,
      sessionId: expect.stringMatching(/^VX/),
    });
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);
  });

  // The level is the one each code's Twilio error page gives (12200 is a WARNING there, even when the call fails).
  describe.each([
    ['an HTTP 500', { status: 500, body: 'oops' }, 11200, 'error'],
    ['a document that is not XML', { body: '<Response><Say>unclosed</Response>' }, 12100, 'error'],
    ['an unknown verb', { body: '<Response><Dance/></Response>' }, 12200, 'warning'],
    [
      'a bad attribute value',
      { body: '<Response><Dial><Conference beep="loud">c</Conference></Dial></Response>' },
      12200,
      'warning',
    ],
    ['a JSON answer', { body: '{}', contentType: 'application/json' }, 12300, 'error'],
  ])('when the voice URL answers %s', (_name, answer, code, level) => {
    it(`records Debugger alert ${code} (${level}) and fails the call`, async () => {
      hooks.route('/inbound', () => answer);

      const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => emu.call(callSid)?.status === 'failed', 2000, 'call failed');

      expect(emu.alerts).toEqual([expect.objectContaining({ code, level, callSid })]);
      expect(emu.conferences()).toEqual([]);
    });

    it('tries the fallback URL with ErrorCode and ErrorUrl, and runs its TwiML', async () => {
      hooks.route('/inbound', () => answer);
      hooks.route('/fallback', () => xml((r) => r.say('sorry')));
      const [number] = await client.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: NUMBER });
      await client.api.v2010.account
        .incomingPhoneNumbers(number.sid)
        .update({ voiceFallbackUrl: `${hooks.baseUrl}/fallback` });

      const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
      await emu.waitUntil(() => emu.call(callSid)?.status === 'completed', 2000, 'call completed');

      expect(hooks.on('/fallback')[0].params).toMatchObject({
        ErrorCode: String(code),
        ErrorUrl: `${hooks.baseUrl}/inbound`,
        CallSid: callSid,
      });
      expect(emu.events.some((e) => e.type === 'twiml-executed' && e.verb === 'Say')).toBe(true);
    });
  });

  it('fails the agent participant when the App voice URL fails, without a join event', async () => {
    hooks.route('/agent', () => ({ status: 503 }));

    await emu.placeInboundCall({ from: CALLER, to: NUMBER });
    await emu.waitUntil(
      () => emu.alerts.length === 1 && [...emu.conferences()[0].participants.values()].length === 1,
      3000,
      'agent failed',
    );

    expect(emu.alerts[0]).toMatchObject({ code: 11200, url: expect.stringContaining('/agent?') });
    expect(events('participant-join')).toHaveLength(1);
  });

  it('runs Say, Play, Pause, Redirect and Hangup in order', async () => {
    hooks.route('/inbound', () =>
      xml((r) => {
        r.say('hello');
        r.play('https://example.com/a.mp3');
        r.pause({ length: 1 });
        r.redirect({ method: 'POST' }, '/next');
      }),
    );
    hooks.route('/next', () => xml((r) => r.hangup()));

    const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
    await emu.waitUntil(() => emu.call(callSid)?.status === 'completed', 2000, 'completed');

    expect(emu.events.filter((e) => e.type === 'twiml-executed').map((e) => (e as { verb: string }).verb)).toEqual([
      'Say',
      'Play',
      'Pause',
      'Redirect',
      'Hangup',
    ]);
    expect(hooks.on('/next')[0].params.CallStatus).toBe('in-progress');
  });

  it('redirects a live call with a REST Twiml update', async () => {
    hooks.route('/inbound', () => xml((r) => r.pause({ length: 600 })));
    const { callSid } = await emu.placeInboundCall({ from: CALLER, to: NUMBER });
    await emu.waitFor((e) => e.type === 'twiml-executed' && e.verb === 'Pause');

    await client.api.v2010.account.calls(callSid).update({ twiml: '<Response><Say>bye</Say><Hangup/></Response>' });
    await emu.waitUntil(() => emu.call(callSid)?.status === 'completed', 2000, 'completed');

    expect(emu.events.filter((e) => e.type === 'twiml-executed').map((e) => (e as { verb: string }).verb)).toEqual([
      'Pause',
      'Say',
      'Hangup',
    ]);
  });

  describe.each([
    ['busy', 'busy'],
    ['no-answer', 'no-answer'],
    ['answer', 'completed'],
  ] as const)('a human target that does %s', (behaviour, finalStatus) => {
    it(`reports call progress to the StatusCallback and ends ${finalStatus}`, async () => {
      hooks.route('/status', () => ({ status: 204 }));
      emu.answerBehaviour('+15553330000', behaviour);
      const { conferenceSid } = await callUntilAgentStreams();

      const human = await client.api.v2010.account.conferences(conferenceSid).participants.create({
        from: NUMBER,
        to: '+15553330000',
        label: 'human',
        statusCallback: `${hooks.baseUrl}/status`,
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      });
      if (behaviour === 'answer') {
        await emu.waitUntil(() => events('participant-join').length === 3, 2000, 'human join');
        await client.api.v2010.account.calls(human.callSid).update({ status: 'completed' });
      }
      await emu.waitUntil(
        () => hooks.on('/status').some((h) => h.params.CallStatus === finalStatus),
        2000,
        'final status',
      );

      const statuses = hooks.on('/status').map((h) => h.params.CallStatus);
      expect(statuses).toEqual(
        behaviour === 'answer'
          ? ['initiated', 'ringing', 'in-progress', 'completed']
          : ['initiated', 'ringing', finalStatus],
      );
      expect(emu.participants(conferenceSid).map((p) => p.label)).toEqual(['caller', 'ai-agent']);
    });
  });
});
