/**
 * The program run as `pulumi preview` and `pulumi up` run it: through `@pulumi/pulumi`'s language runtime entry
 * point, against a stand-in resource monitor that records every registration exactly as sent on the wire.
 */
import { dynamicResources, key, PHONE_NUMBER, programRun, TWIML_APP } from './support/harness';
import { HARNESS_SECRETS, stackConfig } from './support/program';
import { stackFixture } from '../support/stack-fixtures';
import { isSecret, UNKNOWN, type Props } from './support/wire';

/** Every string in `value` outside secret wrappers. */
function plainStrings(value: unknown): string[] {
  if (isSecret(value)) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(plainStrings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(plainStrings);
  return [];
}

// A program run through Pulumi's language runtime takes seconds, more on a busy CI machine.
jest.setTimeout(120_000);

const urls = (inputs: Props) => [inputs.voiceUrl, inputs.voiceFallbackUrl];

describe.each([
  ['minimal-dev', true],
  ['minimal-dev', false],
  ['production-like', true],
  ['production-like', false],
  ['canary-on', true],
  ['canary-on', false],
])('fixture %s, dry run %s', (fixture, dryRun) => {
  it('runs to the end: exit 0, shutdown signalled, no error logged', async () => {
    // Act
    const run = await programRun(fixture, dryRun);

    // Assert
    expect({ exitCode: run.exitCode, errors: run.logs.filter((l) => l.severity === 'error') }).toEqual({
      exitCode: 0,
      errors: [],
    });
    expect(run.shutdownSignalled).toBe(true);
    expect(run.registrations[0]).toMatchObject({
      type: 'pulumi:pulumi:Stack',
      name: `voice-ai-conference-${stackFixture(fixture).stackName}`,
    });
    expect(run.features).toEqual(expect.arrayContaining(['secrets', 'resourceReferences']));
  });

  it('registers each Twilio resource once, with its serialized provider and the stack number', async () => {
    // Act
    const run = await programRun(fixture, dryRun);

    // Assert
    expect(dynamicResources(run).map((r) => r.type)).toEqual([TWIML_APP, PHONE_NUMBER]);
    for (const r of dynamicResources(run)) {
      expect(r.custom).toBe(true);
      expect(String(r.inputs.__provider)).toMatch(/^exports\.handler = /);
    }
    expect(run.one(PHONE_NUMBER).inputs.phoneNumber).toBe(stackConfig(fixture).values[key('phoneNumber')]);
    expect(run.one(PHONE_NUMBER).dependencies.some((d) => d.includes('aws:apigatewayv2/stage:Stage'))).toBe(true);
  });

  it('never sends a secret value in plain text (only inside secret wrappers), nor in a provider', async () => {
    // Act
    const run = await programRun(fixture, dryRun);

    // Assert
    const plain = run.registrations.flatMap((r) => plainStrings(r.inputs)).join('\n');
    for (const value of Object.values(HARNESS_SECRETS)) expect(plain).not.toContain(value);
    const wrapped = run.registrations.flatMap((r) => Object.values(r.inputs)).filter(isSecret);
    expect(wrapped.length).toBeGreaterThan(0);
    expect(plainStrings(run.stackOutputs).join('\n')).not.toContain(HARNESS_SECRETS.participantsApiToken);
  });
});

describe('webhook URLs the Twilio resources get', () => {
  it('are unknown in a preview of a new minimal-dev stack (they come from the API not created yet)', async () => {
    // Act
    const run = await programRun('minimal-dev', true);

    // Assert
    expect(urls(run.one(TWIML_APP).inputs)).toEqual([UNKNOWN, UNKNOWN]);
    expect(urls(run.one(PHONE_NUMBER).inputs)).toEqual([UNKNOWN, UNKNOWN]);
  });

  it('are known in a preview of production-like (its custom domain is config)', async () => {
    // Act
    const run = await programRun('production-like', true);

    // Assert
    expect(urls(run.one(TWIML_APP).inputs)).toEqual([
      'https://voice.example.com/twilio/voice/agent',
      'https://voice.example.com/twilio/voice/agent-fallback',
    ]);
    expect(run.one(PHONE_NUMBER).inputs.voiceUrl).toBe('https://voice.example.com/twilio/voice/inbound');
  });

  it('are the API endpoint the monitor answered in an update of minimal-dev', async () => {
    // Act
    const run = await programRun('minimal-dev', false);

    // Assert
    const endpoint = 'https://voiceai-dev-api-id.execute-api.us-east-1.amazonaws.com';
    expect(urls(run.one(TWIML_APP).inputs)).toEqual([
      `${endpoint}/twilio/voice/agent`,
      `${endpoint}/twilio/voice/agent-fallback`,
    ]);
    expect(run.one(PHONE_NUMBER).inputs.voiceUrl).toBe(`${endpoint}/twilio/voice/inbound`);
  });
});

describe('the serialized providers', () => {
  it('are the same text in every run, fixture and mode (so providerVersion changes only with the provider code)', async () => {
    // Act
    const runs = await Promise.all([
      programRun('minimal-dev', true),
      programRun('minimal-dev', false),
      programRun('production-like', true),
      programRun('production-like', false),
    ]);

    // Assert
    for (const type of [TWIML_APP, PHONE_NUMBER]) {
      const texts = new Set(runs.map((run) => run.one(type).inputs.__provider));
      expect(texts.size).toBe(1);
    }
    expect(runs[0].one(TWIML_APP).inputs.__provider).not.toBe(runs[0].one(PHONE_NUMBER).inputs.__provider);
  });
});

describe('the canary (canary-on)', () => {
  it('is scheduled only once the number points at the stack: the schedule depends on the phone number', async () => {
    // Act
    const run = await programRun('canary-on', false);

    // Assert
    const schedule = run.one('aws:scheduler/schedule:Schedule');
    expect(schedule.dependencies.some((urn) => urn.includes(PHONE_NUMBER))).toBe(true);
  });

  it('in a preview of a new stack, the schedule role’s trust waits for the function’s account (unknown), and is known in an update', async () => {
    // Act
    const [preview, update] = await Promise.all([programRun('canary-on', true), programRun('canary-on', false)]);

    // Assert
    const trust = (run: typeof preview) =>
      run.registrations.find((r) => r.type === 'aws:iam/role:Role' && r.name.endsWith('-canary-sched'))?.inputs
        .assumeRolePolicy;
    expect(trust(preview)).toBe(UNKNOWN);
    expect(JSON.parse(String(trust(update))).Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
    });
  });
});
