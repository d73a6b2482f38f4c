/**
 * What setup writes and says, decided without I/O: the config plan against the program's own config schema, the
 * pulumi argv and shell lines (a secret never among the arguments), the description of the adoption, the stack
 * lookup in `pulumi stack ls --json`, and the one-line reports.
 */
import { spawnSync } from 'node:child_process';
import { CONFIG_KEYS } from '../../infra/config-schema';
import type { NumberVoiceSettings } from '../../infra/twilio/settings';
import type { SetupInput } from '../../scripts/setup/input';
import {
  type BoundApp,
  type ConfigEntry,
  configPlan,
  describeAdoption,
  type FoundNumber,
  numberNotOwned,
  pulumiArgs,
  shellCommand,
  shellWord,
  stackListed,
  twilioFailureLine,
} from '../../scripts/setup/plan';

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const KEY_SID = `SK${'fedcba9876543210'.repeat(2)}`;
const TOKEN = 'token-value';
const KEY_SECRET = 'key-secret-value';

function input(overrides: Partial<SetupInput> = {}): SetupInput & { phoneNumber: string } {
  return {
    stack: 'dev',
    phoneNumber: '+15551234567',
    printOnly: false,
    authToken: { accountSid: ACCOUNT, username: ACCOUNT, password: TOKEN },
    ...overrides,
  } as SetupInput & { phoneNumber: string };
}

const withKey = { apiKey: { accountSid: ACCOUNT, username: KEY_SID, password: KEY_SECRET } };

describe('configPlan', () => {
  it.each<[string, Partial<SetupInput>, string[]]>([
    ['only the number', {}, ['twilioAccountSid', 'twilioAuthToken', 'phoneNumber']],
    [
      'an API key',
      withKey,
      ['twilioAccountSid', 'twilioAuthToken', 'twilioApiKeySid', 'twilioApiKeySecret', 'phoneNumber'],
    ],
    [
      'every option',
      { ...withKey, agentMode: 'stream', agentStreamUrl: 'wss://a.example.com/m', awsRegion: 'us-west-2' },
      [
        'twilioAccountSid',
        'twilioAuthToken',
        'twilioApiKeySid',
        'twilioApiKeySecret',
        'phoneNumber',
        'agentMode',
        'agentStreamUrl',
        'aws:region',
      ],
    ],
  ])('when given %s, it sets these keys in this order', (_name, overrides, keys) => {
    // Act
    const plan = configPlan(input(overrides));

    // Assert
    expect(plan.map((e) => e.key)).toEqual(keys);
  });

  it('when planned, every key is one the program reads, secret exactly where its schema says so, and no secret value is in the plan', () => {
    // Arrange
    const schema = new Map(CONFIG_KEYS.map((k) => [k.key, k]));

    // Act
    const plan = configPlan(
      input({ ...withKey, agentMode: 'play', agentStreamUrl: 'wss://a.example.com/m', awsRegion: 'us-east-1' }),
    );

    // Assert
    for (const entry of plan.filter((e) => e.key !== 'aws:region')) {
      expect(schema.has(entry.key)).toBe(true);
      expect(entry.secret === true).toBe(schema.get(entry.key)?.secret === true);
    }
    expect(JSON.stringify(plan)).not.toContain(TOKEN);
    expect(JSON.stringify(plan)).not.toContain(KEY_SECRET);
    expect(plan.filter((e) => e.secret)).toEqual([
      { key: 'twilioAuthToken', secret: true, fromEnv: 'TWILIO_AUTH_TOKEN' },
      { key: 'twilioApiKeySecret', secret: true, fromEnv: 'TWILIO_API_KEY_SECRET' },
    ]);
  });
});

describe('pulumi arguments and shell lines', () => {
  const plain: ConfigEntry = { key: 'phoneNumber', value: '+15551234567' };
  const secret: ConfigEntry = { key: 'twilioAuthToken', secret: true, fromEnv: 'TWILIO_AUTH_TOKEN' };

  it.each<[string, ConfigEntry, string, string[], string]>([
    [
      'a plain value',
      plain,
      'dev',
      ['config', 'set', 'phoneNumber', '+15551234567', '--stack', 'dev'],
      'pulumi config set phoneNumber +15551234567 --stack dev',
    ],
    [
      'a secret',
      secret,
      'dev',
      ['config', 'set', '--secret', 'twilioAuthToken', '--stack', 'dev'],
      'printf %s "$TWILIO_AUTH_TOKEN" | pulumi config set --secret twilioAuthToken --stack dev',
    ],
    [
      'a qualified stack',
      plain,
      'my-org/dev',
      ['config', 'set', 'phoneNumber', '+15551234567', '--stack', 'my-org/dev'],
      'pulumi config set phoneNumber +15551234567 --stack my-org/dev',
    ],
  ])('when the entry is %s, pulumi gets these arguments and a person this line', (_name, entry, stack, args, line) => {
    // Act & Assert
    expect(pulumiArgs(entry, stack)).toEqual(args);
    expect(shellCommand(entry, stack)).toBe(line);
  });

  it.each([
    ['wss://agent.example.com/media', 'wss://agent.example.com/media'],
    ['+15551234567', '+15551234567'],
    ['aws:region', 'aws:region'],
    ['two words', `'two words'`],
    ["it's", `'it'\\''s'`],
    ['$HOME', `'$HOME'`],
    ['a;rm -rf /', `'a;rm -rf /'`],
  ])('when a word is %p, it is written %p and the shell reads it back unchanged', (word, quoted) => {
    // Act
    const rendered = shellWord(word);
    const echoed = spawnSync('sh', ['-c', `printf %s ${rendered}`], { encoding: 'utf8' }).stdout;

    // Assert
    expect(rendered).toBe(quoted);
    expect(echoed).toBe(word);
  });
});

describe('describeAdoption', () => {
  const settings = (overrides: Partial<NumberVoiceSettings> = {}): NumberVoiceSettings => ({
    voiceUrl: '',
    voiceMethod: 'POST',
    voiceFallbackUrl: '',
    voiceFallbackMethod: 'POST',
    voiceApplicationSid: '',
    trunkSid: '',
    ...overrides,
  });
  const number = (overrides: Partial<NumberVoiceSettings> = {}): FoundNumber => ({
    sid: `PN${'1'.repeat(32)}`,
    phoneNumber: '+15551234567',
    friendlyName: '(555) 123-4567',
    settings: settings(overrides),
  });
  const APP = `AP${'2'.repeat(32)}`;
  const TRUNK = `TK${'3'.repeat(32)}`;

  it.each<[string, FoundNumber, BoundApp | undefined, RegExp[], RegExp[]]>([
    [
      'a number with no voice URL',
      number(),
      undefined,
      [
        /^ {2}voice URL {5}\(none\) {2}-> {2}<stack URL>\/twilio\/voice\/inbound \(POST\)$/m,
        /^ {2}fallback URL {2}\(none\) {2}-> {2}<stack URL>\/twilio\/voice\/agent-fallback \(POST\)$/m,
      ],
      [/TwiML App/, /SIP trunk/, /Note:/],
    ],
    [
      'a number with its own webhooks',
      number({
        voiceUrl: 'https://old.example.com/v',
        voiceMethod: 'GET',
        voiceFallbackUrl: 'https://old.example.com/f',
      }),
      undefined,
      [
        /voice URL {5}https:\/\/old\.example\.com\/v \(GET\) {2}->/,
        /fallback URL {2}https:\/\/old\.example\.com\/f \(POST\) {2}->/,
      ],
      [/TwiML App/],
    ],
    [
      'a number bound to a TwiML App',
      number({ voiceApplicationSid: APP }),
      { sid: APP, friendlyName: 'IVR', voiceUrl: 'https://ivr.example.com/v' },
      [
        new RegExp(
          `TwiML App {5}${APP} "IVR" answers its calls now \\(its Voice URL https://ivr\\.example\\.com/v\\) {2}-> {2}none: the voice URL answers`,
        ),
      ],
      [/SIP trunk/],
    ],
    [
      'a number bound to an App Twilio could not show',
      number({ voiceApplicationSid: APP }),
      { sid: APP },
      [new RegExp(`TwiML App {5}${APP} answers its calls now {2}-> {2}none`)],
      [/Voice URL https/],
    ],
    [
      'a number on a SIP trunk',
      number({ trunkSid: TRUNK }),
      undefined,
      [new RegExp(`SIP trunk {5}${TRUNK} takes its calls now {2}-> {2}none: the voice URL answers`)],
      [/TwiML App/],
    ],
    [
      'a number another deployment points at already',
      number({ voiceUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/twilio/voice/inbound' }),
      undefined,
      [/Note: its voice URL is already a deployment's inbound webhook/],
      [],
    ],
  ])('when describing %s', (_name, found, app, present, absent) => {
    // Act
    const text = describeAdoption(found, 'dev', app).join('\n');

    // Assert
    expect(text).toMatch(
      /^pulumi up --stack dev adopts \+15551234567 .*pulumi destroy --stack dev puts back what it has now:$/m,
    );
    for (const pattern of present) expect(text).toMatch(pattern);
    for (const pattern of absent) expect(text).not.toMatch(pattern);
  });
});

describe('stackListed', () => {
  it.each<[string, string, boolean, unknown]>([
    ['a short name', 'dev', true, [{ name: 'dev' }, { name: 'prod' }]],
    ['another stack only', 'dev', false, [{ name: 'prod' }]],
    ['no stacks', 'dev', false, []],
    ['an organization-qualified listing', 'dev', true, [{ name: 'acme/dev' }]],
    ['a fully qualified listing', 'dev', true, [{ name: 'acme/voice/dev' }]],
    ['the same organization', 'acme/dev', true, [{ name: 'acme/dev' }]],
    ['another organization', 'acme/dev', false, [{ name: 'other/dev' }]],
    ['a short listing for a qualified stack', 'acme/dev', true, [{ name: 'dev' }]],
    ['another project', 'acme/voice/dev', false, [{ name: 'acme/other/dev' }]],
    ['a name that only ends the same', 'dev', false, [{ name: 'predev' }]],
    ['something that is not a list', 'dev', false, { name: 'dev' }],
    ['entries without names', 'dev', false, [{}, null, 3]],
  ])('when pulumi lists %s and the stack is %s, it answers %p', (_name, stack, expected, list) => {
    // Act & Assert
    expect(stackListed(list, stack)).toBe(expected);
  });
});

describe('one-line reports', () => {
  it.each<[string, unknown, 'auth-token' | 'api-key', RegExp]>([
    [
      'a refused Auth Token',
      { status: 401, code: 20003, message: 'Authenticate' },
      'auth-token',
      /^Twilio refused the credentials \(HTTP 401, code 20003\) while looking up \+15551234567: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN$/,
    ],
    [
      'a forbidden API key',
      { status: 403, code: 20003 },
      'api-key',
      /^Twilio refused the credentials \(HTTP 403, code 20003\) .*check TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET/,
    ],
    [
      'a Twilio failure',
      { status: 500, code: 20500, message: 'Internal' },
      'auth-token',
      /^Twilio answered HTTP 500 \(code 20500\) while looking up/,
    ],
    [
      'an unreachable API',
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      'auth-token',
      /^could not reach Twilio while looking up \+15551234567 \(ECONNREFUSED\)/,
    ],
  ])('when Twilio gives %s, it says so in one line', (_name, error, credential, expected) => {
    // Act
    const line = twilioFailureLine('looking up +15551234567', error, credential);

    // Assert
    expect(line).toMatch(expected);
    expect(line).not.toContain('\n');
  });

  it.each<[string, string[], RegExp]>([
    ['no', [], /its voice-capable numbers: none \(buy or port one in Twilio first/],
    ['two', ['+15550000001', '+15550000002'], /its voice-capable numbers: \+15550000001, \+15550000002$/],
    [
      'twelve',
      Array.from({ length: 12 }, (_, i) => `+155500000${String(i).padStart(2, '0')}`),
      /: \+15550000000, .*\+15550000009 and 2 more$/,
    ],
  ])('when the account has %s voice-capable numbers, the not-owned report lists them', (_name, numbers, expected) => {
    // Act & Assert
    expect(numberNotOwned('+15559999999', ACCOUNT, numbers)).toMatch(expected);
  });
});
