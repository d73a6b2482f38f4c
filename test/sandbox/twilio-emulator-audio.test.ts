/**
 * The Twilio emulator's coaching, muting and who-hears-whom, driven through the full `twilio` SDK: a coach
 * (`Coaching` + `CallSidToCoach`) is heard by the coached call only, a muted participant by nobody; a coach for a call
 * that is not in the conference is refused with 16028 on create and on update, one for a held call with 16027.
 */
import type { Twilio } from 'twilio';
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import { startTwilioEmulator, type Listener, type TwilioEmulator } from '../../sandbox/twilio';
import { fullSdkClient } from './support/twilio-sdk';
import { WebhookServer } from './support/webhook-server';

const NUMBER = '+15550001111';

let emu: TwilioEmulator;
let hooks: WebhookServer;
let twilio: Twilio;

beforeEach(async () => {
  emu = await startTwilioEmulator({ callsPerSecond: Number.POSITIVE_INFINITY });
  hooks = await new WebhookServer(emu.authToken).start();
  twilio = fullSdkClient(emu.baseUrl, emu.accountSid, emu.authToken);
  emu.addIncomingNumber(NUMBER, { voiceUrl: `${hooks.baseUrl}/inbound` });
  hooks.route('/inbound', (hook) => {
    const response = new VoiceResponse();
    response.dial().conference({ participantLabel: 'caller', beep: 'false' }, `conf-${hook.params.CallSid}`);
    return { body: response.toString() };
  });
  hooks.route('/events', () => ({ status: 204 }));
});

afterEach(async () => {
  await emu.stop();
  await hooks.stop();
});

const connected = (conferenceSid: string, label: string) =>
  emu.participants(conferenceSid).some((p) => p.label === label && p.status === 'connected');

/** A caller in their conference with a human (`agent`, standing in for the AI agent's leg) connected. */
async function conferenceWithAgent(): Promise<{ conferenceSid: string; callerSid: string; agentSid: string }> {
  const { callSid } = await emu.placeInboundCall({ from: '+15557654321', to: NUMBER });
  await emu.waitUntil(() => emu.participants(`conf-${callSid}`).length === 1, 5000, 'caller joined');
  const conferenceSid = emu.participants(`conf-${callSid}`)[0].conferenceSid;
  const agent = await twilio.conferences(conferenceSid).participants.create({
    from: NUMBER,
    to: 'client:agent',
    label: 'agent',
    beep: 'false',
    conferenceStatusCallback: `${hooks.baseUrl}/events`,
    conferenceStatusCallbackEvent: ['join', 'leave', 'modify'],
  });
  await emu.waitUntil(() => connected(conferenceSid, 'agent'), 5000, 'agent connected');
  return { conferenceSid, callerSid: callSid, agentSid: agent.callSid };
}

/** Who `label` hears, as labels (`~label` for a whisper, `hold:<url>` for hold audio). */
function hears(audio: Listener[], label: string): string[] {
  const listener = audio.find((l) => l.label === label);
  if (!listener) throw new Error(`${label} is not connected`);
  return listener.hears
    .map((s) => (s.kind === 'participant' ? `${s.whisper ? '~' : ''}${s.label}` : `${s.kind}:${s.url ?? 'default'}`))
    .sort();
}

describe('a coach (Coaching=true, CallSidToCoach)', () => {
  it('when it coaches the agent, only the agent hears it, it hears the caller and the agent, the caller does not hear it', async () => {
    // Arrange
    const { conferenceSid, agentSid } = await conferenceWithAgent();

    // Act
    const coach = await twilio.conferences(conferenceSid).participants.create({
      from: NUMBER,
      to: 'client:supervisor',
      label: 'supervisor',
      coaching: true,
      callSidToCoach: agentSid,
    });
    await emu.waitUntil(() => connected(conferenceSid, 'supervisor'), 5000, 'supervisor connected');

    // Assert
    expect(coach).toMatchObject({ coaching: true, callSidToCoach: agentSid });
    const audio = emu.audio(conferenceSid);
    expect(hears(audio, 'agent')).toEqual(['caller', '~supervisor']);
    expect(hears(audio, 'caller')).toEqual(['agent']);
    expect(hears(audio, 'supervisor')).toEqual(['agent', 'caller']);
  });

  it('when CallSidToCoach is given without Coaching, the participant coaches (Coaching defaults to true then)', async () => {
    // Arrange
    const { conferenceSid, agentSid } = await conferenceWithAgent();

    // Act
    const coach = await twilio
      .conferences(conferenceSid)
      .participants.create({ from: NUMBER, to: 'client:supervisor', label: 'supervisor', callSidToCoach: agentSid });

    // Assert
    expect(coach.coaching).toBe(true);
  });

  it('when CallSidToCoach names a call that is not in the conference, the create is refused with 16028 and nobody is dialled', async () => {
    // Arrange
    const { conferenceSid } = await conferenceWithAgent();
    const callsBefore = emu.events.filter((e) => e.type === 'call-created').length;
    const callSidToCoach = `CA${'0'.repeat(32)}`;

    // Act
    const refused = twilio.conferences(conferenceSid).participants.create({
      from: NUMBER,
      to: 'client:supervisor',
      label: 'supervisor',
      coaching: true,
      callSidToCoach,
    });

    // Assert
    await expect(refused).rejects.toMatchObject({ status: 400, code: 16028 });
    expect(emu.events.filter((e) => e.type === 'call-created')).toHaveLength(callsBefore);
    expect(emu.participants(conferenceSid).map((p) => p.label)).toEqual(['caller', 'agent']);
  });

  it('when a coach is created under the name of a conference that is not active, 16028 comes back and no conference is started', async () => {
    // Arrange
    const conferencesBefore = emu.conferences().length;

    // Act
    const refused = twilio.conferences('conf-nobody-here').participants.create({
      from: NUMBER,
      to: 'client:supervisor',
      coaching: true,
      callSidToCoach: `CA${'0'.repeat(32)}`,
    });

    // Assert
    await expect(refused).rejects.toMatchObject({ status: 400, code: 16028 });
    expect(emu.conferences()).toHaveLength(conferencesBefore);
  });

  it('when the coached call has left the conference, switching a listener to coach it is refused with 16028', async () => {
    // Arrange
    const { conferenceSid, agentSid } = await conferenceWithAgent();
    await twilio
      .conferences(conferenceSid)
      .participants.create({ from: NUMBER, to: 'client:supervisor', label: 'supervisor', muted: true });
    await emu.waitUntil(() => connected(conferenceSid, 'supervisor'), 5000, 'supervisor connected');
    await twilio.conferences(conferenceSid).participants('agent').remove();

    // Act
    const refused = twilio
      .conferences(conferenceSid)
      .participants('supervisor')
      .update({ coaching: true, callSidToCoach: agentSid, muted: false });

    // Assert
    await expect(refused).rejects.toMatchObject({ status: 400, code: 16028 });
    expect(emu.participants(conferenceSid).find((p) => p.label === 'supervisor')).toMatchObject({
      coaching: false,
      muted: true,
    });
  });

  it('when the call to coach is on hold, the create is refused with 16027', async () => {
    // Arrange
    const { conferenceSid, agentSid } = await conferenceWithAgent();
    await twilio.conferences(conferenceSid).participants('agent').update({ hold: true });

    // Act
    const refused = twilio
      .conferences(conferenceSid)
      .participants.create({ from: NUMBER, to: 'client:supervisor', coaching: true, callSidToCoach: agentSid });

    // Assert
    await expect(refused).rejects.toMatchObject({ status: 400, code: 16027 });
  });

  it('when a coach is switched to barge in, everyone hears it and the conference is told with participant-modify', async () => {
    // Arrange
    const { conferenceSid, agentSid } = await conferenceWithAgent();
    await twilio.conferences(conferenceSid).participants.create({
      from: NUMBER,
      to: 'client:supervisor',
      label: 'supervisor',
      coaching: true,
      callSidToCoach: agentSid,
    });
    await emu.waitUntil(() => connected(conferenceSid, 'supervisor'), 5000, 'supervisor connected');

    // Act
    const updated = await twilio.conferences(conferenceSid).participants('supervisor').update({ coaching: false });
    await emu.settle();

    // Assert
    expect(updated.coaching).toBe(false);
    const audio = emu.audio(conferenceSid);
    expect(hears(audio, 'caller')).toEqual(['agent', 'supervisor']);
    expect(hears(audio, 'agent')).toEqual(['caller', 'supervisor']);
    const modify = hooks.on('/events').filter((h) => h.params.StatusCallbackEvent === 'participant-modify');
    expect(modify.map((h) => [h.params.ParticipantLabel, h.params.Coaching])).toEqual([['supervisor', 'false']]);
  });
});

describe('muting and hold', () => {
  it('when a participant is muted it still hears everyone, and nobody hears it', async () => {
    // Arrange
    const { conferenceSid } = await conferenceWithAgent();
    await twilio
      .conferences(conferenceSid)
      .participants.create({ from: NUMBER, to: 'client:supervisor', label: 'supervisor', muted: true });
    await emu.waitUntil(() => connected(conferenceSid, 'supervisor'), 5000, 'supervisor connected');

    // Act
    const audio = emu.audio(conferenceSid);

    // Assert
    expect(hears(audio, 'supervisor')).toEqual(['agent', 'caller']);
    expect(hears(audio, 'caller')).toEqual(['agent']);
    expect(hears(audio, 'agent')).toEqual(['caller']);
  });

  it('when the caller is held without a HoldUrl, they hear Twilio’s default hold music and nobody else; nobody hears them', async () => {
    // Arrange
    const { conferenceSid } = await conferenceWithAgent();

    // Act
    await twilio.conferences(conferenceSid).participants('caller').update({ hold: true });

    // Assert
    const audio = emu.audio(conferenceSid);
    expect(hears(audio, 'caller')).toEqual(['hold-music:default']);
    expect(hears(audio, 'agent')).toEqual([]);
  });
});

describe('hold audio from HoldUrl', () => {
  it.each([
    ['an MP3 file', 'playing', 200, 'audio/mpeg', 'ID3…', undefined],
    [
      'TwiML of hold verbs',
      'playing',
      200,
      'text/xml',
      '<Response><Say>Please hold</Say><Play loop="0">https://x.example.com/m.mp3</Play></Response>',
      undefined,
    ],
    ['TwiML that dials someone', 'failed', 200, 'text/xml', '<Response><Dial>+15550009999</Dial></Response>', 12200],
    ['an HTML page', 'failed', 200, 'text/html', '<html></html>', 12300],
    ['a server error', 'failed', 500, 'text/plain', 'oops', 11200],
  ])(
    'when HoldUrl answers %s, the held caller’s hold audio is %s',
    async (_what, outcome, status, contentType, body, alert) => {
      // Arrange
      const { conferenceSid } = await conferenceWithAgent();
      hooks.route('/hold', () => ({ status, contentType, body }));

      // Act
      await twilio
        .conferences(conferenceSid)
        .participants('caller')
        .update({ hold: true, holdUrl: `${hooks.baseUrl}/hold` });
      await emu.waitFor((e) => e.type === 'hold-audio' && e.status !== 'fetching');

      // Assert
      const [fetched] = hooks.on('/hold');
      expect(fetched).toMatchObject({ method: 'GET', signatureValid: true });
      const caller = emu.audio(conferenceSid).find((l) => l.label === 'caller');
      expect(caller?.hears).toEqual([{ kind: 'hold-music', url: `${hooks.baseUrl}/hold`, status: outcome }]);
      expect(hears(emu.audio(conferenceSid), 'agent')).toEqual([]);
      expect(emu.alerts.map((a) => a.code)).toEqual(alert === undefined ? [] : [alert]);
    },
  );

  it('when the caller is taken off hold, they hear the others again and the others hear them', async () => {
    // Arrange
    const { conferenceSid } = await conferenceWithAgent();
    hooks.route('/hold', () => ({ contentType: 'audio/wav', body: 'RIFF' }));
    await twilio
      .conferences(conferenceSid)
      .participants('caller')
      .update({ hold: true, holdUrl: `${hooks.baseUrl}/hold` });

    // Act
    await twilio.conferences(conferenceSid).participants('caller').update({ hold: false });

    // Assert
    const audio = emu.audio(conferenceSid);
    expect(hears(audio, 'caller')).toEqual(['agent']);
    expect(hears(audio, 'agent')).toEqual(['caller']);
  });
});
