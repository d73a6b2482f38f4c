/**
 * The participants function during secret rotations, in-process, reading its secrets from a local Secrets Manager
 * over real HTTP (SigV4-checked) and calling a Twilio stand-in that checks the REST credential. Only `Date` is
 * faked, to step past the refetch interval without waiting.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SecretsManagerEmulator } from '../../sandbox/aws/secrets-manager';
import { ACCOUNT_SID, apiGatewayEvent, baseEnv, sid } from './support/events';
import { loadHandler, type TestHandler } from './support/events';
import { TwilioStub, twilioError } from './support/twilio-stub';
import { fakeWallClock } from '../support/wall-clock';

const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const CONFERENCE = `conf-${sid('CA', 1)}`;
const CONFERENCE_SID = sid('CF', 5);

function listEvent(token: string): APIGatewayProxyEventV2 {
  return apiGatewayEvent({
    method: 'GET',
    path: `/conferences/${CONFERENCE}/participants`,
    routeKey: 'GET /conferences/{conference}/participants',
    pathParameters: { conference: CONFERENCE },
    headers: { authorization: `Bearer ${token}` },
    base64: false,
  });
}

const basic = (password: string) => `Basic ${Buffer.from(`${ACCOUNT_SID}:${password}`).toString('base64')}`;

describe('the participants function across a rotation', () => {
  const saved = process.env;
  let store: SecretsManagerEmulator;
  let stub: TwilioStub;
  let handler: TestHandler;
  let authTokenArn: string;
  let apiTokenArn: string;
  /** The Auth Token Twilio accepts for REST calls now. */
  let twilioAccepts: string[];
  let logs: { level: string; message: string }[];
  let consoleLog: jest.SpyInstance;

  beforeEach(async () => {
    fakeWallClock('2026-11-29T12:00:00Z');
    store = await new SecretsManagerEmulator().start();
    authTokenArn = store.createSecret('auth-token', 'auth-token-1');
    apiTokenArn = store.createSecret('api-token', 'api-token-1');
    twilioAccepts = ['auth-token-1'];
    stub = await new TwilioStub().start();
    stub.on('GET', /Conferences\.json$/, (req) =>
      twilioAccepts.some((t) => req.headers.authorization === basic(t))
        ? {
            status: 200,
            body: {
              conferences: [{ sid: CONFERENCE_SID, friendly_name: CONFERENCE, status: 'in-progress' }],
              first_page_uri: `${ACCOUNT}/Conferences.json?PageSize=20&Page=0`,
              next_page_uri: null,
              page: 0,
              page_size: 20,
              uri: `${ACCOUNT}/Conferences.json?PageSize=20&Page=0`,
            },
          }
        : twilioError(401, 20003, 'Authenticate'),
    );
    stub.on('GET', /Participants\.json$/, {
      status: 200,
      body: {
        participants: [],
        first_page_uri: `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json?PageSize=250&Page=0`,
        next_page_uri: null,
        page: 0,
        page_size: 250,
        uri: `${ACCOUNT}/Conferences/${CONFERENCE_SID}/Participants.json?PageSize=250&Page=0`,
      },
    });
    const env = baseEnv({ TWILIO_API_BASE_URL: stub.baseUrl, LOG_LEVEL: 'info', ...store.functionEnvironment() });
    delete env.TWILIO_AUTH_TOKEN;
    delete env.PARTICIPANTS_API_TOKEN;
    handler = loadHandler(require.resolve('../../lambdas/participants'), {
      ...env,
      TWILIO_AUTH_TOKEN_SECRET_ARN: authTokenArn,
      PARTICIPANTS_API_TOKEN_SECRET_ARN: apiTokenArn,
    });
    logs = [];
    consoleLog = jest.spyOn(console, 'log').mockImplementation((line: unknown) => {
      logs.push(JSON.parse(String(line)));
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

  it('when the API token is rotated, the new one is accepted a refetch interval (1 s) after the last read, and the old one still is', async () => {
    // Arrange: warm, with api-token-1 cached.
    expect((await handler(listEvent('api-token-1'))).statusCode).toBe(200);
    store.putSecretValue(apiTokenArn, 'api-token-2');
    // Act: the clock steps past the interval, so no mismatch has to wait for its read.
    jest.setSystemTime(Date.now() + 1_000);
    const withNew = await handler(listEvent('api-token-2'));
    const withOld = await handler(listEvent('api-token-1'));
    jest.setSystemTime(Date.now() + 1_000);
    const withNeither = await handler(listEvent('api-token-3'));
    // Assert
    expect([withNew.statusCode, withOld.statusCode, withNeither.statusCode]).toEqual([200, 200, 401]);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('when Twilio refuses the cached REST credential after a promotion, it re-reads the secret and retries once', async () => {
    // Arrange: warm with auth-token-1; the new token is stored, then promoted at Twilio (the old one refused).
    expect((await handler(listEvent('api-token-1'))).statusCode).toBe(200);
    store.putSecretValue(authTokenArn, 'auth-token-2');
    twilioAccepts = ['auth-token-2'];
    jest.setSystemTime(Date.now() + 5_000);
    // Act
    const response = await handler(listEvent('api-token-1'));
    // Assert
    expect(response.statusCode).toBe(200);
    const lookups = stub.requests
      .filter((r) => r.path.endsWith('/Conferences.json'))
      .map((r) => r.headers.authorization);
    expect(lookups).toEqual([basic('auth-token-1'), basic('auth-token-1'), basic('auth-token-2')]);
    expect(logs.map((l) => l.message)).toContain(
      'Twilio refused the cached REST credential; retrying with the rotated one',
    );
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('when Twilio refuses the credential and the secret has not changed, it answers 502 without retrying', async () => {
    expect((await handler(listEvent('api-token-1'))).statusCode).toBe(200);
    twilioAccepts = [];
    jest.setSystemTime(Date.now() + 5_000);
    const response = await handler(listEvent('api-token-1'));
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body).error.code).toBe('twilio_auth_failed');
    expect(stub.requests.filter((r) => r.path.endsWith('/Conferences.json'))).toHaveLength(2);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['request failed']);
  });
});
