import {
  AGENT_TWIML_ENV,
  API_AUTH_ENV,
  CANARY_ENV,
  CONFERENCE_ENV,
  DIAL_ENV,
  ENV,
  HANDOFF_ENV,
  readAgentTwimlConfig,
  readApiAuthConfig,
  readConferenceConfig,
  readDialConfig,
  readHandoffConfig,
  readRecoveryConfig,
  readTransferConfig,
  readTwilioConfig,
  readWebhookConfig,
  RECOVERY_ENV,
  TRANSFER_ENV,
  TWILIO_ENV,
  WEBHOOK_ENV,
} from '../../lambdas/shared/config';
import { ACCOUNT_SID, APP_SID, baseEnv } from './support/events';
import { configErrorOf } from './support/config-error';

const errorOf = configErrorOf;

describe('readTwilioConfig', () => {
  it('reads the account, an Auth Token value and no API key by default', () => {
    const config = readTwilioConfig(baseEnv());
    expect(config).toEqual({
      accountSid: ACCOUNT_SID,
      authToken: { kind: 'value', value: 'test-auth-token-0123456789abcdef' },
      apiKey: undefined,
      apiBaseUrl: undefined,
      requestTimeoutMs: 5000,
    });
  });

  it('when TWILIO_REQUEST_TIMEOUT_MS is set (tests playing a slow Twilio), uses it as the REST request timeout', () => {
    expect(readTwilioConfig(baseEnv({ TWILIO_REQUEST_TIMEOUT_MS: '300' })).requestTimeoutMs).toBe(300);
  });

  it('takes the Auth Token from a Secrets Manager ARN when no value is set', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:twilio-auth-AbCdEf';
    const config = readTwilioConfig(baseEnv({ TWILIO_AUTH_TOKEN: '', TWILIO_AUTH_TOKEN_SECRET_ARN: arn }));
    expect(config.authToken).toEqual({ kind: 'aws-secret', arn });
  });

  it('reads an API key with its secret', () => {
    const config = readTwilioConfig(
      baseEnv({ TWILIO_API_KEY_SID: `SK${'b'.repeat(32)}`, TWILIO_API_KEY_SECRET: 'key-secret' }),
    );
    expect(config.apiKey).toEqual({ sid: `SK${'b'.repeat(32)}`, secret: { kind: 'value', value: 'key-secret' } });
  });

  describe.each([
    ['missing account', { TWILIO_ACCOUNT_SID: '' }, 'TWILIO_ACCOUNT_SID'],
    ['malformed account', { TWILIO_ACCOUNT_SID: 'AC123' }, 'TWILIO_ACCOUNT_SID'],
    ['no Auth Token at all', { TWILIO_AUTH_TOKEN: '' }, 'TWILIO_AUTH_TOKEN'],
    [
      'a secret ARN that is not Secrets Manager',
      { TWILIO_AUTH_TOKEN: '', TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:aws:ssm:us-east-1:1:parameter/x' },
      'TWILIO_AUTH_TOKEN_SECRET_ARN',
    ],
    [
      'an API key SID of the wrong kind',
      { TWILIO_API_KEY_SID: `AC${'b'.repeat(32)}`, TWILIO_API_KEY_SECRET: 'x' },
      'TWILIO_API_KEY_SID',
    ],
    ['an API key without secret', { TWILIO_API_KEY_SID: `SK${'b'.repeat(32)}` }, 'TWILIO_API_KEY_SECRET'],
    ['a base URL that is not a URL', { TWILIO_API_BASE_URL: 'localhost:3000' }, 'TWILIO_API_BASE_URL'],
    [
      'a request timeout above the 5 s the functions are sized for',
      { TWILIO_REQUEST_TIMEOUT_MS: '5001' },
      'TWILIO_REQUEST_TIMEOUT_MS',
    ],
    ['a request timeout below 100 ms', { TWILIO_REQUEST_TIMEOUT_MS: '99' }, 'TWILIO_REQUEST_TIMEOUT_MS'],
  ])('rejects %s', (_name, overrides, key) => {
    it(`names ${key} without echoing the value`, () => {
      const error = errorOf(() => readTwilioConfig(baseEnv(overrides)));
      expect(error.key).toBe(key);
      expect(error.message).toContain(key);
      expect(error.message).not.toContain('test-auth-token');
    });
  });
});

describe('readConferenceConfig', () => {
  it('defaults to an AI-friendly conference: silence, no beep, small jitter buffer, caller ends it', () => {
    expect(readConferenceConfig({})).toEqual({
      namePrefix: 'conf-',
      callerLabel: 'caller',
      waitUrl: '',
      beep: 'false',
      jitterBufferSize: 'small',
      endConferenceOnCallerExit: true,
      maxParticipants: 10,
    });
  });

  describe.each([
    ['CONFERENCE_BEEP', 'sometimes'],
    ['CONFERENCE_JITTER_BUFFER_SIZE', 'huge'],
    ['CONFERENCE_END_ON_CALLER_EXIT', 'yes'],
    ['CONFERENCE_WAIT_URL', 'ftp://music.example.com/hold.mp3'],
    ['CONFERENCE_NAME_PREFIX', 'bad/prefix'],
    ['CONFERENCE_CALLER_LABEL', 'a/b'],
    ['CONFERENCE_MAX_PARTICIPANTS', '251'],
  ])('rejects %s=%s', (key, value) => {
    it('with a message naming the key', () => {
      expect(errorOf(() => readConferenceConfig({ [key]: value })).key).toBe(key);
    });
  });
});

describe('readAgentTwimlConfig', () => {
  it('defaults to stream mode with the default context allow-list', () => {
    const config = readAgentTwimlConfig({ AGENT_STREAM_URL: 'wss://agent.example.com/media' });
    expect(config.mode).toBe('stream');
    expect(config.contextAllowlist).toEqual([
      'caller',
      'callerCallSid',
      'conference',
      'customerId',
      'ticket',
      'language',
    ]);
  });

  it('accepts ws:// only on loopback (the sandbox)', () => {
    expect(readAgentTwimlConfig({ AGENT_STREAM_URL: 'ws://127.0.0.1:9000/media' }).streamUrl).toBe(
      'ws://127.0.0.1:9000/media',
    );
  });

  it('needs only a play URL in play mode', () => {
    expect(
      readAgentTwimlConfig({ AGENT_MODE: 'play', AGENT_PLAY_URL: 'https://demo.twilio.com/docs/classic.mp3' }).playUrl,
    ).toBe('https://demo.twilio.com/docs/classic.mp3');
  });

  describe.each([
    ['unknown mode', { AGENT_MODE: 'sms', AGENT_STREAM_URL: 'wss://a.example.com' }, 'AGENT_MODE'],
    ['missing stream URL', {}, 'AGENT_STREAM_URL'],
    ['https stream URL', { AGENT_STREAM_URL: 'https://agent.example.com/media' }, 'AGENT_STREAM_URL'],
    ['ws:// to a public host', { AGENT_STREAM_URL: 'ws://agent.example.com/media' }, 'AGENT_STREAM_URL'],
    ['stream URL with a query string', { AGENT_STREAM_URL: 'wss://agent.example.com/media?x=1' }, 'AGENT_STREAM_URL'],
    ['play mode without URL', { AGENT_MODE: 'play' }, 'AGENT_PLAY_URL'],
    [
      'allow-list with a bad name',
      { AGENT_STREAM_URL: 'wss://a.example.com', AGENT_CONTEXT_ALLOWLIST: 'ok,not ok' },
      'AGENT_CONTEXT_ALLOWLIST',
    ],
  ])('rejects %s', (_name, env, key) => {
    it(`naming ${key}`, () => {
      expect(errorOf(() => readAgentTwimlConfig(env)).key).toBe(key);
    });
  });
});

describe('readDialConfig', () => {
  it('reads the App, the caller ID and defaults', () => {
    const config = readDialConfig(baseEnv());
    expect(config).toMatchObject({
      twimlAppSid: APP_SID,
      fromNumber: '+15550001111',
      agentLabel: 'ai-agent',
      callerLabel: 'caller',
      autoAddAgent: true,
      retryBudgetMs: 8000,
    });
  });

  describe.each([
    ['TWIML_APP_SID', `PN${'a'.repeat(32)}`],
    ['AGENT_FROM_NUMBER', '5550001111'],
    ['AGENT_LABEL', 'x/y'],
    ['TWILIO_RETRY_BUDGET_MS', '60000'],
    ['AGENT_JOIN_TIMEOUT_SECONDS', '2'],
  ])('rejects %s=%s', (key, value) => {
    it('naming it', () => {
      expect(errorOf(() => readDialConfig(baseEnv({ [key]: value }))).key).toBe(key);
    });
  });
});

describe('readWebhookConfig and readApiAuthConfig', () => {
  it('drops a trailing slash from the public base URL', () => {
    expect(readWebhookConfig({ PUBLIC_BASE_URL: 'https://voice.example.com/' })).toEqual({
      publicBaseUrl: 'https://voice.example.com',
    });
  });

  it('requires the API token or its ARN', () => {
    expect(errorOf(() => readApiAuthConfig({})).key).toBe('PARTICIPANTS_API_TOKEN');
  });
});

describe('readRecoveryConfig', () => {
  const allowed = ['+1*', 'client:*'];

  it('when nothing is set, retries the agent once and ends with the default message', () => {
    expect(readRecoveryConfig({}, allowed)).toEqual({
      agentRetries: 1,
      fallbackTarget: undefined,
      fallbackMessage: expect.stringMatching(/^We are sorry/),
      fallbackVoicemailUrl: undefined,
    });
  });

  it('when a target on the allow-list and a voicemail URL are set, reads them', () => {
    const config = readRecoveryConfig(
      { FALLBACK_TARGET: 'client:support', FALLBACK_VOICEMAIL_URL: 'https://vm.example.com/twiml', AGENT_RETRIES: '0' },
      allowed,
    );

    expect(config).toMatchObject({
      agentRetries: 0,
      fallbackTarget: 'client:support',
      fallbackVoicemailUrl: 'https://vm.example.com/twiml',
    });
  });

  it.each([
    ['FALLBACK_TARGET', '+4420700000', 'must match ALLOWED_DIAL_TARGETS'],
    ['FALLBACK_TARGET', 'support-desk', 'must be an E.164 number'],
    ['AGENT_RETRIES', '9', 'must be an integer from 0 to 5'],
    ['FALLBACK_VOICEMAIL_URL', 'ftp://vm.example.com', 'must be a https: or http: URL'],
  ])('when %s=%s, rejects it naming the variable', (key, value, reason) => {
    const error = errorOf(() => readRecoveryConfig({ [key]: value }, allowed));

    expect(error.key).toBe(key);
    expect(error.message).toContain(reason);
  });
});

describe('readTransferConfig', () => {
  it.each([
    ['unset', {}, undefined],
    ['blank', { TRANSFER_HOLD_URL: ' ' }, undefined],
    ['an https file', { TRANSFER_HOLD_URL: 'https://cdn.example.com/hold.mp3' }, 'https://cdn.example.com/hold.mp3'],
    [
      'http on loopback (the sandbox)',
      { TRANSFER_HOLD_URL: 'http://127.0.0.1:8080/hold' },
      'http://127.0.0.1:8080/hold',
    ],
  ])('when TRANSFER_HOLD_URL is %s, the hold URL is %s', (_what, env, expected) => {
    // Act / Assert
    expect(readTransferConfig(env).holdUrl).toBe(expected);
  });

  it.each([
    ['plain http to a public host', 'http://cdn.example.com/hold.mp3', 'https://'],
    ['another scheme', 'ftp://cdn.example.com/hold.mp3', 'https'],
    ['no URL', 'hold music', 'absolute URL'],
  ])('when TRANSFER_HOLD_URL is %s, it fails naming the variable', (_what, value, reason) => {
    // Act
    const error = errorOf(() => readTransferConfig({ TRANSFER_HOLD_URL: value }));

    // Assert
    expect(error.key).toBe('TRANSFER_HOLD_URL');
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain(value);
  });
});

describe('ENV, the merged table of every section', () => {
  const sections = {
    TWILIO_ENV,
    WEBHOOK_ENV,
    CONFERENCE_ENV,
    AGENT_TWIML_ENV,
    DIAL_ENV,
    API_AUTH_ENV,
    RECOVERY_ENV,
    TRANSFER_ENV,
    HANDOFF_ENV,
    CANARY_ENV,
  };

  it('when the sections are merged, keeps every key and variable of every section (none claimed twice)', () => {
    const entries = Object.values(sections).flatMap((section) => Object.entries(section));

    expect(Object.keys(ENV)).toHaveLength(entries.length);
    expect(new Set(Object.values(ENV)).size).toBe(entries.length);
    for (const [key, variable] of entries) expect(ENV[key as keyof typeof ENV]).toBe(variable);
  });
});

describe('readHandoffConfig (HANDOFF_QUEUES)', () => {
  const allowed = ['+1555*', 'client:*', 'sip:*@pbx.example.com'];

  it('when unset, has no queues (a handoff must then name its target)', () => {
    expect(readHandoffConfig({}, allowed).queues.size).toBe(0);
  });

  it('when it lists name=target pairs, maps each queue name to its dial target', () => {
    const { queues } = readHandoffConfig(
      { HANDOFF_QUEUES: 'billing=+15551230000, support=client:support,pbx=sip:desk@pbx.example.com' },
      allowed,
    );

    expect([...queues]).toEqual([
      ['billing', '+15551230000'],
      ['support', 'client:support'],
      ['pbx', 'sip:desk@pbx.example.com'],
    ]);
  });

  it.each([
    [
      'a target off ALLOWED_DIAL_TARGETS',
      'billing=+4420700000',
      'queue billing: the target must match ALLOWED_DIAL_TARGETS',
    ],
    ['a target that is no dial target', 'billing=desk-7', 'queue billing: the target must be an E.164 number'],
    ['an entry without =', 'billing', 'must be a list of name=target'],
    ['an empty target', 'billing=', 'must be a list of name=target'],
    ['a name with a space', 'bill ing=+15551230000', 'must be a list of name=target'],
    ['a name given twice', 'a=+15551230000,a=+15551230001', 'names the queue a twice'],
  ])('when it has %s, rejects it naming HANDOFF_QUEUES', (_case, value, reason) => {
    const error = errorOf(() => readHandoffConfig({ HANDOFF_QUEUES: value }, allowed));

    expect(error.key).toBe('HANDOFF_QUEUES');
    expect(error.message).toContain(reason);
  });
});
