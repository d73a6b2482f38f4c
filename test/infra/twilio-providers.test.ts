/**
 * The Twilio dynamic providers' methods, run directly against a local Twilio stand-in with the real `twilio`
 * resource classes: exact requests (checked against Twilio's OpenAPI spec), adoption, restore on delete, drift,
 * and Twilio failures. A number is never DELETEd.
 */
import Module from 'node:module';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { fixedConfigureRequest } from '../../infra/twilio/credentials';
import {
  PhoneNumberVoiceConfigProvider,
  type PhoneNumberVoiceConfigOutputs,
} from '../../infra/twilio/phone-number-provider';
import { TwimlAppProvider, type TwimlAppOutputs } from '../../infra/twilio/twiml-app-provider';
import { specProblems } from '../lambdas/support/openapi';
import { TwilioStub, twilioError } from '../lambdas/support/twilio-stub';
import { ACCOUNT, BASE_PATH, TOKEN, TwilioResources } from './support/twilio-resources';

const NUMBER = '+15551230000';
const INBOUND = 'https://api.example.com/twilio/voice/inbound';
/** Pulumi's wire value of an unknown (provider protocol), written out here rather than taken from the code. */
const PULUMI_UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
const FALLBACK = 'https://api.example.com/twilio/voice/agent-fallback';
const AGENT = 'https://api.example.com/twilio/voice/agent';

let stub: TwilioStub;
let twilio: TwilioResources;
const savedEnv = { ...process.env };

beforeEach(async () => {
  stub = await new TwilioStub().start();
  twilio = new TwilioResources(stub);
  process.env.TWILIO_ACCOUNT_SID = ACCOUNT;
  process.env.TWILIO_AUTH_TOKEN = TOKEN;
  process.env.TWILIO_API_BASE_URL = stub.baseUrl;
});

afterEach(async () => {
  // Whatever a test did, it never released a number and every request followed Twilio's spec.
  expect(stub.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/IncomingPhoneNumbers/'))).toEqual([]);
  for (const r of stub.requests) expect(specProblems(r.method, r.path, r.form, r.query)).toEqual([]);
  await stub.stop();
  process.env = { ...savedEnv };
});

const numberProvider = () => new PhoneNumberVoiceConfigProvider(300);
const appProvider = () => new TwimlAppProvider(300);
const inputs = {
  phoneNumber: NUMBER,
  voiceUrl: INBOUND,
  voiceMethod: 'POST' as const,
  voiceFallbackUrl: FALLBACK,
  voiceFallbackMethod: 'POST' as const,
};
const writes = () => stub.requests.filter((r) => r.method !== 'GET');

describe('PhoneNumberVoiceConfig', () => {
  it('adopts the number by exact E.164 among partial matches and records its earlier settings', async () => {
    // Arrange
    twilio.addNumber(`${NUMBER}9`, { voice_url: 'https://other.example.com' });
    const number = twilio.addNumber(NUMBER, {
      voice_url: 'https://old.example.com/voice',
      voice_application_sid: `AP${'d'.repeat(32)}`,
    });

    // Act
    const { id, outs } = await numberProvider().create(inputs);

    // Assert
    expect(id).toBe(number.sid);
    expect(stub.requests[0]).toMatchObject({ method: 'GET', path: `${BASE_PATH}/IncomingPhoneNumbers.json` });
    expect(stub.requests[0].query.get('PhoneNumber')).toBe(NUMBER);
    expect(writes()).toHaveLength(1);
    expect(writes()[0]).toMatchObject({
      method: 'POST',
      path: `${BASE_PATH}/IncomingPhoneNumbers/${number.sid}.json`,
      form: { VoiceUrl: INBOUND, VoiceFallbackUrl: FALLBACK, VoiceApplicationSid: '' },
    });
    expect(outs.previous).toMatchObject({
      voiceUrl: 'https://old.example.com/voice',
      voiceApplicationSid: `AP${'d'.repeat(32)}`,
    });
    expect(twilio.numbers.get(number.sid)).toMatchObject({ voice_url: INBOUND, voice_application_sid: null });
  });

  it('clears a SIP trunk binding that would override the voice URL', async () => {
    // Arrange
    const number = twilio.addNumber(NUMBER, { trunk_sid: `TK${'e'.repeat(32)}` });

    // Act
    await numberProvider().create(inputs);

    // Assert
    expect(writes()[0].form).toMatchObject({ TrunkSid: '' });
    expect(twilio.numbers.get(number.sid)?.trunk_sid).toBeNull();
  });

  it('fails with a clear message when the account has no such number, and changes nothing', async () => {
    // Arrange
    twilio.addNumber(`${NUMBER}1`);

    // Act
    const attempt = numberProvider().create(inputs);

    // Assert
    await expect(attempt).rejects.toThrow(
      `the Twilio account has no incoming phone number ${NUMBER}; buy or port it in Twilio first`,
    );
    expect(writes()).toEqual([]);
  });

  it('restores the earlier settings on delete, including the voice application, without releasing the number', async () => {
    // Arrange
    const appSid = `AP${'d'.repeat(32)}`;
    const number = twilio.addNumber(NUMBER, {
      voice_url: 'https://old.example.com/voice',
      voice_application_sid: appSid,
    });
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);

    // Act
    await provider.delete(id, outs as PhoneNumberVoiceConfigOutputs);

    // Assert
    expect(twilio.numbers.get(number.sid)).toMatchObject({
      voice_url: 'https://old.example.com/voice',
      voice_application_sid: appSid,
      voice_fallback_url: '',
    });
    expect(writes().at(-1)).toMatchObject({
      method: 'POST',
      path: `${BASE_PATH}/IncomingPhoneNumbers/${number.sid}.json`,
    });
  });

  it('treats a number that left the account as nothing to restore', async () => {
    // Arrange
    const number = twilio.addNumber(NUMBER);
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);
    twilio.numbers.delete(number.sid);

    // Act / Assert
    await expect(provider.delete(id, outs as PhoneNumberVoiceConfigOutputs)).resolves.toBeUndefined();
  });

  it('refresh records the live settings as `live` and keeps what the stack applied', async () => {
    // Arrange
    const number = twilio.addNumber(NUMBER);
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);
    twilio.numbers.get(number.sid)!.voice_url = 'https://console-edit.example.com';

    // Act
    const { props } = await provider.read(id, outs as PhoneNumberVoiceConfigOutputs);

    // Assert
    expect((props as PhoneNumberVoiceConfigOutputs).applied.voiceUrl).toBe(INBOUND);
    expect((props as PhoneNumberVoiceConfigOutputs).live?.voiceUrl).toBe('https://console-edit.example.com');
    expect(await provider.diff(id, props as PhoneNumberVoiceConfigOutputs, inputs)).toMatchObject({ changes: true });
  });

  it('refresh reports a number that left the account as gone', async () => {
    // Arrange
    const number = twilio.addNumber(NUMBER);
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);
    twilio.numbers.delete(number.sid);

    // Act
    const read = await provider.read(id, outs as PhoneNumberVoiceConfigOutputs);

    // Assert
    expect(read).toEqual({ id: '', props: {} });
  });

  it('sees drift made in the Console and puts the settings back on update', async () => {
    // Arrange
    const number = twilio.addNumber(NUMBER);
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);
    twilio.numbers.get(number.sid)!.voice_url = 'https://console-edit.example.com';

    // Act
    const diff = await provider.diff(id, outs as PhoneNumberVoiceConfigOutputs, inputs);
    const updated = await provider.update(id, outs as PhoneNumberVoiceConfigOutputs, inputs);

    // Assert
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(twilio.numbers.get(number.sid)?.voice_url).toBe(INBOUND);
    expect((updated.outs as PhoneNumberVoiceConfigOutputs).previous).toEqual(
      (outs as PhoneNumberVoiceConfigOutputs).previous,
    );
  });

  it.each([
    ['nothing changed', {}, { changes: false, replaces: [] }],
    ['a new voice URL updates in place', { voiceUrl: 'https://new.example.com/in' }, { changes: true, replaces: [] }],
    ['another number replaces', { phoneNumber: '+15559990000' }, { changes: true, replaces: ['phoneNumber'] }],
  ])('diff: %s', async (_name, change, expected) => {
    // Arrange
    twilio.addNumber(NUMBER);
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);

    // Act
    const diff = await provider.diff(id, outs as PhoneNumberVoiceConfigOutputs, { ...inputs, ...change });

    // Assert
    expect(diff).toMatchObject(expected);
  });

  it('writes nothing when the number already has the settings', async () => {
    // Arrange
    twilio.addNumber(NUMBER, { voice_url: INBOUND, voice_fallback_url: FALLBACK });

    // Act
    await numberProvider().create(inputs);

    // Assert
    expect(writes()).toEqual([]);
  });

  it.each([
    ['phoneNumber', { phoneNumber: '5551230000' }],
    ['voiceUrl', { voiceUrl: 'http://api.example.com/in' }],
    ['voiceMethod', { voiceMethod: 'PUT' }],
  ])('check rejects a bad %s', async (property, change) => {
    // Act
    const result = await numberProvider().check({}, { ...inputs, ...change });

    // Assert
    expect(result.failures?.map((f) => f.property)).toEqual([property]);
  });

  it.each(['phoneNumber', 'voiceUrl', 'voiceFallbackUrl', 'voiceMethod'])(
    'check accepts a %s the engine does not know yet (a preview) and validates it once known',
    async (property) => {
      // Act
      const unknown = await numberProvider().check({}, { ...inputs, [property]: PULUMI_UNKNOWN });
      const known = await numberProvider().check({}, { ...inputs, [property]: 'not valid' });

      // Assert
      expect(unknown.failures).toEqual([]);
      expect(known.failures?.map((f) => f.property)).toEqual([property]);
    },
  );

  it('diff: a number not known yet replaces; a URL not known yet updates in place', async () => {
    // Arrange
    twilio.addNumber(NUMBER);
    const provider = numberProvider();
    const { id, outs } = await provider.create(inputs);
    const olds = outs as PhoneNumberVoiceConfigOutputs;

    // Act
    const unknownNumber = await provider.diff(id, olds, { ...inputs, phoneNumber: PULUMI_UNKNOWN });
    const unknownUrl = await provider.diff(id, olds, { ...inputs, voiceUrl: PULUMI_UNKNOWN });

    // Assert
    expect(unknownNumber).toMatchObject({ changes: true, replaces: ['phoneNumber'] });
    expect(unknownUrl).toMatchObject({ changes: true, replaces: [] });
  });
});

describe('Twilio failures', () => {
  it('retries a rate-limited request and then succeeds', async () => {
    // Arrange
    twilio.addNumber(NUMBER);
    twilio.failNext(
      'updateNumber',
      twilioError(429, 20429, 'Too Many Requests'),
      twilioError(429, 20429, 'Too Many Requests'),
    );

    // Act
    const { outs } = await numberProvider().create(inputs);

    // Assert
    expect((outs as PhoneNumberVoiceConfigOutputs).applied.voiceUrl).toBe(INBOUND);
    expect(writes()).toHaveLength(3);
  });

  it.each([
    [
      '401',
      twilioError(401, 20003, 'Authenticate'),
      /HTTP 401 \(code 20003\) while looking up \+15551230000.*Check the Account SID and the Auth Token/,
    ],
    ['429 after retries', twilioError(429, 20429, 'Too Many Requests'), /HTTP 429 \(code 20429\).*kept rate-limiting/],
    [
      '500',
      { status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } },
      /HTTP 500 \(code 20500\).*internal failure; nothing else was changed/,
    ],
  ])('reports %s with what was being done and what to check, never the token', async (_name, response, message) => {
    // Arrange
    twilio.addNumber(NUMBER);
    twilio.failNext('listNumbers', ...Array.from({ length: 10 }, () => response));

    // Act
    const error = (await numberProvider()
      .create(inputs)
      .catch((e: unknown) => e)) as Error;

    // Assert
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
    expect(writes()).toEqual([]);
  });

  it('reports a connection reset as unreachable', async () => {
    // Arrange
    twilio.failNext('listNumbers', { status: 0, reset: true });

    // Act / Assert
    await expect(numberProvider().create(inputs)).rejects.toThrow(
      /could not reach Twilio while looking up \+15551230000 \(ECONNRESET\)/,
    );
  });

  it('says which credentials are missing', async () => {
    // Arrange
    delete process.env.TWILIO_AUTH_TOKEN;

    // Act / Assert
    await expect(numberProvider().create(inputs)).rejects.toThrow(
      /no Twilio credentials: set config twilioAuthToken .* or TWILIO_AUTH_TOKEN/,
    );
  });

  it('prefers the stack config handed to configure over the environment', async () => {
    // Arrange
    twilio.addNumber(NUMBER);
    process.env.TWILIO_AUTH_TOKEN = 'wrong-token-from-env';
    const provider = numberProvider();
    await provider.configure(fixedConfigureRequest({ twilioAuthToken: TOKEN, twilioApiBaseUrl: stub.baseUrl }));

    // Act
    await provider.create(inputs);

    // Assert
    expect(stub.requests[0].headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`,
    );
  });
});

describe('TwimlApp', () => {
  const app = {
    friendlyName: 'voiceai-dev AI agent',
    voiceUrl: AGENT,
    voiceMethod: 'POST' as const,
    voiceFallbackUrl: FALLBACK,
    voiceFallbackMethod: 'POST' as const,
  };

  it('creates the App with the agent route as its Voice URL', async () => {
    // Act
    const { id, outs } = await appProvider().create(app);

    // Assert
    expect(id).toMatch(/^AP[0-9a-f]{32}$/i);
    expect(stub.requests[0]).toMatchObject({
      method: 'POST',
      path: `${BASE_PATH}/Applications.json`,
      form: { FriendlyName: app.friendlyName, VoiceUrl: AGENT, VoiceMethod: 'POST', VoiceFallbackUrl: FALLBACK },
    });
    expect(outs).toMatchObject({ sid: id, accountSid: ACCOUNT, voiceUrl: AGENT });
  });

  it('updates a changed friendly name in place', async () => {
    // Arrange
    const provider = appProvider();
    const { id, outs } = await provider.create(app);
    const renamed = { ...app, friendlyName: 'voiceai-dev agent (renamed)' };

    // Act
    const diff = await provider.diff(id, outs as TwimlAppOutputs, renamed);
    await provider.update(id, outs as TwimlAppOutputs, renamed);

    // Assert
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(writes().at(-1)).toMatchObject({
      method: 'POST',
      path: `${BASE_PATH}/Applications/${id}.json`,
      form: { FriendlyName: renamed.friendlyName },
    });
    expect(twilio.apps.get(id)?.friendly_name).toBe(renamed.friendlyName);
  });

  it('reports no change when inputs and the live App agree', async () => {
    // Arrange
    const provider = appProvider();
    const { id, outs } = await provider.create(app);

    // Act / Assert
    expect(await provider.diff(id, outs as TwimlAppOutputs, app)).toMatchObject({ changes: false });
  });

  it('sees a Voice URL changed in the Console', async () => {
    // Arrange
    const provider = appProvider();
    const { id, outs } = await provider.create(app);
    twilio.apps.get(id)!.voice_url = 'https://console-edit.example.com';

    // Act / Assert
    expect(await provider.diff(id, outs as TwimlAppOutputs, app)).toMatchObject({ changes: true, replaces: [] });
  });

  it('re-creates an App deleted outside Pulumi', async () => {
    // Arrange
    const provider = appProvider();
    const { id, outs } = await provider.create(app);
    twilio.apps.delete(id);

    // Act / Assert
    expect(await provider.diff(id, outs as TwimlAppOutputs, app)).toMatchObject({ changes: true, replaces: ['sid'] });
  });

  it('deletes the App, and an App already gone counts as deleted', async () => {
    // Arrange
    const provider = appProvider();
    const { id } = await provider.create(app);

    // Act
    await provider.delete(id);
    await provider.delete(id);

    // Assert
    expect(stub.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `${BASE_PATH}/Applications/${id}.json`,
      `${BASE_PATH}/Applications/${id}.json`,
    ]);
    expect(twilio.apps.size).toBe(0);
  });

  it.each([
    ['friendlyName', { friendlyName: 'x'.repeat(65) }],
    ['voiceUrl', { voiceUrl: 'not a url' }],
    ['voiceFallbackUrl', { voiceFallbackUrl: 'ftp://example.com' }],
  ])('check rejects a bad %s', async (property, change) => {
    // Act
    const result = await appProvider().check({}, { ...app, ...change });

    // Assert
    expect(result.failures?.map((f) => f.property)).toEqual([property]);
  });
});

describe('serialized provider', () => {
  /** Loads serialized provider code the way Pulumi's dynamic provider host does: a module compiled from a string. */
  function loadSerialized(text: string): { handler: () => PhoneNumberVoiceConfigProvider } {
    const filename = path.join(__dirname, '__serialized_provider__.js');
    const m = new Module(filename) as Module & { _compile(code: string, file: string): void; paths: string[] };
    m.filename = filename;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
    m._compile(text, filename);
    return m.exports as { handler: () => PhoneNumberVoiceConfigProvider };
  }

  it('carries no credential and works when loaded from its serialized text', async () => {
    // Arrange
    twilio.addNumber(NUMBER);
    // As pulumi.dynamic.Resource does: the instance is captured (its fields are serialized as values).
    const instance = new PhoneNumberVoiceConfigProvider(300);
    const serialized = await pulumi.runtime.serializeFunction(() => instance, { allowSecrets: false });

    // Act: the module runs outside jest's sandboxed process.env, so credentials come through configure.
    const provider = loadSerialized(serialized.text).handler();
    await provider.configure(
      fixedConfigureRequest({ twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioApiBaseUrl: stub.baseUrl }),
    );
    const { outs } = await provider.create(inputs);

    // Assert
    expect(serialized.containsSecrets).toBe(false);
    expect(serialized.text).not.toContain(TOKEN);
    expect(serialized.text).not.toContain(ACCOUNT);
    expect((outs as PhoneNumberVoiceConfigOutputs).applied.voiceUrl).toBe(INBOUND);
  });

  it.each([
    [
      'a number not in the account',
      { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN },
      /^the Twilio account has no incoming phone number \+15551230000; .*fix config voice-ai-conference:phoneNumber$/,
    ],
    [
      'no Auth Token',
      { twilioAccountSid: ACCOUNT },
      /^no Twilio credentials: set config voice-ai-conference:twilioAuthToken \(pulumi config set --secret\)/,
    ],
  ])(
    'a failure thrown from the serialized text keeps its message (%s), naming project keys',
    async (_name, config, message) => {
      // Arrange
      const project = 'voice-ai-conference';
      // As pulumi.dynamic.Resource does: the instance is captured (its fields are serialized as values).
      const instance = new PhoneNumberVoiceConfigProvider(300, project);
      const serialized = await pulumi.runtime.serializeFunction(() => instance, { allowSecrets: false });
      const provider = loadSerialized(serialized.text).handler();
      const qualified = Object.fromEntries(
        Object.entries({ ...config, twilioApiBaseUrl: stub.baseUrl }).map(([k, v]) => [`${project}:${k}`, v]),
      );
      await provider.configure(fixedConfigureRequest(qualified));

      // Act
      const error = (await provider.create(inputs).catch((e: unknown) => e)) as Error;

      // Assert
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(TOKEN);
    },
  );
});
