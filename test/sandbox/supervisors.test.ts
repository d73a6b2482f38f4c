/**
 * Supervisors end to end: the built participants bundle behind the API Gateway emulator and the Twilio emulator
 * answering the SDK's own resource classes. Who hears whom is read from the emulator's audio paths, which follow
 * Twilio's documented coaching, mute and hold rules.
 */
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true, twilio: { callsPerSecond: Number.POSITIVE_INFINITY } });
});

afterAll(async () => {
  await sandbox?.stop();
});

const connected = (conference: string, label: string) =>
  sandbox.twilio.participants(conference).some((p) => p.label === label && p.status === 'connected');

/** Whom `label` hears now, as labels; a whisper heard only by them is `~label`. */
function hears(conference: string, label: string): string[] {
  const listener = sandbox.twilio.audio(conference).find((l) => l.label === label);
  if (!listener) throw new Error(`${label} is not connected to ${conference}`);
  return listener.hears.map((s) => (s.kind === 'participant' ? `${s.whisper ? '~' : ''}${s.label}` : s.kind)).sort();
}

/** A caller with the agent the events route added and a human added through the API, all connected. */
async function callWithAgentAndHuman(from: string): Promise<string> {
  const { callSid } = await sandbox.placeInboundCall({ from });
  const conference = `conf-${callSid}`;
  await sandbox.twilio.waitUntil(() => connected(conference, 'ai-agent'), 5000, 'agent connected');
  const human = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {
    target: 'client:alice',
    label: 'human',
  });
  expect(human.status).toBe(201);
  await sandbox.twilio.waitUntil(() => connected(conference, 'human'), 5000, 'human connected');
  return conference;
}

it('a supervisor listens, whispers to the agent, then to the human, then barges in: each heard by exactly whom the mode says', async () => {
  // Arrange
  const conference = await callWithAgentAndHuman('+15550000301');
  const switchTo = (body: object) =>
    sandbox.participantsApi('PATCH', `/conferences/${conference}/supervisors/supervisor`, body);

  // Act: listen
  const added = await sandbox.participantsApi('POST', `/conferences/${conference}/supervisors`, {
    target: 'client:lead',
  });
  await sandbox.twilio.waitUntil(() => connected(conference, 'supervisor'), 5000, 'supervisor connected');
  const listening = {
    supervisor: hears(conference, 'supervisor'),
    caller: hears(conference, 'caller'),
    agent: hears(conference, 'ai-agent'),
    human: hears(conference, 'human'),
  };

  // Act: whisper to the agent
  const toAgent = await switchTo({ mode: 'whisper', coach: 'agent' });
  const whisperingToAgent = {
    caller: hears(conference, 'caller'),
    agent: hears(conference, 'ai-agent'),
    human: hears(conference, 'human'),
  };

  // Act: whisper to the human
  const toHuman = await switchTo({ mode: 'whisper', coach: 'human' });
  const whisperingToHuman = {
    caller: hears(conference, 'caller'),
    agent: hears(conference, 'ai-agent'),
    human: hears(conference, 'human'),
  };

  // Act: barge in
  const barged = await switchTo({ mode: 'barge' });

  // Assert
  expect(added).toMatchObject({ status: 201, body: { label: 'supervisor', mode: 'listen', coach: null } });
  expect(listening).toEqual({
    supervisor: ['ai-agent', 'caller', 'human'],
    caller: ['ai-agent', 'human'],
    agent: ['caller', 'human'],
    human: ['ai-agent', 'caller'],
  });
  expect(toAgent).toMatchObject({ status: 200, body: { mode: 'whisper', coach: { label: 'ai-agent' } } });
  expect(whisperingToAgent).toEqual({
    caller: ['ai-agent', 'human'],
    agent: ['caller', 'human', '~supervisor'],
    human: ['ai-agent', 'caller'],
  });
  expect(toHuman).toMatchObject({ status: 200, body: { mode: 'whisper', coach: { label: 'human' } } });
  expect(whisperingToHuman).toEqual({
    caller: ['ai-agent', 'human'],
    agent: ['caller', 'human'],
    human: ['ai-agent', 'caller', '~supervisor'],
  });
  expect(barged).toMatchObject({ status: 200, body: { mode: 'barge', coach: null } });
  expect(hears(conference, 'caller')).toEqual(['ai-agent', 'human', 'supervisor']);
  expect(hears(conference, 'ai-agent')).toEqual(['caller', 'human', 'supervisor']);
});

it('whispering to a human who is not in the conference answers 409 naming them, and nobody is dialled', async () => {
  // Arrange
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550000302' });
  const conference = `conf-${callSid}`;
  await sandbox.twilio.waitUntil(() => connected(conference, 'ai-agent'), 5000, 'agent connected');
  const creates = () => sandbox.twilio.requests.filter((r) => r.operationId === 'CreateParticipant').length;
  const createsBefore = creates();

  // Act
  const response = await sandbox.participantsApi('POST', `/conferences/${conference}/supervisors`, {
    target: 'client:lead',
    mode: 'whisper',
    coach: 'human',
  });

  // Assert
  expect(response.status).toBe(409);
  expect(response.body.error).toMatchObject({ code: 'coached_participant_missing', field: 'coach' });
  expect(response.body.error.message).toContain('"human"');
  expect(creates()).toBe(createsBefore);
  expect(sandbox.twilio.participants(conference).map((p) => p.label)).not.toContain('supervisor');
});

it('when the coached human hangs up while the switch is on its way, Twilio’s 16028 comes back as 409 and the supervisor keeps listening', async () => {
  // Arrange
  const conference = await callWithAgentAndHuman('+15550000303');
  await sandbox.participantsApi('POST', `/conferences/${conference}/supervisors`, { target: 'client:lead' });
  await sandbox.twilio.waitUntil(() => connected(conference, 'supervisor'), 5000, 'supervisor connected');
  const humanSid = sandbox.twilio.participants(conference).find((p) => p.label === 'human')!.callSid;
  // The update waits at Twilio's door until the human is gone: the API saw the human in its list, Twilio does not.
  sandbox.twilio.faults.delay('UpdateParticipant', 300);

  // Act
  const pending = sandbox.participantsApi('PATCH', `/conferences/${conference}/supervisors/supervisor`, {
    mode: 'whisper',
    coach: 'human',
  });
  // Taking the fault emits no event to wait for: poll until the update is held.
  while (sandbox.twilio.faults.pending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await sandbox.twilio.hangup(humanSid);
  const response = await pending;

  // Assert
  expect(response.status).toBe(409);
  expect(response.body.error).toMatchObject({ code: 'coached_participant_missing', twilioCode: 16028 });
  expect(sandbox.twilio.participants(conference).find((p) => p.label === 'supervisor')).toMatchObject({
    muted: true,
    coaching: false,
  });
});

it('when a warm transfer’s human never answers while a supervisor listens, the caller is taken off hold and hears the agent again', async () => {
  // Arrange: a listening supervisor is nobody the caller talks to, so it must not keep the caller on hold
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550000304' });
  const conference = `conf-${callSid}`;
  await sandbox.twilio.waitUntil(() => connected(conference, 'ai-agent'), 5000, 'agent connected');
  await sandbox.participantsApi('POST', `/conferences/${conference}/supervisors`, { target: 'client:lead' });
  await sandbox.twilio.waitUntil(() => connected(conference, 'supervisor'), 5000, 'supervisor connected');
  sandbox.twilio.script.nextLeg('client:nobody-home', 'no-answer');

  // Act
  const started = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers`, {
    type: 'warm',
    target: 'client:nobody-home',
    timeout: 5,
  });
  await sandbox.twilio.waitFor(
    (e) => e.type === 'conference-leave' && e.friendlyName === conference && e.label === 'human',
    10000,
  );
  await sandbox.twilio.waitUntil(
    () => sandbox.twilio.participants(conference).find((p) => p.label === 'caller')?.hold === false,
    5000,
    'the caller off hold',
  );

  // Assert
  expect(started.status).toBe(201);
  expect(hears(conference, 'caller')).toEqual(['ai-agent']);
  expect(hears(conference, 'supervisor')).toEqual(['ai-agent', 'caller']);
});
