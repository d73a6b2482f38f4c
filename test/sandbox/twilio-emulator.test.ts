/**
 * The Twilio emulator's REST API, driven by the real `twilio` SDK and our lean client over HTTP on 127.0.0.1:
 * CRUD per resource with spec-shaped JSON, auth, Twilio's error codes, contract enforcement and fault scripts.
 */
import http from 'node:http';
import { createTwilioClient, type TwilioRestClient } from '../../lambdas/shared/twilio-client';
import { startTwilioEmulator, type TwilioEmulator } from '../../sandbox/twilio';
import { specProblems } from '../lambdas/support/openapi';
import { envelopeKeys, listProblems, resourceProblems } from './support/response-schema';
import { fullSdkClient } from './support/twilio-sdk';
import { WebhookServer } from './support/webhook-server';

const OWN_NUMBER = '+15550001111';
const API = (emu: TwilioEmulator) => `/2010-04-01/Accounts/${emu.accountSid}`;

/** A raw REST request (for bodies the SDKs would refuse to send). */
function raw(
  emu: TwilioEmulator,
  method: string,
  path: string,
  form?: Record<string, string>,
  auth = `${emu.accountSid}:${emu.authToken}`,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = form ? new URLSearchParams(form).toString() : '';
    const req = http.request(
      emu.baseUrl + path,
      {
        method,
        agent: false,
        headers: {
          Authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Twilio emulator REST API', () => {
  let emu: TwilioEmulator;
  let lean: TwilioRestClient;

  beforeEach(async () => {
    emu = await startTwilioEmulator();
    emu.addIncomingNumber(OWN_NUMBER);
    lean = createTwilioClient({
      accountSid: emu.accountSid,
      username: emu.accountSid,
      password: emu.authToken,
      baseUrl: emu.baseUrl,
    });
  });
  afterEach(async () => {
    // Every request the clients sent conforms to the spec (the emulator enforces it; this double-checks).
    const sent = emu.requests.filter((r) => r.status < 400);
    await emu.stop();
    for (const r of sent) {
      expect(specProblems(r.method, r.path, r.form, new URLSearchParams(r.query))).toEqual([]);
    }
  });

  describe('Applications', () => {
    it('creates, lists by FriendlyName, fetches, updates and deletes an application with the full SDK', async () => {
      const client = fullSdkClient(emu.baseUrl, emu.accountSid, emu.authToken);

      const created = await client.applications.create({
        friendlyName: 'ai-agent',
        voiceUrl: 'https://example.com/agent',
        voiceMethod: 'POST',
        voiceFallbackUrl: 'https://example.com/fallback',
      });
      await client.applications.create({ friendlyName: 'other' });
      const listed = await client.applications.list({ friendlyName: 'ai-agent' });
      const updated = await client.applications(created.sid).update({ voiceUrl: 'https://example.com/agent2' });
      const fetched = await client.applications(created.sid).fetch();
      await client.applications(created.sid).remove();

      expect(created.sid).toMatch(/^AP[0-9a-f]{32}$/);
      expect(listed.map((a) => a.sid)).toEqual([created.sid]);
      expect(updated.voiceUrl).toBe('https://example.com/agent2');
      expect(fetched).toMatchObject({
        friendlyName: 'ai-agent',
        voiceFallbackUrl: 'https://example.com/fallback',
        voiceMethod: 'POST',
        accountSid: emu.accountSid,
      });
      await expect(client.applications(created.sid).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
    });

    it('answers with the spec response schema for create, fetch and list', async () => {
      const created = await raw(emu, 'POST', `${API(emu)}/Applications.json`, {
        FriendlyName: 'a',
        VoiceUrl: 'https://example.com/v',
      });
      const fetched = await raw(emu, 'GET', `${API(emu)}/Applications/${String(created.body.sid)}.json`);
      const list = await raw(emu, 'GET', `${API(emu)}/Applications.json?FriendlyName=a`);

      expect(created.status).toBe(201);
      expect(resourceProblems('api.v2010.account.application', created.body)).toEqual([]);
      expect(resourceProblems('api.v2010.account.application', fetched.body)).toEqual([]);
      expect(
        listProblems(
          envelopeKeys('/2010-04-01/Accounts/{AccountSid}/Applications.json'),
          'applications',
          'api.v2010.account.application',
          list.body,
        ),
      ).toEqual([]);
      expect(created.body.uri).toBe(`${API(emu)}/Applications/${String(created.body.sid)}.json`);
    });
  });

  describe('IncomingPhoneNumbers', () => {
    it('finds a seeded number by PhoneNumber, updates its voice settings and never releases it unless asked', async () => {
      const [number] = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: OWN_NUMBER });
      const app = await lean.api.v2010.account.applications.create({
        friendlyName: 'agent',
        voiceUrl: 'https://example.com/agent',
      });
      const updated = await lean.api.v2010.account
        .incomingPhoneNumbers(number.sid)
        .update({ voiceUrl: 'https://example.com/inbound', voiceApplicationSid: app.sid });

      expect(number.phoneNumber).toBe(OWN_NUMBER);
      expect(number.sid).toMatch(/^PN[0-9a-f]{32}$/);
      expect(updated).toMatchObject({ voiceUrl: 'https://example.com/inbound', voiceApplicationSid: app.sid });
      expect(emu.releasedNumbers).toEqual([]);
    });

    it('when an update sends an empty VoiceApplicationSid, the number is unbound from its App', async () => {
      // Arrange
      const app = await lean.api.v2010.account.applications.create({
        friendlyName: 'ivr',
        voiceUrl: 'https://x.example',
      });
      const [number] = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: OWN_NUMBER });
      await lean.api.v2010.account.incomingPhoneNumbers(number.sid).update({ voiceApplicationSid: app.sid });

      // Act
      const unbound = await raw(emu, 'POST', `${API(emu)}/IncomingPhoneNumbers/${number.sid}.json`, {
        VoiceApplicationSid: '',
        VoiceUrl: 'https://example.com/inbound',
      });

      // Assert
      expect(unbound.status).toBe(200);
      expect(unbound.body).toMatchObject({ voice_application_sid: null, voice_url: 'https://example.com/inbound' });
    });

    it('when an App is bound, the trunk goes, and the other way round (the spec: "and vice versa")', async () => {
      // Arrange
      const app = await lean.api.v2010.account.applications.create({
        friendlyName: 'ivr',
        voiceUrl: 'https://x.example',
      });
      const [number] = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: OWN_NUMBER });
      const path = `${API(emu)}/IncomingPhoneNumbers/${number.sid}.json`;
      const trunk = `TK${'1'.repeat(32)}`;

      // Act
      const withTrunk = await raw(emu, 'POST', path, { TrunkSid: trunk });
      const withApp = await raw(emu, 'POST', path, { VoiceApplicationSid: app.sid });
      const trunkAgain = await raw(emu, 'POST', path, { TrunkSid: trunk });

      // Assert
      expect(withTrunk.body).toMatchObject({ trunk_sid: trunk, voice_application_sid: null });
      expect(withApp.body).toMatchObject({ trunk_sid: null, voice_application_sid: app.sid });
      expect(trunkAgain.body).toMatchObject({ trunk_sid: trunk, voice_application_sid: null });
    });

    it('when the App is not the account’s, the update is refused with 22108 and nothing changes', async () => {
      // Arrange
      const [number] = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: OWN_NUMBER });

      // Act
      const refused = await raw(emu, 'POST', `${API(emu)}/IncomingPhoneNumbers/${number.sid}.json`, {
        VoiceApplicationSid: `AP${'e'.repeat(32)}`,
        VoiceUrl: 'https://example.com/changed',
      });
      const after = await lean.api.v2010.account.incomingPhoneNumbers(number.sid).fetch();

      // Assert
      expect(refused).toMatchObject({ status: 400, body: { code: 22108 } });
      expect(after.voiceUrl).not.toBe('https://example.com/changed');
    });

    it('matches the PhoneNumber filter partially and with *, like Twilio', async () => {
      emu.addIncomingNumber('+15550002222');
      const partial = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: '0001111' });
      const wildcard = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: '+1555000*' });

      expect(partial.map((n) => n.phoneNumber)).toEqual([OWN_NUMBER]);
      expect(wildcard.map((n) => n.phoneNumber).sort()).toEqual([OWN_NUMBER, '+15550002222']);
    });

    it('records a DELETE as a release (the stack must never do it)', async () => {
      const [number] = await lean.api.v2010.account.incomingPhoneNumbers.list({ phoneNumber: OWN_NUMBER });
      await lean.api.v2010.account.incomingPhoneNumbers(number.sid).remove();

      expect(emu.releasedNumbers.map((n) => n.phoneNumber)).toEqual([OWN_NUMBER]);
      await expect(lean.api.v2010.account.incomingPhoneNumbers(number.sid).fetch()).rejects.toMatchObject({
        status: 404,
        code: 20404,
      });
    });

    it('answers with the spec response schema', async () => {
      const list = await raw(
        emu,
        'GET',
        `${API(emu)}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(OWN_NUMBER)}`,
      );
      const items = list.body.incoming_phone_numbers as Record<string, unknown>[];
      const fetched = await raw(emu, 'GET', `${API(emu)}/IncomingPhoneNumbers/${String(items[0].sid)}.json`);

      expect(
        listProblems(
          envelopeKeys('/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json'),
          'incoming_phone_numbers',
          'api.v2010.account.incoming_phone_number',
          list.body,
        ),
      ).toEqual([]);
      expect(resourceProblems('api.v2010.account.incoming_phone_number', fetched.body)).toEqual([]);
    });
  });

  describe('Conferences and Participants', () => {
    let app: { sid: string };
    beforeEach(async () => {
      app = await lean.api.v2010.account.applications.create({
        friendlyName: 'agent',
        voiceUrl: 'http://127.0.0.1:9/unreachable',
      });
      emu.answerBehaviour('+15557770000', 'answer');
    });

    it('creates a conference by FriendlyName on the first participant create and finds it with the filters', async () => {
      const participant = await lean.api.v2010.account
        .conferences('conf-test')
        .participants.create({ from: OWN_NUMBER, to: '+15557770000', label: 'human' });
      const byName = await lean.api.v2010.account.conferences.list({ friendlyName: 'conf-test' });
      const byStatus = await lean.api.v2010.account.conferences.list({
        friendlyName: 'conf-test',
        status: 'completed',
      });

      expect(participant).toMatchObject({
        label: 'human',
        status: 'queued',
        callSid: expect.stringMatching(/^CA[0-9a-f]{32}$/),
        conferenceSid: expect.stringMatching(/^CF[0-9a-f]{32}$/),
      });
      expect(byName.map((c) => c.sid)).toEqual([participant.conferenceSid]);
      expect(byStatus).toEqual([]);
    });

    it('fetches, holds, unholds, mutes and removes a participant by label and by CallSid', async () => {
      const created = await lean.api.v2010.account
        .conferences('conf-hold')
        .participants.create({ from: OWN_NUMBER, to: '+15557770000', label: 'human' });
      await emu.waitUntil(
        () => emu.participants(created.conferenceSid).some((p) => p.status === 'connected'),
        2000,
        'human connected',
      );
      const participants = lean.api.v2010.account.conferences(created.conferenceSid).participants;

      const held = await participants('human').update({ hold: true });
      const unheld = await participants(created.callSid).update({ hold: false, muted: true });
      const fetched = await participants('human').fetch();
      await participants('human').remove();

      expect(held.hold).toBe(true);
      expect(unheld).toMatchObject({ hold: false, muted: true });
      expect(fetched).toMatchObject({ callSid: created.callSid, label: 'human', status: 'connected' });
      await expect(participants('human').fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
      expect(emu.call(created.callSid)?.status).toBe('completed');
    });

    it('adds, updates and lists participants with the full SDK', async () => {
      const client = fullSdkClient(emu.baseUrl, emu.accountSid, emu.authToken);

      const created = await client.conferences('conf-sdk').participants.create({
        from: OWN_NUMBER,
        to: 'sip:alice@pbx.example.com',
        label: 'alice',
        statusCallbackEvent: ['initiated', 'completed'],
        beep: 'false',
      });
      await emu.waitUntil(
        () => emu.participants(created.conferenceSid).some((p) => p.status === 'connected'),
        2000,
        'alice connected',
      );
      const muted = await client.conferences(created.conferenceSid).participants('alice').update({ muted: true });
      const listed = await client.conferences(created.conferenceSid).participants.list({ muted: true });

      expect(muted.muted).toBe(true);
      expect(listed.map((p) => p.label)).toEqual(['alice']);
      expect(emu.requests.find((r) => r.operationId === 'CreateParticipant')?.form).toMatchObject({
        StatusCallbackEvent: ['initiated', 'completed'],
        Beep: 'false',
      });
    });

    it('rejects a duplicate label in the conference with 16026', async () => {
      const participants = lean.api.v2010.account.conferences('conf-dup').participants;
      await participants.create({ from: OWN_NUMBER, to: '+15557770000', label: 'ai-agent' });

      await expect(
        participants.create({ from: OWN_NUMBER, to: `app:${app.sid}?caller=%2B1555`, label: 'ai-agent' }),
      ).rejects.toMatchObject({ status: 400, code: 16026 });
    });

    it('ends a conference with Status=completed and reports why', async () => {
      const created = await lean.api.v2010.account
        .conferences('conf-end')
        .participants.create({ from: OWN_NUMBER, to: '+15557770000', label: 'human' });
      await emu.waitUntil(
        () =>
          emu.participants(created.conferenceSid).length === 1 &&
          emu.participants(created.conferenceSid)[0].status === 'connected',
        2000,
      );

      const ended = await lean.api.v2010.account.conferences(created.conferenceSid).update({ status: 'completed' });

      expect(ended).toMatchObject({ status: 'completed', reasonConferenceEnded: 'conference-ended-via-api' });
      await emu.waitUntil(() => emu.call(created.callSid)?.status === 'completed', 2000);
    });

    it('answers conference and participant requests with the spec response schemas', async () => {
      const created = await raw(emu, 'POST', `${API(emu)}/Conferences/conf-schema/Participants.json`, {
        From: OWN_NUMBER,
        To: '+15557770000',
        Label: 'human',
      });
      const conferenceSid = String(created.body.conference_sid);
      const conference = await raw(emu, 'GET', `${API(emu)}/Conferences/${conferenceSid}.json`);
      const conferences = await raw(emu, 'GET', `${API(emu)}/Conferences.json?FriendlyName=conf-schema`);
      const participants = await raw(emu, 'GET', `${API(emu)}/Conferences/${conferenceSid}/Participants.json`);
      const call = await raw(emu, 'GET', `${API(emu)}/Calls/${String(created.body.call_sid)}.json`);

      expect(created.status).toBe(201);
      expect(resourceProblems('api.v2010.account.conference.participant', created.body)).toEqual([]);
      expect(resourceProblems('api.v2010.account.conference', conference.body)).toEqual([]);
      expect(
        listProblems(
          envelopeKeys('/2010-04-01/Accounts/{AccountSid}/Conferences.json'),
          'conferences',
          'api.v2010.account.conference',
          conferences.body,
        ),
      ).toEqual([]);
      expect(
        listProblems(
          envelopeKeys('/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json'),
          'participants',
          'api.v2010.account.conference.participant',
          participants.body,
        ),
      ).toEqual([]);
      expect(resourceProblems('api.v2010.account.call', call.body)).toEqual([]);
    });

    it.each([
      ['To not an address', { To: 'not-a-number' }, 400, 21211],
      ['To an app of another account', { To: 'app:AP00000000000000000000000000000000' }, 400, 21211],
      ['From not a number', { From: 'nobody', To: '+15557770000' }, 400, 21212],
      ['From not verified', { From: '+15559999999' }, 400, 21210],
      ['Label that looks like a Call SID', { Label: 'CA00000000000000000000000000000000' }, 400, 20001],
      ['Label with a slash', { Label: 'a/b' }, 400, 20001],
      ['Timeout out of range', { Timeout: '3' }, 400, 20001],
      ['Hold, which is not a create field', { Hold: 'true' }, 400, 20001],
      ['an unknown field', { Colour: 'blue' }, 400, 20001],
      ['a non-boolean Muted', { Muted: 'yes' }, 400, 20001],
    ])('rejects a participant create with %s', async (_name, fields, status, code) => {
      const response = await raw(emu, 'POST', `${API(emu)}/Conferences/conf-bad/Participants.json`, {
        From: OWN_NUMBER,
        To: '+15557770000',
        ...fields,
      });

      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ code, status, more_info: `https://www.twilio.com/docs/errors/${code}` });
      expect(typeof response.body.message).toBe('string');
    });

    it('names the unknown field in the 20001 message', async () => {
      const response = await raw(emu, 'POST', `${API(emu)}/Conferences/conf-bad/Participants.json`, {
        From: OWN_NUMBER,
        To: '+15557770000',
        Colour: 'blue',
      });

      expect(response.body.message).toContain('Colour');
    });
  });

  describe('Calls', () => {
    it('fetches a call, redirects it with Twiml and hangs it up with Status=completed', async () => {
      const created = await lean.api.v2010.account
        .conferences('conf-call')
        .participants.create({ from: OWN_NUMBER, to: 'client:alice', label: 'alice' });
      await emu.waitUntil(() => emu.call(created.callSid)?.status === 'in-progress', 2000);

      const fetched = await lean.api.v2010.account.calls(created.callSid).fetch();
      const completed = await lean.api.v2010.account.calls(created.callSid).update({ status: 'completed' });

      expect(fetched).toMatchObject({
        sid: created.callSid,
        direction: 'outbound-api',
        to: 'client:alice',
        from: OWN_NUMBER,
        status: 'in-progress',
      });
      expect(completed.status).toBe('completed');
      await expect(
        lean.api.v2010.account.calls(created.callSid).update({ twiml: '<Response/>' }),
      ).rejects.toMatchObject({ code: 21220 });
    });
  });

  describe.each([
    ['a Participants create', (emu: TwilioEmulator) => `${API(emu)}/Conferences/conf-order/Participants.json`, {}],
    [
      'a Calls create',
      (emu: TwilioEmulator) => `${API(emu)}/Calls.json`,
      { Twiml: '<Response><Pause length="1"/></Response>' },
    ],
  ])('when %s is answered', (_name, path, form) => {
    let hooks: WebhookServer;
    beforeEach(async () => {
      hooks = await new WebhookServer(emu.authToken).start();
    });
    afterEach(async () => {
      await hooks.stop();
    });

    it('its leg is dialled only after the answer: the `initiated` callback finds the create answered (queued)', async () => {
      // Arrange: the callback notes whether the client had the create's answer when Twilio started dialling.
      let answer: { status: number; body: Record<string, unknown> } | undefined;
      let answeredAtInitiated: boolean | undefined;
      hooks.route('/status', (hook) => {
        if (hook.params.CallStatus === 'initiated') answeredAtInitiated = answer !== undefined;
        return { status: 204 };
      });
      emu.answerBehaviour('+15557770000', 'answer');

      // Act
      answer = await raw(emu, 'POST', path(emu), {
        From: OWN_NUMBER,
        To: '+15557770000',
        ...form,
        StatusCallback: `${hooks.baseUrl}/status`,
        StatusCallbackEvent: 'initiated',
      });
      await emu.waitUntil(() => answeredAtInitiated !== undefined, 2000, 'initiated callback');

      // Assert
      expect(answer).toMatchObject({ status: 201, body: { status: 'queued', queue_time: '0' } });
      expect(answeredAtInitiated).toBe(true);
    });
  });

  describe('authentication', () => {
    it.each([
      ['a wrong Auth Token', (e: TwilioEmulator) => `${e.accountSid}:wrong`],
      ['an unknown API key', (_e: TwilioEmulator) => `SK00000000000000000000000000000000:secret`],
      ['no password', (e: TwilioEmulator) => `${e.accountSid}:`],
    ])('answers 401 with 20003 for %s', async (_name, credentials) => {
      const response = await raw(emu, 'GET', `${API(emu)}/Conferences.json`, undefined, credentials(emu));

      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 20003, status: 401 });
    });

    it('accepts a registered API key and secret', async () => {
      const key = emu.addApiKey();
      const client = createTwilioClient({
        accountSid: emu.accountSid,
        username: key.sid,
        password: key.secret,
        baseUrl: emu.baseUrl,
      });

      await expect(client.api.v2010.account.conferences.list({ limit: 5 })).resolves.toEqual([]);
    });

    it('fails the full SDK with 20003 when the token is wrong', async () => {
      const client = fullSdkClient(emu.baseUrl, emu.accountSid, 'wrong-token');

      await expect(client.conferences.list()).rejects.toMatchObject({ status: 401, code: 20003 });
    });
  });

  describe('paging', () => {
    it('pages lists with Twilio envelope fields and follows next_page_uri with the SDK', async () => {
      for (let i = 0; i < 5; i++) await lean.api.v2010.account.applications.create({ friendlyName: `app-${i}` });

      const first = await raw(emu, 'GET', `${API(emu)}/Applications.json?PageSize=2`);
      const all = await lean.api.v2010.account.applications.list({ pageSize: 2 });

      expect(first.body).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
      expect(String(first.body.next_page_uri)).toContain('Page=1');
      expect(all).toHaveLength(5);
    });
  });

  describe('fault injection', () => {
    it.each([
      ['rate limit', (e: TwilioEmulator) => e.faults.rateLimit('CreateParticipant'), 429, 20429],
      ['server error', (e: TwilioEmulator) => e.faults.serverError('CreateParticipant'), 500, 20500],
      ['add failure', (e: TwilioEmulator) => e.faults.participantAddFailure(), 400, 16030],
    ])('answers the next participant create with a scripted %s, then normally', async (_name, script, status, code) => {
      script(emu);
      const participants = lean.api.v2010.account.conferences('conf-fault').participants;

      await expect(participants.create({ from: OWN_NUMBER, to: '+15557770000', label: 'human' })).rejects.toMatchObject(
        { status, code },
      );
      await expect(
        participants.create({ from: OWN_NUMBER, to: '+15557770000', label: 'human' }),
      ).resolves.toMatchObject({ label: 'human' });
      expect(emu.faults.pending).toBe(0);
    });

    it('resets the connection of a scripted request', async () => {
      emu.faults.reset('ListConference');

      await expect(lean.api.v2010.account.conferences.list({})).rejects.toMatchObject({
        code: expect.stringMatching(/ECONNRESET|socket hang up/i),
      });
    });

    it('delays a scripted request', async () => {
      emu.faults.delay('ListApplication', 100);
      const started = Date.now();

      await lean.api.v2010.account.applications.list({});

      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    });
  });

  it('records each REST request with its form and response, without credentials', async () => {
    await raw(emu, 'POST', `${API(emu)}/Applications.json`, { FriendlyName: 'recorded' });

    const recorded = emu.requests.at(-1);
    expect(recorded).toMatchObject({
      method: 'POST',
      operationId: 'CreateApplication',
      status: 201,
      form: { FriendlyName: 'recorded' },
    });
    expect(JSON.stringify(emu.requests)).not.toContain(emu.authToken);
  });

  it('answers 20404 for an unknown resource and a path of another account', async () => {
    const missing = await raw(emu, 'GET', `${API(emu)}/Conferences/CF00000000000000000000000000000000.json`);
    const other = await raw(emu, 'GET', `/2010-04-01/Accounts/AC00000000000000000000000000000000/Conferences.json`);

    expect(missing).toMatchObject({ status: 404, body: { code: 20404 } });
    expect(other).toMatchObject({ status: 404, body: { code: 20404 } });
  });
});
