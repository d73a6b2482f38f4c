/**
 * A warm transfer where the AI briefs the human in private, end to end: the built participants bundle behind the API
 * Gateway emulator, the Twilio emulator, the stack config key `transferHoldUrl` pointing at a local audio server.
 * Who hears whom is read from the emulator's audio paths (Twilio's hold and mute rules).
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { WebhookServer } from './support/webhook-server';

let sandbox: Sandbox;
let music: WebhookServer;

beforeAll(async () => {
  // Serves the hold audio; the emulator's signature on its requests is checked in the emulator's own tests.
  music = await new WebhookServer('not-checked-here').start();
  music.route('/briefing-hold.mp3', () => ({ contentType: 'audio/mpeg', body: 'ID3' }));
  sandbox = await startSandbox({
    quiet: true,
    config: { transferHoldUrl: `${music.baseUrl}/briefing-hold.mp3` },
    twilio: { callsPerSecond: Number.POSITIVE_INFINITY },
  });
});

afterAll(async () => {
  await sandbox?.stop();
  await music?.stop();
});

const connected = (conference: string, label: string) =>
  sandbox.twilio.participants(conference).some((p) => p.label === label && p.status === 'connected');

/** What `label` hears now: participants by label, hold audio as `hold:<url>:<status>`. */
function hears(conference: string, label: string): string[] {
  const listener = sandbox.twilio.audio(conference).find((l) => l.label === label);
  if (!listener) throw new Error(`${label} is not connected to ${conference}`);
  return listener.hears
    .map((s) => (s.kind === 'participant' ? String(s.label) : `${s.kind}:${s.url}:${'status' in s ? s.status : ''}`))
    .sort();
}

/** A caller with the agent, then a warm transfer to a human who has joined for the briefing. */
async function briefing(from: string): Promise<string> {
  const { callSid } = await sandbox.placeInboundCall({ from });
  const conference = `conf-${callSid}`;
  await sandbox.twilio.waitUntil(() => connected(conference, 'ai-agent'), 5000, 'agent connected');
  const started = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers`, {
    type: 'warm',
    target: 'client:alice',
  });
  expect(started).toMatchObject({ status: 201, body: { callerOnHold: true } });
  await sandbox.twilio.waitUntil(() => connected(conference, 'human'), 5000, 'human connected');
  await sandbox.twilio.waitFor(
    (e) =>
      e.type === 'hold-audio' &&
      e.label === 'caller' &&
      e.status !== 'fetching' &&
      e.conferenceSid === conferenceSid(conference),
  );
  return conference;
}

const conferenceSid = (conference: string) =>
  sandbox.twilio.conferences().find((c) => c.friendlyName === conference)?.sid;

it('while the agent briefs the human, the caller hears only the configured hold audio and nobody hears the caller', async () => {
  // Arrange / Act
  const conference = await briefing('+15550000401');

  // Assert
  const holdAudio = `hold-music:${music.baseUrl}/briefing-hold.mp3:playing`;
  expect(hears(conference, 'caller')).toEqual([holdAudio]);
  expect(hears(conference, 'ai-agent')).toEqual(['human']);
  expect(hears(conference, 'human')).toEqual(['ai-agent']);
  expect(music.on('/briefing-hold.mp3').map((r) => r.method)).toContain('GET');
});

it('completing the briefing brings the caller back to the human, and the AI agent is gone', async () => {
  // Arrange
  const conference = await briefing('+15550000402');

  // Act
  const completed = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers/complete`, {});

  // Assert
  expect(completed).toMatchObject({ status: 200, body: { agentRemoved: true, callerOnHold: false } });
  expect(hears(conference, 'caller')).toEqual(['human']);
  expect(hears(conference, 'human')).toEqual(['caller']);
  expect(connected(conference, 'ai-agent')).toBe(false);
});

it('cancelling the briefing brings the caller back to the AI agent, and the human is gone', async () => {
  // Arrange
  const conference = await briefing('+15550000403');

  // Act
  const cancelled = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers/cancel`, {});
  await sandbox.twilio.settle();

  // Assert
  expect(cancelled).toMatchObject({ status: 200, body: { humanRemoved: true, callerOnHold: false } });
  expect(cancelled.body.participants.map((p: { label: string }) => p.label).sort()).toEqual(['ai-agent', 'caller']);
  expect(hears(conference, 'caller')).toEqual(['ai-agent']);
  expect(hears(conference, 'ai-agent')).toEqual(['caller']);
  expect(connected(conference, 'human')).toBe(false);
  expect(sandbox.twilio.alerts).toEqual([]);
});
