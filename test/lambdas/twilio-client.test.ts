import twilio from 'twilio';
import { createTwilioClient } from '../../lambdas/shared/twilio-client';
import { encodeForm } from '../../lambdas/shared/twilio-transport';
import { isNetworkFailure } from '../../lambdas/shared/errors';
import { ACCOUNT_SID, AUTH_TOKEN, sid } from './support/events';
import { participantJson, TwilioStub, twilioError } from './support/twilio-stub';

const CONFERENCE_SID = sid('CF', 5);

/** The same operations, through the full SDK client and through ours. */
const operations: [string, (client: { api: { v2010: { account: any } } }) => Promise<unknown>][] = [
  [
    'participant create with arrays, booleans and unicode',
    (c) =>
      c.api.v2010.account.conferences('conf-x').participants.create({
        from: '+15550001111',
        to: 'app:AP1?note=a b&c=Zoë*(!)',
        label: 'ai-agent',
        beep: 'false',
        endConferenceOnExit: false,
        statusCallbackEvent: ['answered', 'completed'],
        timeout: 15,
      }),
  ],
  [
    'participant update',
    (c) => c.api.v2010.account.conferences(CONFERENCE_SID).participants('caller').update({ hold: true }),
  ],
  ['participant removal', (c) => c.api.v2010.account.conferences(CONFERENCE_SID).participants('ai-agent').remove()],
  ['conference list by name', (c) => c.api.v2010.account.conferences.list({ friendlyName: 'conf-x', limit: 20 })],
  [
    'application update',
    (c) =>
      c.api.v2010.account
        .applications(`AP${'a'.repeat(32)}`)
        .update({ voiceUrl: 'https://x.example.com/a?b=c', friendlyName: 'agent app' }),
  ],
];

describe('createTwilioClient', () => {
  let stub: TwilioStub;
  beforeEach(async () => {
    stub = await new TwilioStub().start();
    stub.on('POST', /Participants\.json$/, {
      status: 201,
      body: participantJson({
        accountSid: ACCOUNT_SID,
        conferenceSid: CONFERENCE_SID,
        callSid: sid('CA', 2),
        label: 'ai-agent',
      }),
    });
    stub.on('POST', /Participants\/caller\.json$/, {
      status: 200,
      body: participantJson({
        accountSid: ACCOUNT_SID,
        conferenceSid: CONFERENCE_SID,
        callSid: sid('CA', 1),
        label: 'caller',
        hold: true,
      }),
    });
    stub.on('DELETE', /Participants\/.+\.json$/, { status: 204 });
    stub.on('GET', /Conferences\.json$/, {
      status: 200,
      body: { conferences: [], page: 0, page_size: 20, next_page_uri: null, uri: '/x' },
    });
    stub.on('POST', /Applications\/.+\.json$/, {
      status: 200,
      body: { sid: `AP${'a'.repeat(32)}`, friendly_name: 'agent app' },
    });
  });
  afterEach(() => stub.stop());

  describe.each(operations)('sends %s exactly as the full twilio SDK does', (_name, operation) => {
    it('same method, path, query, form body, auth and user agent', async () => {
      const RequestClient = require('twilio/lib/base/RequestClient');
      const redirecting = new (class extends RequestClient {
        request(opts: { uri: string }) {
          return super.request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', stub.baseUrl) });
        }
      })();
      const full = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: redirecting as never });
      const ours = createTwilioClient({
        accountSid: ACCOUNT_SID,
        username: ACCOUNT_SID,
        password: AUTH_TOKEN,
        baseUrl: stub.baseUrl,
      });

      await operation(full as never);
      await operation(ours);

      const [a, b] = stub.requests;
      const view = (r: typeof a) => ({
        method: r.method,
        path: r.path,
        query: r.query.toString(),
        form: r.form,
        auth: r.headers.authorization,
        ua: r.headers['user-agent'],
        type: r.headers['content-type'],
        // axios adds a default Accept to DELETE; the SDK itself sets none there.
        accept: r.method === 'DELETE' ? 'n/a' : r.headers.accept,
      });
      expect(view(b)).toEqual(view(a));
    });
  });

  it('raises Twilio errors as RestException-shaped failures (status, code, message)', async () => {
    stub.on('POST', /Participants\.json$/, twilioError(400, 16026, 'Label in use'));
    const client = createTwilioClient({
      accountSid: ACCOUNT_SID,
      username: ACCOUNT_SID,
      password: AUTH_TOKEN,
      baseUrl: stub.baseUrl,
    });
    await expect(
      client.api.v2010.account.conferences('c').participants.create({ from: '+1', to: '+2' }),
    ).rejects.toMatchObject({ status: 400, code: 16026, message: 'Label in use' });
  });

  it('reports a connection reset as a network failure', async () => {
    stub.on('POST', /Participants\.json$/, { status: 0, reset: true });
    const client = createTwilioClient({
      accountSid: ACCOUNT_SID,
      username: ACCOUNT_SID,
      password: AUTH_TOKEN,
      baseUrl: stub.baseUrl,
    });
    const failure = await client.api.v2010.account
      .conferences('c')
      .participants.create({ from: '+1', to: '+2' })
      .catch((e: unknown) => e);
    expect(isNetworkFailure(failure)).toBe(true);
  });

  it('times out a request that gets no answer', async () => {
    const silent = require('node:http').createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = createTwilioClient({
      accountSid: ACCOUNT_SID,
      username: ACCOUNT_SID,
      password: AUTH_TOKEN,
      baseUrl: `http://127.0.0.1:${silent.address().port}`,
      timeoutMs: 200,
    });
    const failure = await client.api.v2010.account
      .conferences('c')
      .participants.create({ from: '+1', to: '+2' })
      .catch((e: unknown) => e);
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    expect(failure).toMatchObject({ code: 'ETIMEDOUT' });
    expect(isNetworkFailure(failure)).toBe(true);
  });
});

describe('encodeForm', () => {
  it.each([
    [{ a: 'x y', b: ['1', '2'] }, 'a=x%20y&b=1&b=2'],
    [{ To: "app:AP1?k=v&q='*'" }, 'To=app%3AAP1%3Fk%3Dv%26q%3D%27%2A%27'],
    [{ skip: undefined, keep: '' }, 'keep='],
  ])('%o -> %s', (data, expected) => {
    expect(encodeForm(data)).toBe(expected);
  });
});
