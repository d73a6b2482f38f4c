/**
 * The Twilio side of the stack through its whole life, driven as the Pulumi engine drives it: the registrations
 * the real program made (through Pulumi's language runtime) sent to Pulumi's own dynamic-provider host over gRPC,
 * which runs the serialized providers against the sandbox's Twilio emulator.
 */
import {
  DYNAMIC,
  dynamicResources,
  EARLIER_VOICE_URL,
  key,
  PHONE_NUMBER,
  programRun,
  startHarness,
  TWIML_APP,
  type Harness,
} from './support/harness';
import { defaultAnswer, HARNESS_SECRETS, runProgram } from './support/program';
import { RpcFailure } from './support/provider-host';
import type { Registration } from './support/stand-ins';
import { annotateSecrets, type Props } from './support/wire';

// Each scenario starts Pulumi's provider host (a Node process) and drives it over gRPC: slower than a unit test,
// more so on a busy CI machine.
jest.setTimeout(120_000);

const OTHER_NUMBER = '+15005550009';
const NEW_BASE = 'https://voice.example.net';

let harness: Harness | undefined;

afterEach(async () => {
  if (!harness) return;
  // Whatever happened, no number was bought or released, and the host is stopped with the harness.
  const numberDeletes = harness.twilio.requests.filter(
    (r) => r.method === 'DELETE' && r.path.includes('/IncomingPhoneNumbers/'),
  );
  expect({ numberDeletes, released: harness.twilio.releasedNumbers, bought: harness.twilio.purchasedNumbers }).toEqual({
    numberDeletes: [],
    released: [],
    bought: [],
  });
  await harness.stop();
  expect(harness.host.running).toBe(false);
  harness = undefined;
});

async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

const preview = () => programRun('minimal-dev', true).then(dynamicResources);
const update = (overrides: Record<string, string> = {}) =>
  programRun('minimal-dev', false, overrides).then(dynamicResources);
const one = (registrations: Registration[], type: string) => registrations.find((r) => r.type === type)!;
const stateOf = (h: Harness, type: string) => [...h.deployment.state.values()].find((s) => s.type === type)!;
const ops = (steps: { urn: string; op: string }[]) => steps.map((s) => `${s.urn.split('::').pop()}: ${s.op}`);
const numberRecord = (h: Harness, e164: string) =>
  h.console.api.v2010.account.incomingPhoneNumbers
    .list({ phoneNumber: e164 })
    .then((l) => l.find((n) => n.phoneNumber === e164)!);
const twilioWrites = (h: Harness) => h.twilio.requests.filter((r) => r.method !== 'GET');

beforeAll(async () => {
  // Program runs cost seconds: run them together, once.
  await Promise.all([preview(), update(), update({ publicBaseUrl: NEW_BASE }), update({ phoneNumber: OTHER_NUMBER })]);
}, 120_000);

describe('the provider host', () => {
  it('answers the start-up calls as the engine expects: Handshake and CheckConfig unimplemented, Configure refusing secrets and previews', async () => {
    // Act
    const h = await start();

    // Assert
    expect(h.host.calls.map((c) => `${c.method} ${c.outcome}`)).toEqual([
      'Handshake UNIMPLEMENTED',
      'GetPluginInfo ok',
      'CheckConfig UNIMPLEMENTED',
      'Configure ok',
    ]);
    expect(h.host.protocol).toEqual({ acceptSecrets: false, supportsPreview: false });
    expect(h.host.stderr).toBe('');
  });
});

describe('a new stack', () => {
  it('previews: both resources checked with unknown URLs, two creates planned, nothing written to Twilio', async () => {
    // Arrange
    const h = await start();

    // Act
    const steps = await h.deployment.preview(await preview());

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: create', 'voiceai-dev-phone-number: create']);
    expect(h.twilio.requests).toEqual([]);
    expect(h.host.stderr).toBe('');
  });

  it('up: creates the App on the agent route and points the adopted number at the stack', async () => {
    // Arrange
    const h = await start();
    const registrations = await update();

    // Act
    const steps = await h.deployment.up(registrations);

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: create', 'voiceai-dev-phone-number: create']);
    const app = await h.console.api.v2010.account.applications(stateOf(h, TWIML_APP).id).fetch();
    expect(app.voiceUrl).toBe(one(registrations, TWIML_APP).inputs.voiceUrl);
    const number = await numberRecord(h, '+15005550006');
    expect(number.voiceUrl).toBe(one(registrations, PHONE_NUMBER).inputs.voiceUrl);
    expect(stateOf(h, PHONE_NUMBER).outputs.previous).toMatchObject({ voiceUrl: EARLIER_VOICE_URL });
    expect(JSON.stringify([...h.deployment.state.values()])).not.toContain(HARNESS_SECRETS.twilioAuthToken);
    expect(h.host.stderr).toBe('');
  });
  it('up with the program running: the engine answers its Twilio registrations from the host, the program exports the real SIDs', async () => {
    // Arrange
    const h = await start();
    const update = h.deployment.beginUpdate();

    // Act
    const run = await runProgram({
      dryRun: false,
      config: h.config,
      answer: async (r, dryRun) => {
        if (!r.type.startsWith(DYNAMIC)) return defaultAnswer(r, dryRun);
        const { id, outputs } = await update.register(r);
        // The engine keeps secretness for a provider that does not accept secrets (annotateSecrets).
        return { id, outputs: annotateSecrets(outputs, r.inputs) };
      },
    });
    const steps = await update.finish();

    // Assert
    expect({ exitCode: run.exitCode, errors: run.logs.filter((l) => l.severity === 'error') }).toEqual({
      exitCode: 0,
      errors: [],
    });
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: create', 'voiceai-dev-phone-number: create']);
    const apps = await h.console.api.v2010.account.applications.list();
    expect(run.stackOutputs.twimlAppSid).toBe(apps[0].sid);
    expect(run.stackOutputs.phoneNumber).toBe('+15005550006');
    expect((await numberRecord(h, '+15005550006')).voiceUrl).toBe(run.stackOutputs.inboundWebhookUrl);
  });
});

describe('a deployed stack', () => {
  async function deployed(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
    const h = await start(options);
    await h.deployment.up(await update());
    return h;
  }

  it('a second up with no change: no diff, no Twilio write', async () => {
    // Arrange
    const h = await deployed();
    const writesBefore = twilioWrites(h).length;

    // Act
    const steps = await h.deployment.up(await update());

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: same', 'voiceai-dev-phone-number: same']);
    expect(twilioWrites(h)).toHaveLength(writesBefore);
  });

  it('a preview whose URLs are unknown again (the API being replaced) plans updates, not errors', async () => {
    // Arrange
    const h = await deployed();

    // Act
    const steps = await h.deployment.preview(await preview());

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: update', 'voiceai-dev-phone-number: update']);
    expect(h.host.stderr).toBe('');
  });

  it('changed URLs update both resources in place', async () => {
    // Arrange
    const h = await deployed();
    const appSid = stateOf(h, TWIML_APP).id;

    // Act
    const steps = await h.deployment.up(await update({ publicBaseUrl: NEW_BASE }));

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: update', 'voiceai-dev-phone-number: update']);
    expect(stateOf(h, TWIML_APP).id).toBe(appSid);
    expect((await h.console.api.v2010.account.applications(appSid).fetch()).voiceUrl).toBe(
      `${NEW_BASE}/twilio/voice/agent`,
    );
    expect((await numberRecord(h, '+15005550006')).voiceUrl).toBe(`${NEW_BASE}/twilio/voice/inbound`);
  });

  it('a changed number replaces: the new number is adopted, the old one gets its earlier settings back', async () => {
    // Arrange
    const h = await deployed({ numbers: ['+15005550006', OTHER_NUMBER] });

    // Act
    const steps = await h.deployment.up(await update({ phoneNumber: OTHER_NUMBER }));

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: same', 'voiceai-dev-phone-number: replace']);
    expect((await numberRecord(h, OTHER_NUMBER)).voiceUrl).toMatch(/\/twilio\/voice\/inbound$/);
    expect((await numberRecord(h, '+15005550006')).voiceUrl).toBe(EARLIER_VOICE_URL);
    expect(stateOf(h, PHONE_NUMBER).outputs.phoneNumber).toBe(OTHER_NUMBER);
  });

  it('Console drift survives a refresh and the next up puts the settings back', async () => {
    // Arrange
    const h = await deployed();
    const number = await numberRecord(h, '+15005550006');
    const wanted = number.voiceUrl;
    await h.console.api.v2010.account
      .incomingPhoneNumbers(number.sid)
      .update({ voiceUrl: 'https://console.example.com/x' });
    const appSid = stateOf(h, TWIML_APP).id;
    await h.console.api.v2010.account.applications(appSid).update({ voiceUrl: 'https://console.example.com/y' });

    // Act
    await h.deployment.refresh();
    const refreshed = stateOf(h, PHONE_NUMBER).outputs;
    const planned = await h.deployment.preview(await update());
    const steps = await h.deployment.up(await update());

    // Assert
    expect(ops(planned)).toEqual(['voiceai-dev-agent-app: update', 'voiceai-dev-phone-number: update']);
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: update', 'voiceai-dev-phone-number: update']);
    expect((await numberRecord(h, '+15005550006')).voiceUrl).toBe(wanted);
    expect(refreshed.live).toMatchObject({ voiceUrl: 'https://console.example.com/x' });
    expect(refreshed.applied).toMatchObject({ voiceUrl: wanted });
    expect((await h.console.api.v2010.account.applications(appSid).fetch()).voiceUrl).toMatch(
      /\/twilio\/voice\/agent$/,
    );
    expect(ops(await h.deployment.up(await update()))).toEqual([
      'voiceai-dev-agent-app: same',
      'voiceai-dev-phone-number: same',
    ]);
  });

  it('an App deleted by hand is re-created on the next up', async () => {
    // Arrange
    const h = await deployed();
    const oldSid = stateOf(h, TWIML_APP).id;
    await h.console.api.v2010.account.applications(oldSid).remove();

    // Act
    const steps = await h.deployment.up(await update());

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: replace', 'voiceai-dev-phone-number: same']);
    const newSid = stateOf(h, TWIML_APP).id;
    expect(newSid).not.toBe(oldSid);
    expect((await h.console.api.v2010.account.applications(newSid).fetch()).voiceUrl).toMatch(
      /\/twilio\/voice\/agent$/,
    );
  });

  it('destroy: the number gets its earlier settings back, the App is deleted, nothing is released', async () => {
    // Arrange
    const h = await deployed();
    const appSid = stateOf(h, TWIML_APP).id;

    // Act
    const steps = await h.deployment.destroy();

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-phone-number: delete', 'voiceai-dev-agent-app: delete']);
    expect((await numberRecord(h, '+15005550006')).voiceUrl).toBe(EARLIER_VOICE_URL);
    expect(await h.console.api.v2010.account.applications.list()).toEqual([]);
    expect(h.twilio.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      expect.stringContaining(`/Applications/${appSid}.json`),
    ]);
  });

  it('destroy twice (state written before the first finished): the second succeeds with nothing left to do', async () => {
    // Arrange
    const h = await deployed();
    const saved = new Map(h.deployment.state);
    await h.deployment.destroy();
    const writesAfterFirst = twilioWrites(h).length;
    for (const [urn, s] of saved) h.deployment.state.set(urn, s);

    // Act
    const steps = await h.deployment.destroy();

    // Assert
    expect(ops(steps)).toEqual(['voiceai-dev-phone-number: delete', 'voiceai-dev-agent-app: delete']);
    expect(
      twilioWrites(h)
        .slice(writesAfterFirst)
        .map((r) => `${r.method} ${r.path.split('/').pop()} ${r.status}`),
    ).toEqual([expect.stringMatching(/^DELETE AP\w+\.json 404$/)]);
    expect((await numberRecord(h, '+15005550006')).voiceUrl).toBe(EARLIER_VOICE_URL);
  });

  it('a provider upgrade (new provider code) shows as an update of both and re-applies the settings', async () => {
    // Arrange
    const h = await deployed();
    const upgraded = (await update()).map((r) => ({
      ...r,
      inputs: { ...r.inputs, __provider: `${String(r.inputs.__provider)}\n// provider upgraded\n` } as Props,
    }));
    const before = stateOf(h, PHONE_NUMBER).outputs.providerVersion;

    // Act
    const planned = await h.deployment.preview(upgraded);
    const steps = await h.deployment.up(upgraded);

    // Assert
    expect(ops(planned)).toEqual(['voiceai-dev-agent-app: update', 'voiceai-dev-phone-number: update']);
    expect(ops(steps)).toEqual(['voiceai-dev-agent-app: update', 'voiceai-dev-phone-number: update']);
    expect(before).toMatch(/^[0-9a-f]{12}$/);
    expect(stateOf(h, PHONE_NUMBER).outputs.providerVersion).not.toBe(before);
  });
});

describe('errors a user meets', () => {
  it('wrong credentials: the error names the config keys to fix, never a value', async () => {
    // Arrange
    const wrong = 'wrong-auth-token-0a1b2c3d4e5f';
    const h = await start({ overrides: { twilioAuthToken: wrong } });

    // Act
    const error = (await h.deployment.up(await update()).catch((e: Error) => e)) as Error;

    // Assert
    expect(error.message).toMatch(/^error creating voiceai-dev-agent-app: Twilio answered HTTP 401/);
    expect(error.message).toContain(key('twilioAccountSid'));
    expect(error.message).toContain(key('twilioAuthToken'));
    for (const text of [error.message, h.host.stderr]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(HARNESS_SECRETS.twilioAuthToken);
    }
  });

  it('a number the account does not own: the error says so and names the phoneNumber key', async () => {
    // Arrange
    const h = await start({ numbers: [OTHER_NUMBER] });

    // Act
    const error = (await h.deployment.up(await update()).catch((e: Error) => e)) as Error;

    // Assert
    expect(error.message).toContain(
      'error creating voiceai-dev-phone-number: the Twilio account has no incoming phone number +15005550006',
    );
    expect(error.message).toContain(key('phoneNumber'));
    expect(twilioWrites(h).filter((r) => r.path.includes('IncomingPhoneNumbers'))).toEqual([]);
  });
});

describe('pulumi import', () => {
  // Reads change nothing: one emulator and host serve these four.
  let shared: Harness;
  beforeAll(async () => {
    shared = await startHarness();
  });
  afterAll(async () => {
    expect(shared.twilio.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    await shared.stop();
  });

  it.each([TWIML_APP, PHONE_NUMBER])('%s: a Read with only an id (what import sends) is refused', async (type) => {
    // Arrange
    const h = shared;
    const urn = one(await update(), type).urn;

    // Act
    const error = await h.host.read(urn, 'AP00000000000000000000000000000000').catch((e: RpcFailure) => e);

    // Assert: the host needs the serialized provider, which only the program's registration carries.
    expect(error).toBeInstanceOf(RpcFailure);
    expect((error as RpcFailure).details).toMatch(/code must be a string/);
  });

  it.each([TWIML_APP, PHONE_NUMBER])(
    '%s: a Read with an id and the provider but no state says what to do instead',
    async (type) => {
      // Arrange
      const h = shared;
      const registration = one(await update(), type);

      // Act
      const error = (await h.host
        .read(registration.urn, 'PN00000000000000000000000000000000', { __provider: registration.inputs.__provider })
        .catch((e: RpcFailure) => e)) as RpcFailure;

      // Assert
      expect(error.details).toMatch(/cannot be imported/);
      expect(error.details).toMatch(/pulumi up/);
    },
  );
});
