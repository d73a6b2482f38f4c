/**
 * What the acceptance call (`npm run verify`) needs from the Twilio emulator, driven by the lean client and raw HTTP
 * on 127.0.0.1: a call the account places to one of its own numbers arrives there as an inbound leg, `TimeLimit`
 * ends a call, and the Debugger's alerts are listed by Monitor v1 Alerts as Twilio's docs and spec describe them.
 */
import http from 'node:http';
import { createTwilioClient, type TwilioRestClient } from '../../lambdas/shared/twilio-client';
import { startTwilioEmulator, type TwilioEmulator } from '../../sandbox/twilio';
import { listProblems, resourceProblems } from './support/response-schema';
import { WebhookServer } from './support/webhook-server';
import { FINAL } from './support/live-calls';

const NUMBER = '+15550001111';
const SECOND_NUMBER = '+15550001112';
const PERSON = '+15557770000';
/** 10 hours of silence: 36 s at the emulator's default time scale, longer than any of these tests. */
const HOLD = '<Response><Pause length="36000"/></Response>';

function get(emu: TwilioEmulator, path: string, auth = `${emu.accountSid}:${emu.authToken}`) {
  return new Promise<{ status: number; body: Record<string, any> }>((resolve, reject) => {
    http
      .get(
        emu.baseUrl + path,
        { agent: false, headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') }),
          );
        },
      )
      .on('error', reject);
  });
}

describe('Twilio emulator for the acceptance call', () => {
  let emu: TwilioEmulator;
  let client: TwilioRestClient;
  let hooks: WebhookServer;

  beforeEach(async () => {
    emu = await startTwilioEmulator({ callsPerSecond: Number.POSITIVE_INFINITY });
    hooks = await new WebhookServer(emu.authToken).start();
    client = createTwilioClient({
      accountSid: emu.accountSid,
      username: emu.accountSid,
      password: emu.authToken,
      baseUrl: emu.baseUrl,
    });
  });
  afterEach(async () => {
    await emu.stop();
    await hooks.stop();
  });

  const callsTo = (to: string) => emu.events.filter((e) => e.type === 'call-created' && e.to === to);

  describe('a call to one of the account’s own numbers', () => {
    beforeEach(() => {
      hooks.route('/voice', () => ({ contentType: 'text/xml', body: HOLD }));
      emu.addIncomingNumber(NUMBER, { voiceUrl: `${hooks.baseUrl}/voice` });
      emu.addIncomingNumber(SECOND_NUMBER);
    });

    it.each([
      ['the number itself', NUMBER],
      ['another number of the account', SECOND_NUMBER],
    ])(
      'when placed from %s, it arrives as an inbound leg that fetches the voice URL, and both legs are answered',
      async (_name, from) => {
        const outbound = await client.api.v2010.account.calls.create({ to: NUMBER, from, twiml: HOLD });
        await emu.waitUntil(() => emu.call(outbound.sid)?.status === 'in-progress', 5000, 'the test call answered');

        const legs = await client.api.v2010.account.calls.list({ to: NUMBER, from });
        const inbound = legs.find((l) => l.direction === 'inbound');
        expect(inbound).toMatchObject({ from, to: NUMBER, status: 'in-progress', parentCallSid: null });
        expect(hooks.on('/voice').map((h) => [h.params.CallSid, h.params.Direction, h.params.From])).toEqual([
          [inbound!.sid, 'inbound', from],
        ]);
        expect(hooks.on('/voice')[0].signatureValid).toBe(true);
      },
    );

    it.each([
      ['the test call', 'outbound'],
      ['the inbound leg', 'inbound'],
    ] as const)('when %s hangs up, the other leg ends too', async (_name, which) => {
      const outbound = await client.api.v2010.account.calls.create({ to: NUMBER, from: NUMBER, twiml: HOLD });
      await emu.waitUntil(() => emu.call(outbound.sid)?.status === 'in-progress', 5000, 'answered');
      const inboundSid = callsTo(NUMBER).find((e) => e.type === 'call-created' && e.direction === 'inbound')!;
      const legs = { outbound: outbound.sid, inbound: (inboundSid as { callSid: string }).callSid };

      await client.api.v2010.account.calls(legs[which]).update({ status: 'completed' });

      await emu.waitUntil(
        () => Object.values(legs).every((sid) => FINAL.has(emu.call(sid)!.status)),
        5000,
        'both legs ended',
      );
      expect(Object.values(legs).map((sid) => emu.call(sid)!.status)).toEqual(['completed', 'completed']);
    });

    it('when the number has nothing to call, the inbound leg fails and so does the test call', async () => {
      emu.addIncomingNumber('+15550001113');

      const outbound = await client.api.v2010.account.calls.create({ to: '+15550001113', from: NUMBER, twiml: HOLD });

      await emu.waitUntil(() => FINAL.has(emu.call(outbound.sid)!.status), 5000, 'the test call ended');
      expect(emu.call(outbound.sid)!.status).toBe('failed');
      expect(emu.alerts).toEqual([expect.objectContaining({ code: 11200, level: 'error' })]);
    });
  });

  it('when a call has a TimeLimit, it is hung up once that time has passed, while a call without one goes on', async () => {
    emu.addIncomingNumber(NUMBER);
    const limited = await client.api.v2010.account.calls.create({
      to: PERSON,
      from: NUMBER,
      twiml: HOLD,
      timeLimit: 5,
    });
    const unlimited = await client.api.v2010.account.calls.create({ to: PERSON, from: NUMBER, twiml: HOLD });

    await emu.waitUntil(() => emu.call(limited.sid)?.status === 'completed', 5000, 'the limited call ended');

    expect(emu.call(limited.sid)!.startTime).not.toBeNull();
    // The second call leaves the calls-per-second queue a second later: on a loaded machine it may still ring here.
    await emu.waitUntil(() => emu.call(unlimited.sid)?.status === 'in-progress', 5000, 'the other call answered');
    expect(emu.call(unlimited.sid)!.status).toBe('in-progress');
    expect(emu.requests.find((r) => r.operationId === 'CreateCall')?.form.TimeLimit).toBe('5');
  });

  describe('Monitor v1 Alerts', () => {
    let failingCall: string;
    beforeEach(async () => {
      hooks.route('/voice', () => ({ status: 500, body: 'down' }));
      emu.addIncomingNumber(NUMBER, { voiceUrl: `${hooks.baseUrl}/voice` });
      ({ callSid: failingCall } = await emu.placeInboundCall({ from: PERSON, to: NUMBER }));
      await emu.waitUntil(() => emu.alerts.length > 0, 5000, 'an alert');
    });

    it('when a webhook fails, the alert is listed with its code, level, URL and the call as resource_sid, in the spec’s shape', async () => {
      const listed = await client.monitor.v1.alerts.list({});
      const raw = await get(emu, '/v1/Alerts');

      expect(listed.map((a) => [a.errorCode, a.logLevel, a.resourceSid, a.requestUrl, a.requestMethod])).toEqual([
        ['11200', 'error', failingCall, `${hooks.baseUrl}/voice`, 'POST'],
      ]);
      expect(listed[0].moreInfo).toBe('https://www.twilio.com/docs/errors/11200');
      expect(new URLSearchParams(listed[0].alertText).get('Msg')).toContain('HTTP 500');
      expect(listProblems(['alerts', 'meta'], 'alerts', 'monitor.v1.alert', raw.body)).toEqual([]);
      expect(Object.keys(raw.body.meta).sort()).toEqual(
        ['first_page_url', 'key', 'next_page_url', 'page', 'page_size', 'previous_page_url', 'url'].sort(),
      );
    });

    it('when one alert is fetched, it has the request and response fields of the instance schema', async () => {
      const [alert] = await client.monitor.v1.alerts.list({});

      const raw = await get(emu, `/v1/Alerts/${alert.sid}`);

      expect(raw.status).toBe(200);
      expect(resourceProblems('monitor.v1.alert-instance', raw.body)).toEqual([]);
      expect((await get(emu, `/v1/Alerts/NO${'0'.repeat(32)}`)).status).toBe(404);
    });

    const iso = (offsetMs: number) => `${new Date(Date.now() + offsetMs).toISOString().slice(0, 19)}Z`;
    describe.each([
      ['LogLevel error', () => 'LogLevel=error', 1],
      ['LogLevel warning', () => 'LogLevel=warning', 0],
      ['StartDate an hour ago', () => `StartDate=${iso(-3_600_000)}`, 1],
      ['StartDate in an hour', () => `StartDate=${iso(3_600_000)}`, 0],
      ['EndDate an hour ago', () => `EndDate=${iso(-3_600_000)}`, 0],
      ['EndDate today (a date: the whole day)', () => `EndDate=${new Date().toISOString().slice(0, 10)}`, 1],
    ])('the filter %s', (_name, query, count) => {
      it(`lists ${count} alert(s)`, async () => {
        const raw = await get(emu, `/v1/Alerts?${query()}`);

        expect(raw.status).toBe(200);
        expect(raw.body.alerts).toHaveLength(count);
      });
    });

    it.each([
      ['a StartDate in another format', 'StartDate=yesterday'],
      ['a LogLevel Twilio does not have', 'LogLevel=fatal'],
      ['a filter by resource, which Monitor does not offer', `ResourceSid=${'CA'.padEnd(34, '0')}`],
    ])('when a list asks for %s, it is refused with 400 / 20001', async (_name, query) => {
      const raw = await get(emu, `/v1/Alerts?${query}`);

      expect(raw).toMatchObject({ status: 400, body: { code: 20001 } });
    });

    it('when the credentials are wrong, the list is refused with 401 / 20003', async () => {
      const raw = await get(emu, '/v1/Alerts', `${emu.accountSid}:wrong`);

      expect(raw).toMatchObject({ status: 401, body: { code: 20003 } });
    });

    it('when there are more alerts than a page holds, the SDK follows the absolute next_page_url to read them all', async () => {
      await emu.placeInboundCall({ from: PERSON, to: NUMBER });
      await emu.waitUntil(() => emu.alerts.length >= 2, 5000, 'two alerts');

      const page = await get(emu, '/v1/Alerts?PageSize=1');
      const all = await client.monitor.v1.alerts.list({ pageSize: 1 });

      expect(page.body.meta.next_page_url).toMatch(/^https:\/\/monitor\.twilio\.com\/v1\/Alerts\?/);
      expect(all.map((a) => a.sid).sort()).toEqual(emu.alerts.map((a) => a.sid).sort());
    });
  });
});
