/**
 * The events function during an Auth Token promotion, in-process, reading its secrets from a local Secrets Manager
 * over real HTTP (SigV4-checked) and calling a Twilio stand-in that checks the REST credential. A webhook Twilio
 * signed just before the promotion still verifies with the old token, but the REST call it causes meets the
 * promoted one. Only `Date` is faked, to step past the refetch interval without waiting.
 */
import { SecretsManagerEmulator } from '../../sandbox/aws/secrets-manager';
import {
  ACCOUNT_SID,
  baseEnv,
  conferenceEventParams,
  loadHandler,
  sid,
  type TestHandler,
  twilioEvent,
} from './support/events';
import { participantJson, TwilioStub, twilioError } from './support/twilio-stub';
import { fakeWallClock } from '../support/wall-clock';

const CONFERENCE_SID = sid('CF', 5);
const CALLER_QUERY = `caller=%2B15557654321&callerCallSid=${sid('CA', 1)}`;
const basic = (password: string) => `Basic ${Buffer.from(`${ACCOUNT_SID}:${password}`).toString('base64')}`;

describe('the events function across an Auth Token promotion', () => {
  const saved = process.env;
  let store: SecretsManagerEmulator;
  let stub: TwilioStub;
  let handler: TestHandler;
  let authTokenArn: string;
  /** The Auth Tokens Twilio accepts for REST calls now. */
  let twilioAccepts: string[];
  let logs: { level: string; message: string }[];
  let consoleLog: jest.SpyInstance;

  const join = (signedWith: string) =>
    handler(
      twilioEvent({
        path: '/twilio/conference/events',
        rawQueryString: CALLER_QUERY,
        params: conferenceEventParams('participant-join'),
        authToken: signedWith,
      }),
    );
  const creates = () =>
    stub.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/Participants.json'))
      .map((r) => r.headers.authorization);

  beforeEach(async () => {
    fakeWallClock('2026-11-29T12:00:00Z');
    store = await new SecretsManagerEmulator().start();
    authTokenArn = store.createSecret('auth-token', 'auth-token-1');
    twilioAccepts = ['auth-token-1'];
    stub = await new TwilioStub().start();
    stub.on('POST', /Participants\.json$/, (req) =>
      twilioAccepts.some((t) => req.headers.authorization === basic(t))
        ? {
            status: 201,
            body: participantJson({
              accountSid: ACCOUNT_SID,
              conferenceSid: CONFERENCE_SID,
              callSid: sid('CA', 2),
              label: 'ai-agent',
            }),
          }
        : twilioError(401, 20003, 'Authenticate'),
    );
    const env = baseEnv({
      TWILIO_API_BASE_URL: stub.baseUrl,
      SERVICE_NAME: 'events',
      LOG_LEVEL: 'info',
      ...store.functionEnvironment(),
    });
    delete env.TWILIO_AUTH_TOKEN;
    handler = loadHandler(require.resolve('../../lambdas/events'), {
      ...env,
      TWILIO_AUTH_TOKEN_SECRET_ARN: authTokenArn,
    });
    logs = [];
    consoleLog = jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
      const text = String(line);
      if (text.startsWith('{')) logs.push(JSON.parse(text));
    });
  });

  afterEach(async () => {
    consoleLog.mockRestore();
    jest.useRealTimers();
    await stub.stop();
    await store.stop();
  });
  afterAll(() => {
    process.env = saved;
  });

  it('when Twilio refuses the cached REST credential after a promotion, it re-reads the secret and retries the call once', async () => {
    // Arrange: warm with auth-token-1; the new token is stored, then promoted at Twilio (the old one refused).
    expect((await join('auth-token-1')).statusCode).toBe(204);
    store.putSecretValue(authTokenArn, 'auth-token-2');
    twilioAccepts = ['auth-token-2'];
    jest.setSystemTime(Date.now() + 5_000);
    // Act: a webhook Twilio signed with the old token just before the promotion.
    const response = await join('auth-token-1');
    // Assert: the agent is added with the new token, after one refused attempt.
    expect(response.statusCode).toBe(204);
    expect(creates()).toEqual([basic('auth-token-1'), basic('auth-token-1'), basic('auth-token-2')]);
    expect(logs.map((l) => l.message)).toContain(
      'Twilio refused the cached REST credential; retrying with the rotated one',
    );
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('when Twilio refuses the credential and the secret has not changed, it does not retry', async () => {
    expect((await join('auth-token-1')).statusCode).toBe(204);
    twilioAccepts = [];
    jest.setSystemTime(Date.now() + 5_000);
    await join('auth-token-1');
    expect(creates()).toEqual([basic('auth-token-1'), basic('auth-token-1')]);
  });
});
