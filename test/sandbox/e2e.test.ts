/**
 * End-to-end through the sandbox: the built Lambda bundles behind the API Gateway emulator, the Twilio
 * emulator driven by the real `twilio` resource classes, and the sample agent.
 */
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { startSandbox, type Sandbox } from '../../sandbox';
import { runMainScenario } from '../../sandbox/scenario';
import { specProblems } from '../lambdas/support/openapi';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});

afterAll(async () => {
  await sandbox?.stop();
});

const conferenceOf = (callSid: string) => `conf-${callSid}`;
const labelsIn = (conference: string) =>
  sandbox.twilio
    .participants(conference)
    .filter((p) => p.status === 'connected')
    .map((p) => p.label)
    .sort();

it('runs the main scenario to the end', async () => {
  // Act
  const lines: string[] = [];
  const result = await runMainScenario({ print: (l) => lines.push(l) });

  // Assert
  expect(result.failure).toBeUndefined();
  expect(result.ok).toBe(true);
  expect(result.steps).toHaveLength(10);
  expect(lines.every((l) => l.includes('✓'))).toBe(true);
  // It ends with the acceptance call `npm run verify` places, against the same local stack.
  expect(lines.at(-2)).toMatch(
    /✓ a test call as `npm run verify` makes it: agent joined in \d+ ms \(.*10 checks passed/,
  );
});

it('when the main scenario shows the agent’s dial address, it leaves out the caller’s CallToken', async () => {
  // Act
  const lines: string[] = [];
  await runMainScenario({ print: (l) => lines.push(l) });

  // Assert: the emulator's inbound CallToken is a JSON document carrying a signed JWT
  const dial = lines.find((l) => l.includes('dialled as')) ?? '';
  expect(dial).toContain('callToken=(not shown)');
  expect(lines.join('\n')).not.toMatch(/parentCallInfoToken|eyJ[A-Za-z0-9_-]{10,}/);
});

it('puts an inbound caller into their own conference and adds the agent with the caller’s context', async () => {
  // Act
  const { callSid } = await sandbox.placeInboundCall({ from: '+15557654321' });
  const session = await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);

  // Assert
  expect(session.customParameters).toEqual({
    caller: '+15557654321',
    callerCallSid: callSid,
    conference: conferenceOf(callSid),
  });
  await sandbox.twilio.waitUntil(
    () => labelsIn(conferenceOf(callSid)).join() === 'ai-agent,caller',
    5000,
    'caller and agent connected',
  );
});

it('gives a second caller their own conference and their own agent', async () => {
  // Act
  const [a, b] = await Promise.all([
    sandbox.placeInboundCall({ from: '+15550000001' }),
    sandbox.placeInboundCall({ from: '+15550000002' }),
  ]);
  const [sa, sb] = await Promise.all(
    [a, b].map(({ callSid }) => sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid)),
  );

  // Assert
  expect(sa.customParameters?.caller).toBe('+15550000001');
  expect(sb.customParameters?.caller).toBe('+15550000002');
  expect(sa.callSid).not.toBe(sb.callSid);
  expect(sandbox.agent!.sessions.filter((s) => s.customParameters?.callerCallSid === a.callSid)).toHaveLength(1);
  expect(sandbox.agent!.sessions.filter((s) => s.customParameters?.callerCallSid === b.callSid)).toHaveLength(1);
});

it('delivers context added through the participants endpoint to the agent’s start message unchanged', async () => {
  // Arrange
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550000003' });
  await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);
  const context = { customerId: 'a b&c=d?e/f#g%2F', ticket: 'Zoë – 東京 🚀', language: 'pt-BR' };

  // Act
  const response = await sandbox.participantsApi('POST', `/conferences/${conferenceOf(callSid)}/participants`, {
    label: 'ai-agent-2',
    context,
  });
  const session = await sandbox.agent!.waitForSession((s) => s.customParameters?.ticket === context.ticket);

  // Assert
  expect(response.status).toBe(201);
  expect(response.body).toMatchObject({ label: 'ai-agent-2', callSid: expect.stringMatching(/^CA/) });
  expect(session.customParameters).toEqual(context);
});

it('cold-transfers to a human and removes the agent once the human answers', async () => {
  // Arrange
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550000004' });
  await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);

  // Act
  const response = await sandbox.participantsApi('POST', `/conferences/${conferenceOf(callSid)}/transfers`, {
    type: 'cold',
    target: '+15550009999',
  });

  // Assert
  expect(response.status).toBe(201);
  await sandbox.twilio.waitUntil(
    () => labelsIn(conferenceOf(callSid)).join() === 'caller,human',
    5000,
    'agent replaced by the human',
  );
});

it('warm-transfers: caller held while the human is briefed, then back with the human and without the agent', async () => {
  // Arrange
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550000005' });
  await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);
  const conference = conferenceOf(callSid);

  // Act
  const started = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers`, {
    type: 'warm',
    target: 'client:alice',
  });
  await sandbox.twilio.waitUntil(() => labelsIn(conference).join() === 'ai-agent,caller,human', 5000, 'human joined');
  const held = sandbox.twilio.participants(conference).find((p) => p.label === 'caller')?.hold;
  const completed = await sandbox.participantsApi('POST', `/conferences/${conference}/transfers/complete`, {});

  // Assert
  expect(started.status).toBe(201);
  expect(held).toBe(true);
  expect(completed.status).toBe(200);
  await sandbox.twilio.waitUntil(() => labelsIn(conference).join() === 'caller,human', 5000, 'agent removed');
  expect(sandbox.twilio.participants(conference).find((p) => p.label === 'caller')?.hold).toBe(false);
});

describe('forged webhooks', () => {
  const params = {
    AccountSid: '',
    CallSid: `CA${'f'.repeat(32)}`,
    From: '+15550000006',
    To: '+15005550006',
    CallStatus: 'ringing',
    Direction: 'inbound',
  };
  const post = (signature: string | undefined, body: Record<string, string>) =>
    fetch(sandbox.webhookUrls.inbound, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature ? { 'x-twilio-signature': signature } : {}),
      },
      body: new URLSearchParams(body).toString(),
    });

  it.each([
    ['no signature', () => undefined],
    [
      'a signature made with another token',
      (body: Record<string, string>) =>
        getExpectedTwilioSignature('not-the-auth-token', sandbox.webhookUrls.inbound, body),
    ],
    [
      'a signature for another URL',
      (body: Record<string, string>) =>
        getExpectedTwilioSignature(sandbox.twilio.authToken, sandbox.webhookUrls.agent, body),
    ],
  ])('rejects an inbound webhook with %s and creates no conference', async (_name, sign) => {
    // Arrange
    const body = { ...params, AccountSid: sandbox.twilio.accountSid };
    const conferencesBefore = sandbox.twilio.conferences().length;

    // Act
    const response = await post(sign(body), body);

    // Assert
    expect(response.status).toBe(403);
    expect(sandbox.twilio.conferences()).toHaveLength(conferencesBefore);
  });

  it('accepts the same request signed as Twilio signs it', async () => {
    // Arrange
    const body = { ...params, AccountSid: sandbox.twilio.accountSid };

    // Act
    const response = await post(
      getExpectedTwilioSignature(sandbox.twilio.authToken, sandbox.webhookUrls.inbound, body),
      body,
    );

    // Assert
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<Conference');
  });
});

it('sent Twilio only requests its OpenAPI spec describes', () => {
  // Act
  const problems = sandbox.twilio.requests.flatMap((r) =>
    specProblems(r.method, r.path, (r as unknown as { form: Record<string, string> }).form ?? {}).map(
      (p) => `${r.method} ${r.path}: ${p}`,
    ),
  );

  // Assert
  expect(sandbox.twilio.requests.length).toBeGreaterThan(10);
  expect(problems).toEqual([]);
});

it('logged no secret', () => {
  // Act
  const logs = sandbox.api.logs().join('\n');

  // Assert
  expect(logs.length).toBeGreaterThan(0);
  expect(logs).not.toContain(sandbox.twilio.authToken);
  expect(logs).not.toContain(sandbox.apiToken);
});
