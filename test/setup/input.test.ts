/**
 * Setup's command line and environment, read once: what is accepted into typed values, and the one line that
 * says what is wrong otherwise (never repeating a credential).
 */
import { readSetupCommand, type SetupInput } from '../../scripts/setup/input';

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const KEY_SID = `SK${'fedcba9876543210'.repeat(2)}`;
const KEY_SECRET = 'key-secret-value';
const ENV = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN };
const BASE = ['--stack', 'dev', '--phone-number', '+15551234567'];

function accepted(args: string[], env: Record<string, string | undefined> = ENV): SetupInput {
  const command = readSetupCommand(args, env);
  if (command.kind !== 'setup') throw new Error(`expected setup input, got ${JSON.stringify(command)}`);
  return command.input;
}

describe.each([['--help'], ['-h']])('when asked for %s', (flag) => {
  it('it asks for the usage, even without credentials', () => {
    // Act
    const command = readSetupCommand([flag], {});

    // Assert
    expect(command).toEqual({ kind: 'help' });
  });
});

describe('when the input is valid', () => {
  it('when given every option, it reads each into its typed value with the Auth Token credentials', () => {
    // Act
    const input = accepted(
      [
        ...BASE,
        '--agent-url',
        'wss://agent.example.com/media',
        '--agent-mode',
        'conversation-relay',
        '--aws-region',
        'eu-central-1',
        '--print',
      ],
      { ...ENV, TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' },
    );

    // Assert
    expect(input).toEqual({
      stack: 'dev',
      phoneNumber: '+15551234567',
      agentStreamUrl: 'wss://agent.example.com/media',
      agentMode: 'conversation-relay',
      awsRegion: 'eu-central-1',
      printOnly: true,
      authToken: { accountSid: ACCOUNT, username: ACCOUNT, password: TOKEN, baseUrl: 'http://127.0.0.1:4010' },
    });
  });

  it('when an API key is exported, it keeps the Auth Token (the webhook signing key) and adds the key', () => {
    // Act
    const input = accepted(BASE, { ...ENV, TWILIO_API_KEY_SID: KEY_SID, TWILIO_API_KEY_SECRET: KEY_SECRET });

    // Assert
    expect(input.authToken).toEqual({ accountSid: ACCOUNT, username: ACCOUNT, password: TOKEN, baseUrl: undefined });
    expect(input.apiKey).toEqual({ accountSid: ACCOUNT, username: KEY_SID, password: KEY_SECRET, baseUrl: undefined });
  });

  it.each([
    ['a qualified stack', ['--stack', 'my-org/dev'], { stack: 'my-org/dev' }],
    ['a fully qualified stack', ['--stack', 'my-org/voice/prod'], { stack: 'my-org/voice/prod' }],
    ['a loopback ws:// agent (the sandbox)', [...BASE, '--agent-url', 'ws://127.0.0.1:8080/agent'], {}],
    ['no phone number (setup then lists the numbers)', ['--stack', 'dev'], { phoneNumber: undefined }],
    ['values with spaces around them', ['--stack', ' dev ', '--phone-number', ' +15551234567 '], { stack: 'dev' }],
  ])('when given %s, it accepts it', (_name, args, expected) => {
    // Act
    const input = accepted(args as string[]);

    // Assert
    expect(input).toMatchObject(expected);
  });
});

describe('when the input is wrong, it says what in one line', () => {
  it.each<[string, string[], Record<string, string | undefined>, RegExp]>([
    ['no --stack', ['--phone-number', '+15551234567'], ENV, /^--stack is required/],
    ['an empty --stack', ['--stack=', '--print'], ENV, /^--stack is required/],
    ['--stack without its value', ['--stack'], ENV, /^--stack needs a value/],
    ['--stack followed by another flag', ['--stack', '--print'], ENV, /^--stack needs a value/],
    ['a stack name with a space', ['--stack', 'my dev'], ENV, /^--stack must be a stack name .*got "my dev"$/],
    ['a stack name of 31 characters', ['--stack', 'd'.repeat(31)], ENV, /^--stack must be a stack name/],
    ['a stack with four parts', ['--stack', 'a/b/c/dev'], ENV, /^--stack must be a stack name/],
    ['an unknown option', [...BASE, '--serve'], ENV, /^unknown option --serve \(npm run setup -- --help/],
    ['a positional argument', [...BASE, 'dev'], ENV, /^setup takes only options/],
    ['a value for --print', [...BASE, '--print=yes'], ENV, /^--print takes no value$/],
    [
      'a number without +',
      ['--stack', 'dev', '--phone-number', '15551234567'],
      ENV,
      /^--phone-number must be an E\.164/,
    ],
    [
      'a number starting +0',
      ['--stack', 'dev', '--phone-number', '+0551234567'],
      ENV,
      /^--phone-number must be an E\.164/,
    ],
    ['a number with spaces', ['--stack', 'dev', '--phone-number', '+1 555 123 4567'], ENV, /got "\+1 555 123 4567"$/],
    [
      'an unknown agent mode',
      [...BASE, '--agent-mode', 'voice'],
      ENV,
      /^--agent-mode must be one of stream, conversation-relay, play, got "voice"$/,
    ],
    [
      'an https agent URL',
      [...BASE, '--agent-url', 'https://agent.example.com'],
      ENV,
      /^--agent-url must be a wss: or ws: URL/,
    ],
    [
      'a ws:// agent URL on the internet',
      [...BASE, '--agent-url', 'ws://agent.example.com/m'],
      ENV,
      /^--agent-url must be a wss:\/\/ URL \(ws:\/\/ is accepted only for 127\.0\.0\.1 or localhost\)/,
    ],
    [
      'an agent URL with a query',
      [...BASE, '--agent-url', 'wss://agent.example.com/m?a=1'],
      ENV,
      /^--agent-url must not carry a query string/,
    ],
    [
      'an AWS region in capitals',
      [...BASE, '--aws-region', 'US-EAST-1'],
      ENV,
      /^--aws-region must be an AWS region such as us-east-1/,
    ],
    ['no TWILIO_ACCOUNT_SID', BASE, { TWILIO_AUTH_TOKEN: TOKEN }, /^TWILIO_ACCOUNT_SID is not set/],
    [
      'no TWILIO_AUTH_TOKEN, even with an API key',
      BASE,
      { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY_SID: KEY_SID, TWILIO_API_KEY_SECRET: KEY_SECRET },
      /^TWILIO_AUTH_TOKEN is not set: .*it signs every webhook/,
    ],
    [
      'a malformed Account SID',
      BASE,
      { ...ENV, TWILIO_ACCOUNT_SID: 'AC123' },
      /^TWILIO_ACCOUNT_SID must be an Account SID \(AC followed by 32 hex digits\)$/,
    ],
    [
      'an Auth Token in the Account SID variable',
      BASE,
      { ...ENV, TWILIO_ACCOUNT_SID: TOKEN },
      /^TWILIO_ACCOUNT_SID must be an Account SID/,
    ],
    [
      'an API key SID without its secret',
      BASE,
      { ...ENV, TWILIO_API_KEY_SID: KEY_SID },
      /^an API key needs both .*TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET/,
    ],
    [
      'a malformed API key SID',
      BASE,
      { ...ENV, TWILIO_API_KEY_SID: 'SK1', TWILIO_API_KEY_SECRET: KEY_SECRET },
      /^TWILIO_API_KEY_SID must be an API key SID \(SK followed by 32 hex digits\)$/,
    ],
    [
      'a base URL without a scheme',
      BASE,
      { ...ENV, TWILIO_API_BASE_URL: 'localhost:4010' },
      /^TWILIO_API_BASE_URL must be an http\(s\) URL/,
    ],
  ])('when given %s', (_name, args, env, problem) => {
    // Act
    const command = readSetupCommand(args, env);

    // Assert
    expect(command.kind).toBe('invalid');
    const { problem: said } = command as { problem: string };
    expect(said).toMatch(problem);
    expect(said).not.toContain('\n');
    expect(said).not.toContain(TOKEN);
    expect(said).not.toContain(KEY_SECRET);
  });

  it.each([
    ['--auth-token', 'TOKEN-VALUE-1'],
    ['--token', 'TOKEN-VALUE-2'],
    ['--account-sid', 'TOKEN-VALUE-3'],
    ['--api-key-secret', 'TOKEN-VALUE-4'],
  ])('when a credential is passed as %s, it points at the environment and never repeats the value', (flag, value) => {
    // Act
    const separate = readSetupCommand([...BASE, flag, value], ENV);
    const joined = readSetupCommand([...BASE, `${flag}=${value}`], ENV);

    // Assert
    for (const command of [separate, joined]) {
      expect(command.kind).toBe('invalid');
      const { problem } = command as { problem: string };
      expect(problem).toMatch(new RegExp(`^${flag}: credentials are read from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN`));
      expect(problem).not.toContain(value);
    }
  });
});
