/**
 * The participants API end to end: the built participants bundle behind the API Gateway emulator, the Twilio
 * emulator answering the real `twilio` resource classes, and calls placed through the emulator's voice engine.
 */
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});

afterAll(async () => {
  await sandbox?.stop();
});

const conferenceOf = (callSid: string) => `conf-${callSid}`;
const connected = (conference: string) =>
  sandbox.twilio.participants(conference).filter((p) => p.status === 'connected');

/** A caller in their own conference with the agent the events route added. */
async function callWithAgent(from: string): Promise<{ callSid: string; conference: string }> {
  const { callSid } = await sandbox.placeInboundCall({ from });
  await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);
  const conference = conferenceOf(callSid);
  await sandbox.twilio.waitUntil(() => connected(conference).length === 2, 5000, 'caller and agent connected');
  return { callSid, conference };
}

describe.each([
  ['a name no conference ever had', 'conf-CAdoesnotexist'],
  ['a well-formed name of a call that never was', 'conf-CA00000000000000000000000000000000'],
])('POST /participants for %s', (_what, conference) => {
  it.each([
    ['the agent', { context: { ticket: 'T-1' } }],
    ['a human', { target: 'client:alice' }],
  ])('adding %s answers 404 not_found and Twilio dials nobody, creates no conference', async (_who, body) => {
    // Arrange
    const callsBefore = sandbox.twilio.requests.filter((r) => r.method === 'POST').length;
    const conferencesBefore = sandbox.twilio.conferences().length;

    // Act
    const response = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, body);

    // Assert
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'not_found', field: 'conference' });
    expect(sandbox.twilio.requests.filter((r) => r.method === 'POST')).toHaveLength(callsBefore);
    expect(sandbox.twilio.conferences()).toHaveLength(conferencesBefore);
  });
});

it('adding to a conference whose caller hung up answers 404 and dials nobody', async () => {
  // Arrange
  const { callSid, conference } = await callWithAgent('+15550000101');
  await sandbox.twilio.hangup(callSid);
  await sandbox.twilio.waitUntil(
    () => sandbox.twilio.conferences().find((c) => c.friendlyName === conference)?.status === 'completed',
    5000,
    'conference completed',
  );
  const createsBefore = sandbox.twilio.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/Participants.json'),
  ).length;

  // Act
  const response = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {
    target: '+15550002222',
  });

  // Assert
  expect(response.status).toBe(404);
  expect(response.body.error.code).toBe('not_found');
  expect(
    sandbox.twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Participants.json')),
  ).toHaveLength(createsBefore);
  expect(sandbox.twilio.conferences().filter((c) => c.friendlyName === conference)).toHaveLength(1);
});

it('GET /participants lists who Twilio has in the conference, with the SID the name resolved to', async () => {
  // Arrange
  const { conference } = await callWithAgent('+15550000102');
  const record = sandbox.twilio.conferences().find((c) => c.friendlyName === conference)!;

  // Act
  const response = await sandbox.participantsApi('GET', `/conferences/${conference}/participants`);

  // Assert
  expect(response.status).toBe(200);
  expect(response.body.conferenceSid).toBe(record.sid);
  const expected = connected(conference).map((p) => ({
    label: p.label,
    callSid: p.callSid,
    status: 'connected',
    hold: p.hold,
    muted: p.muted,
  }));
  expect([...response.body.participants].sort((a, b) => a.label.localeCompare(b.label))).toEqual(
    expected.sort((a, b) => String(a.label).localeCompare(String(b.label))),
  );
  expect(response.body.participants.map((p: { label: string }) => p.label).sort()).toEqual(['ai-agent', 'caller']);
});

it('a human added by name joins the conference the caller is in, and the answer carries its SID', async () => {
  // Arrange
  const { conference } = await callWithAgent('+15550000103');
  const record = sandbox.twilio.conferences().find((c) => c.friendlyName === conference)!;

  // Act
  const response = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {
    target: 'client:supervisor',
    label: 'supervisor',
    muted: true,
  });

  // Assert
  expect(response.status).toBe(201);
  expect(response.body.conferenceSid).toBe(record.sid);
  await sandbox.twilio.waitUntil(
    () => connected(conference).some((p) => p.label === 'supervisor'),
    5000,
    'supervisor joined',
  );
  expect(sandbox.twilio.conferences().filter((c) => c.friendlyName === conference)).toHaveLength(1);
});

it('completing a warm transfer answers agentRemoved: true only once Twilio no longer lists the agent', async () => {
  // Arrange
  const { conference } = await callWithAgent('+15550000104');
  const started = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers`, {
    type: 'warm',
    target: 'client:alice',
  });
  expect(started.status).toBe(201);
  await sandbox.twilio.waitUntil(() => connected(conference).some((p) => p.label === 'human'), 5000, 'human joined');

  // Act
  const completed = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers/complete`, {});

  // Assert
  expect(completed.status).toBe(200);
  expect(completed.body).toMatchObject({ conferenceSid: started.body.conferenceSid, agentRemoved: true });
  expect(completed.body.participants.map((p: { label: string }) => p.label).sort()).toEqual(['caller', 'human']);
  expect(connected(conference).map((p) => p.label)).not.toContain('ai-agent');
});

it('when a second AI agent was added through the API, completing a warm transfer removes both agents', async () => {
  // Arrange
  const { conference } = await callWithAgent('+15550000106');
  const second = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {
    context: { ticket: 'T-2' },
  });
  expect(second.status).toBe(201);
  expect(second.body.label).toBe('ai-agent-2');
  await sandbox.twilio.waitUntil(
    () => connected(conference).some((p) => p.label === 'ai-agent-2'),
    5000,
    'second agent joined',
  );
  const started = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers`, {
    type: 'warm',
    target: 'client:alice',
  });
  expect(started.status).toBe(201);
  await sandbox.twilio.waitUntil(() => connected(conference).some((p) => p.label === 'human'), 5000, 'human joined');

  // Act
  const completed = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers/complete`, {});

  // Assert
  expect(completed.status).toBe(200);
  expect(completed.body).toMatchObject({ agentRemoved: true });
  await sandbox.twilio.waitUntil(
    () => !connected(conference).some((p) => p.label?.startsWith('ai-agent')),
    5000,
    'no agent left',
  );
  expect(
    connected(conference)
      .map((p) => p.label)
      .sort(),
  ).toEqual(['caller', 'human']);
});

it('a context name off the allow-list is refused with 400 before anyone is dialled; listed names reach the agent', async () => {
  // Arrange
  const { conference } = await callWithAgent('+15550000105');
  const createsBefore = sandbox.twilio.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/Participants.json'),
  );

  // Act
  const refused = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {
    context: { ticket: 'T-7', crmNotes: 'VIP' },
    label: 'ai-agent-2',
  });
  const createsAfterRefusal = sandbox.twilio.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/Participants.json'),
  );
  const accepted = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {
    context: { ticket: 'T-7' },
    label: 'ai-agent-2',
  });
  const session = await sandbox.agent!.waitForSession((s) => s.callSid === accepted.body.callSid);

  // Assert
  expect(refused.status).toBe(400);
  expect(refused.body.error).toMatchObject({ code: 'invalid_request', field: 'context.crmNotes' });
  expect(createsAfterRefusal).toHaveLength(createsBefore.length);
  expect(accepted.status).toBe(201);
  expect(session.customParameters).toEqual({ ticket: 'T-7' });
});

it('an agent added without a label joins beside the stack’s agent as ai-agent-2; when it is the last agent with the caller and leaves, the agent is dialled again and the caller stays', async () => {
  // Arrange
  const { callSid, conference } = await callWithAgent('+15550000106');
  const firstAgent = connected(conference).find((p) => p.label === 'ai-agent')!.callSid;

  // Act
  const added = await sandbox.participantsApi('POST', `/conferences/${conference}/participants`, {});
  await sandbox.twilio.waitUntil(
    () => connected(conference).some((p) => p.label === 'ai-agent-2'),
    5000,
    'the second agent joined',
  );
  const firstRemoved = await sandbox.participantsApi('DELETE', `/conferences/${conference}/participants/ai-agent`);
  await sandbox.twilio.waitUntil(
    () => !connected(conference).some((p) => p.label === 'ai-agent'),
    5000,
    'the stack’s agent gone',
  );
  const secondRemoved = await sandbox.participantsApi('DELETE', `/conferences/${conference}/participants/ai-agent-2`);
  await sandbox.twilio.waitUntil(
    () => connected(conference).some((p) => p.label === 'ai-agent' && p.callSid !== firstAgent),
    10_000,
    'the agent dialled again',
  );

  // Assert
  expect(added.status).toBe(201);
  expect(added.body.label).toBe('ai-agent-2');
  expect([firstRemoved.status, secondRemoved.status]).toEqual([204, 204]);
  expect(
    connected(conference)
      .map((p) => p.label)
      .sort(),
  ).toEqual(['ai-agent', 'caller']);
  expect(connected(conference).find((p) => p.label === 'caller')?.callSid).toBe(callSid);
});
