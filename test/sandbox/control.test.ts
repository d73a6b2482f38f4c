/**
 * The sandbox's control endpoint (`npm start -- --serve`) over real HTTP: a person places a call, sees who is in
 * its conference, hangs up; anything else answers in the documented error shape.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { startControlServer, type ControlServer } from '../../sandbox/control';

let sandbox: Sandbox;
let control: ControlServer;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  control = await startControlServer(sandbox);
});
afterAll(async () => {
  await control?.close();
  await sandbox?.stop();
});

const call = async (method: string, path: string) => {
  const response = await fetch(control.url + path, { method });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: text ? JSON.parse(text) : undefined,
  };
};
const labelsIn = async (conference: string) =>
  ((await call('GET', `/conferences/${conference}`)).body?.participants ?? [])
    .map((p: { label: string }) => p.label)
    .sort();

it('when a person places a call, the caller and then the AI agent are in its conference', async () => {
  // Act
  const placed = await call('POST', '/calls?from=%2B15557654321');
  await sandbox.twilio.waitUntil(
    () => sandbox.twilio.participants(placed.body.conference).filter((p) => p.status === 'connected').length === 2,
    5000,
    'caller and agent connected',
  );
  const shown = await call('GET', `/conferences/${placed.body.conference}`);

  // Assert
  expect(placed).toEqual({
    status: 201,
    type: 'application/json',
    body: { callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/), conference: `conf-${placed.body.callSid}` },
  });
  expect(shown.status).toBe(200);
  expect(shown.body).toMatchObject({
    name: placed.body.conference,
    sid: expect.stringMatching(/^CF/),
    status: 'in-progress',
  });
  expect(await labelsIn(placed.body.conference)).toEqual(['ai-agent', 'caller']);
  const caller = shown.body.participants.find((p: { label: string }) => p.label === 'caller');
  expect(caller.hears).toEqual([
    { kind: 'participant', label: 'ai-agent', callSid: expect.stringMatching(/^CA/), whisper: false },
  ]);
  expect((await call('GET', '/conferences')).body.conferences).toContainEqual(shown.body);
});

it('when the caller hangs up through the control endpoint, nobody is left in the conference', async () => {
  // Arrange
  const placed = await call('POST', '/calls');
  const conference = placed.body.conference as string;
  await sandbox.twilio.waitUntil(
    () => sandbox.twilio.participants(conference).some((p) => p.label === 'ai-agent' && p.status === 'connected'),
    5000,
    'the agent connected',
  );

  // Act
  const hungUp = await call('DELETE', `/calls/${placed.body.callSid}`);
  await sandbox.twilio.settle();

  // Assert
  expect(hungUp.status).toBe(204);
  expect((await call('GET', `/conferences/${conference}`)).body).toMatchObject({
    status: 'completed',
    participants: [],
  });
});

it.each([
  ['an unknown path', 'GET', '/nope', 404, { code: 'route_not_found', message: 'No route GET /nope' }],
  [
    'a known path with another method',
    'PUT',
    '/calls',
    404,
    { code: 'route_not_found', message: 'No route PUT /calls' },
  ],
  [
    'a caller that is no E.164 number',
    'POST',
    '/calls?from=alice',
    400,
    { code: 'invalid_request', message: 'from must be an E.164 number', field: 'from' },
  ],
  [
    'a conference that never was',
    'GET',
    '/conferences/conf-none',
    404,
    { code: 'not_found', message: 'No conference conf-none' },
  ],
  [
    'a call that never was',
    'DELETE',
    `/calls/CA${'0'.repeat(32)}`,
    404,
    { code: 'not_found', message: 'No such call' },
  ],
])(
  'when asked for %s (%s %s), it answers %d in the documented error shape',
  async (_situation, method, path, status, error) => {
    // Act
    const answer = await call(method, path);

    // Assert
    expect(answer).toEqual({ status, type: 'application/json', body: { error } });
  },
);
