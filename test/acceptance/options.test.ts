/** `npm run verify` inputs, pure: the command line, the stack's outputs and the environment, parsed once. */
import {
  readStackCredentialConfig,
  readStackOutputs,
  readVerifyCommandLine,
  resolvePlan,
  type StackCredentialConfig,
  type StackOutputs,
  type VerifyFlags,
} from '../../scripts/verify/options';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const APP = `AP${'b'.repeat(32)}`;
const TOKEN = 'participants-token-value';
const AUTH = 'auth-token-value';
const OUTPUTS: StackOutputs = {
  apiBaseUrl: 'https://out.example.com/',
  phoneNumber: '+15550001111',
  twimlAppSid: APP,
  participantsApiToken: TOKEN,
  webhookUrls: {
    inbound: 'https://custom.example.com/twilio/voice/inbound',
    agent: 'https://custom.example.com/twilio/voice/agent',
    agentFallback: 'https://custom.example.com/twilio/voice/agent-fallback',
  },
};
const TWILIO_ENV = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: AUTH };

function flags(args: string[]): VerifyFlags {
  const line = readVerifyCommandLine(['--stack', 'dev', ...args]);
  if (line.command !== 'run') throw new Error(`not a run: ${JSON.stringify(line)}`);
  return line.flags;
}

describe('readVerifyCommandLine', () => {
  it.each([
    [['--help'], { command: 'help' }],
    [['-h', '--stack', 'x'], { command: 'help' }],
    [[], { command: 'invalid', problem: '--stack <name> is required' }],
    [['--stack', 'a b'], { command: 'invalid', problem: '--stack must be a Pulumi stack name' }],
    [['--stack', 'dev', '--transfer-target', '+1555'], { command: 'invalid' }],
    [['--stack', 'dev', 'extra'], { command: 'invalid' }],
    [['--stack', 'dev', '--summary', ''], { command: 'invalid', problem: expect.stringContaining('--summary') }],
    [['--stack', 'dev', '--summary', '/tmp/s.md'], { command: 'run', flags: { summary: '/tmp/s.md' } }],
  ])('when given %j, it answers %j', (args, expected) => {
    expect(readVerifyCommandLine(args)).toMatchObject(expected);
  });

  it.each(['dev', 'org/project/prod'])(
    'when given the stack %s and --dry-run, it runs a dry run of that stack',
    (stack) => {
      expect(readVerifyCommandLine(['--stack', stack, '--dry-run'])).toEqual({
        command: 'run',
        flags: expect.objectContaining({ stack, dryRun: true }),
      });
    },
  );
});

describe('readStackOutputs', () => {
  it.each([
    ['the stack’s JSON', { ...OUTPUTS, functionNames: { inbound: 'fn' } }, OUTPUTS],
    [
      'partial webhook URLs (ignored)',
      { phoneNumber: '+1555', webhookUrls: { inbound: 'x' } },
      { phoneNumber: '+1555' },
    ],
    ['blank and non-string values (ignored)', { apiBaseUrl: ' ', phoneNumber: 15550001111 }, {}],
    ['not an object', 'oops', {}],
  ])('when Pulumi prints %s, it keeps %j', (_name, json, expected) => {
    expect(JSON.parse(JSON.stringify(readStackOutputs(json)))).toEqual(expected);
  });
});

/** `pulumi config --json --show-secrets` of a stack, as the CLI prints it (fully qualified keys). */
const CONFIG_JSON = {
  'aws:region': { value: 'us-east-1', secret: false },
  'voice-ai-conference:twilioAccountSid': { value: ACCOUNT, secret: false },
  'voice-ai-conference:twilioAuthToken': { value: 'config-auth-token', secret: true },
  // Pulumi.yaml's empty default: unset.
  'voice-ai-conference:twilioApiKeySid': { value: '', secret: false },
  'voice-ai-conference:agentContextAllowlist': { value: '["caller"]', objectValue: ['caller'], secret: false },
  'voice-ai-conference:participantsApiToken': { value: 'config-api-token', secret: true },
};

describe('readStackCredentialConfig', () => {
  it.each<[string, unknown, StackCredentialConfig | undefined]>([
    [
      'a stack’s config',
      CONFIG_JSON,
      {
        project: 'voice-ai-conference',
        values: { twilioAccountSid: ACCOUNT, twilioAuthToken: 'config-auth-token' },
      },
    ],
    [
      'an API key pair in another project’s namespace',
      {
        'acme:twilioAccountSid': { value: ACCOUNT, secret: false },
        'acme:twilioApiKeySid': { value: `SK${'c'.repeat(32)}`, secret: false },
        'acme:twilioApiKeySecret': { value: 'key-secret', secret: true },
        'other:twilioApiKeySecret': { value: 'not-ours', secret: true },
      },
      {
        project: 'acme',
        values: { twilioAccountSid: ACCOUNT, twilioApiKeySid: `SK${'c'.repeat(32)}`, twilioApiKeySecret: 'key-secret' },
      },
    ],
    [
      'secrets not shown (no --show-secrets: no value)',
      { 'p:twilioAccountSid': { secret: false } },
      {
        project: 'p',
        values: {},
      },
    ],
    ['no account SID', { 'p:twilioAuthToken': { value: 't', secret: true } }, undefined],
    [
      'an account SID in two namespaces',
      { 'a:twilioAccountSid': { value: ACCOUNT }, 'b:twilioAccountSid': { value: ACCOUNT } },
      undefined,
    ],
    ['not an object', ['x'], undefined],
  ])('when Pulumi prints %s, it keeps %j', (_name, json, expected) => {
    expect(readStackCredentialConfig(json)).toEqual(expected);
  });
});

describe('resolvePlan', () => {
  it('when only the stack’s outputs and the Twilio credentials are given, the plan is the stack’s, calling from its own number', () => {
    const result = resolvePlan(flags([]), TWILIO_ENV, OUTPUTS);

    expect('plan' in result && result.plan).toMatchObject({
      target: {
        stack: 'dev',
        phoneNumber: '+15550001111',
        from: '+15550001111',
        apiBaseUrl: 'https://out.example.com',
        webhooks: OUTPUTS.webhookUrls,
        twimlAppSid: APP,
        conferencePrefix: 'conf-',
        callerLabel: 'caller',
        agentLabel: 'ai-agent',
        agentMode: 'stream',
      },
      twilio: { accountSid: ACCOUNT, username: ACCOUNT, password: AUTH },
      participantsApiToken: TOKEN,
      times: { timeLimitSeconds: 60, agentDeadlineSeconds: 30, mediaHoldSeconds: 5 },
      dryRun: false,
    });
  });

  it.each<[string, string[], Record<string, string>, Record<string, unknown>]>([
    [
      'a flag over the environment and the outputs',
      ['--phone-number', '+15550003333'],
      { VERIFY_PHONE_NUMBER: '+15550002222' },
      { phoneNumber: '+15550003333' },
    ],
    ['the environment over the outputs', [], { VERIFY_PHONE_NUMBER: '+15550002222' }, { phoneNumber: '+15550002222' }],
    ['--from', ['--from', '+15550004444'], {}, { from: '+15550004444' }],
    [
      'an API base URL given directly (the webhook URLs follow it)',
      ['--api-base-url', 'https://flag.example.com'],
      {},
      {
        apiBaseUrl: 'https://flag.example.com',
        webhooks: expect.objectContaining({ inbound: 'https://flag.example.com/twilio/voice/inbound' }),
      },
    ],
    [
      'the stack’s labels and mode',
      [
        '--agent-label',
        'bot',
        '--caller-label',
        'customer',
        '--conference-prefix',
        'room_',
        '--agent-mode',
        'conversation-relay',
      ],
      {},
      { agentLabel: 'bot', callerLabel: 'customer', conferencePrefix: 'room_', agentMode: 'conversation-relay' },
    ],
  ])('when %s is given, it wins', (_name, args, env, expected) => {
    const result = resolvePlan(flags(args), { ...TWILIO_ENV, ...env }, OUTPUTS);

    expect('plan' in result && result.plan.target).toMatchObject(expected);
  });

  it('when the participants token is in the environment, it is taken over the output’s', () => {
    const result = resolvePlan(flags([]), { ...TWILIO_ENV, PARTICIPANTS_API_TOKEN: 'from-env' }, OUTPUTS);

    expect('plan' in result && result.plan.participantsApiToken).toBe('from-env');
  });

  it('when an API key is given, it authenticates with the key', () => {
    const key = `SK${'c'.repeat(32)}`;
    const result = resolvePlan(
      flags([]),
      { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_API_KEY_SID: key, TWILIO_API_KEY_SECRET: 's' },
      OUTPUTS,
    );

    expect('plan' in result && result.plan.twilio).toMatchObject({ accountSid: ACCOUNT, username: key, password: 's' });
  });

  describe('the Twilio credentials', () => {
    const config = readStackCredentialConfig(CONFIG_JSON)!;
    const KEY = `SK${'c'.repeat(32)}`;

    it.each<[string, Record<string, string>, StackCredentialConfig | undefined, Record<string, unknown>]>([
      [
        'only the stack’s config has them, it authenticates with the config’s Auth Token',
        {},
        config,
        { accountSid: ACCOUNT, username: ACCOUNT, password: 'config-auth-token' },
      ],
      [
        'the config has an API key pair, it authenticates with the key',
        {},
        {
          project: 'p',
          values: { twilioAccountSid: ACCOUNT, twilioApiKeySid: KEY, twilioApiKeySecret: 'key-secret' },
        },
        { accountSid: ACCOUNT, username: KEY, password: 'key-secret' },
      ],
      [
        'the environment names an account too, the environment’s credentials win, whole',
        { TWILIO_ACCOUNT_SID: `AC${'d'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'env-token' },
        config,
        { accountSid: `AC${'d'.repeat(32)}`, username: `AC${'d'.repeat(32)}`, password: 'env-token' },
      ],
      [
        'the environment points at another Twilio API (an emulator), the config’s credentials go there',
        { TWILIO_API_BASE_URL: 'http://127.0.0.1:9' },
        config,
        { accountSid: ACCOUNT, password: 'config-auth-token', baseUrl: 'http://127.0.0.1:9' },
      ],
    ])('when %s', (_name, env, stackConfig, expected) => {
      const result = resolvePlan(flags([]), env, OUTPUTS, stackConfig);

      expect('plan' in result && result.plan.twilio).toMatchObject(expected);
    });

    it('when the config’s credentials are not usable, it names the config key and never the value', () => {
      const result = resolvePlan(flags([]), {}, OUTPUTS, {
        project: 'p',
        values: { twilioAccountSid: 'AC-not-a-sid', twilioAuthToken: 'config-auth-token' },
      });

      expect('problems' in result && result.problems).toEqual([
        'config p:twilioAccountSid must be an Account SID (AC followed by 32 hex digits)',
      ]);
      expect(JSON.stringify(result)).not.toContain('config-auth-token');
    });

    it('when neither the environment nor the config has an account, it says where to set one', () => {
      const result = resolvePlan(flags([]), {}, OUTPUTS, { project: 'p', values: {} });

      expect('problems' in result && result.problems.join('\n')).toMatch(
        /no Twilio Account SID: set config p:twilioAccountSid or TWILIO_ACCOUNT_SID/,
      );
    });
  });

  it.each<[string, string[], Record<string, string>, StackOutputs, RegExp]>([
    [
      'no number anywhere',
      [],
      TWILIO_ENV,
      { ...OUTPUTS, phoneNumber: undefined },
      /the stack’s number \(--phone-number, VERIFY_PHONE_NUMBER or output phoneNumber\) is missing/,
    ],
    ['a number that is not E.164', ['--phone-number', '5550001111'], TWILIO_ENV, OUTPUTS, /the stack’s number must be/],
    ['a From that is not E.164', ['--from', 'me'], TWILIO_ENV, OUTPUTS, /--from must be/],
    [
      'no token',
      [],
      TWILIO_ENV,
      { ...OUTPUTS, participantsApiToken: undefined },
      /participants API token .* is missing/,
    ],
    ['a relative API URL', ['--api-base-url', '/api'], TWILIO_ENV, OUTPUTS, /absolute http\(s\) URL/],
    ['a malformed App SID', ['--twiml-app-sid', 'AP123'], TWILIO_ENV, OUTPUTS, /the TwiML App SID must be/],
    [
      'an unknown agent mode',
      ['--agent-mode', 'telepathy'],
      TWILIO_ENV,
      OUTPUTS,
      /--agent-mode must be stream or conversation-relay/,
    ],
    [
      'a time limit too short for the agent and the hold',
      ['--time-limit', '30'],
      TWILIO_ENV,
      OUTPUTS,
      /must leave room/,
    ],
    [
      'a time limit that is not whole seconds',
      ['--time-limit', '1.5'],
      TWILIO_ENV,
      OUTPUTS,
      /--time-limit must be a whole number of seconds from 20 to 600/,
    ],
    ['no Twilio account', [], {}, OUTPUTS, /TWILIO_ACCOUNT_SID/],
    ['an account without credentials', [], { TWILIO_ACCOUNT_SID: ACCOUNT }, OUTPUTS, /no Twilio credentials/],
  ])('when there is %s, it names the problem', (_name, args, env, outputs, expected) => {
    const result = resolvePlan(flags(args), env, outputs);

    expect('problems' in result && result.problems.join('\n')).toMatch(expected);
  });

  it('when everything is missing, it lists every problem at once, and never a secret’s value', () => {
    const result = resolvePlan(
      flags(['--time-limit', 'x']),
      { TWILIO_AUTH_TOKEN: AUTH, PARTICIPANTS_API_TOKEN: ' ' },
      {},
    );

    expect('problems' in result && result.problems).toHaveLength(5);
    expect(JSON.stringify(result)).not.toContain(AUTH);
  });
});
