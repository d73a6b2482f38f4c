/** Stack config validation: bad values fail early with a message naming the config key. */
import { readStackSettings, type SecretPresence } from '../../infra/stack-config';

const PROJECT = 'voice-ai-conference';
const valid: Record<string, string> = {
  twilioAccountSid: `AC${'0'.repeat(32)}`,
  phoneNumber: '+15551230000',
  agentStreamUrl: 'wss://agent.example.com/media',
};
const allSecrets: SecretPresence = { twilioAuthToken: true, twilioApiKeySecret: false, participantsApiToken: false };
const read = (config: Record<string, string | undefined>, secrets: Partial<SecretPresence> = {}, stack = 'dev') =>
  readStackSettings((k) => config[k], { ...allSecrets, ...secrets }, PROJECT, stack);

describe('readStackSettings', () => {
  it('applies the defaults of the config table', () => {
    // Act
    const settings = read(valid);

    // Assert
    expect(settings).toMatchObject({
      namePrefix: 'voiceai',
      logRetentionDays: 14,
      lambdaMemoryMb: 256,
      throttling: { webhooks: { rateLimit: 50, burstLimit: 100 }, api: { rateLimit: 10, burstLimit: 20 } },
      alarms: { enabled: false },
    });
    expect(settings.environment.events).toMatchObject({
      AGENT_FROM_NUMBER: '+15551230000',
      AGENT_LABEL: 'ai-agent',
      AGENT_AUTO_ADD: 'true',
    });
    expect(settings.environment.agent).toMatchObject({
      AGENT_MODE: 'stream',
      AGENT_STREAM_URL: 'wss://agent.example.com/media',
    });
  });

  it('treats the empty defaults Pulumi.yaml declares as unset', () => {
    // Act
    const settings = read({
      ...valid,
      agentFromNumber: '',
      twilioApiKeySid: '',
      agentContextAllowlist: '[]',
      publicBaseUrl: '',
    });

    // Assert
    expect(settings.usesApiKey).toBe(false);
    expect(settings.publicBaseUrl).toBeUndefined();
    expect(settings.environment.events.AGENT_FROM_NUMBER).toBe('+15551230000');
    expect(settings.environment.agent.AGENT_CONTEXT_ALLOWLIST).toBe(
      'caller,callerCallSid,conference,customerId,ticket,language',
    );
  });

  it('gives the warm transfer hold URL to the handlers that start transfers (participants API, AI handoff) only', () => {
    // Act
    const settings = read({ ...valid, transferHoldUrl: 'https://cdn.example.com/hold.mp3' });

    // Assert
    expect(settings.environment.participants.TRANSFER_HOLD_URL).toBe('https://cdn.example.com/hold.mp3');
    expect(settings.environment.events.TRANSFER_HOLD_URL).toBe('https://cdn.example.com/hold.mp3');
    expect(settings.environment.inbound.TRANSFER_HOLD_URL).toBeUndefined();
    expect(settings.environment.agent.TRANSFER_HOLD_URL).toBeUndefined();
  });

  it.each([
    [
      'a queue target off allowedDialTargets',
      { handoffQueues: '["billing=+4420700000"]' },
      'handoffQueues',
      'queue billing',
    ],
    ['a queue entry without a target', { handoffQueues: '["billing"]' }, 'handoffQueues', 'name=target'],
  ])('when handoffQueues has %s, refuses the stack naming the key', (_case, config, key, reason) => {
    // Act / Assert
    expect(() => read({ ...valid, allowedDialTargets: '["+1555*"]', ...config })).toThrow(
      new RegExp(`:${key}: .*${reason}`),
    );
  });

  it('turns lists into the comma-separated form the handlers read', () => {
    // Act
    const settings = read({ ...valid, allowedDialTargets: '["+1415*","sip:*@pbx.example.com"]' });

    // Assert
    expect(settings.environment.participants.ALLOWED_DIAL_TARGETS).toBe('+1415*,sip:*@pbx.example.com');
  });

  describe.each([
    [
      'a phone number that is not E.164',
      { phoneNumber: '5551230000' },
      {},
      `${PROJECT}:phoneNumber: must be an E.164 number`,
    ],
    [
      'a ws:// agent URL on a public host',
      { agentStreamUrl: 'ws://agent.example.com/media' },
      {},
      `${PROJECT}:agentStreamUrl: must be a wss:// URL`,
    ],
    [
      'an https agent URL',
      { agentStreamUrl: 'https://agent.example.com' },
      {},
      `${PROJECT}:agentStreamUrl: must be a wss: or ws: URL`,
    ],
    ['stream mode without an agent URL', { agentStreamUrl: undefined }, {}, `${PROJECT}:agentStreamUrl: is required`],
    [
      'a plain http hold URL for warm transfers',
      { transferHoldUrl: 'http://music.example.com/hold.mp3' },
      {},
      `${PROJECT}:transferHoldUrl: must be an https:// URL`,
    ],
    [
      'an unknown agent mode',
      { agentMode: 'video' },
      {},
      `${PROJECT}:agentMode: must be one of stream, conversation-relay, play`,
    ],
    ['a bad agent caller ID', { agentFromNumber: '+1-555' }, {}, `${PROJECT}:agentFromNumber: must be an E.164`],
    ['a bad Account SID', { twilioAccountSid: 'AC123' }, {}, `${PROJECT}:twilioAccountSid: must be an Account SID`],
    ['a missing Account SID', { twilioAccountSid: undefined }, {}, `${PROJECT}:twilioAccountSid: is required`],
    ['a missing Auth Token', {}, { twilioAuthToken: false }, `${PROJECT}:twilioAuthToken: is required`],
    [
      'an API key without its secret',
      { twilioApiKeySid: `SK${'1'.repeat(32)}` },
      {},
      `${PROJECT}:twilioApiKeySecret: twilioApiKeySid and twilioApiKeySecret are set together`,
    ],
    [
      'a log retention CloudWatch does not offer',
      { logRetentionDays: '10' },
      {},
      `${PROJECT}:logRetentionDays: must be one of CloudWatch's values`,
    ],
    ['a non-integer memory size', { lambdaMemoryMb: 'lots' }, {}, `${PROJECT}:lambdaMemoryMb: must be an integer`],
    [
      'a memory size Lambda does not offer',
      { lambdaMemoryMb: '64' },
      {},
      `${PROJECT}:lambdaMemoryMb: must be from 128 to 10240`,
    ],
    ['a non-boolean flag', { agentAutoAdd: 'yes' }, {}, `${PROJECT}:agentAutoAdd: must be true or false`],
    ['a list given as a string', { allowedDialTargets: '+1415*' }, {}, `${PROJECT}:allowedDialTargets: must be a list`],
    [
      'an unknown beep',
      { conferenceBeep: 'loud' },
      {},
      `${PROJECT}:conferenceBeep: must be one of true, false, onEnter, onExit`,
    ],
    [
      'a join timeout out of range',
      { agentJoinTimeoutSeconds: '1' },
      {},
      `${PROJECT}:agentJoinTimeoutSeconds: must be an integer from 5 to 600`,
    ],
    ['an invalid alarm email', { alarmEmail: 'oncall' }, {}, `${PROJECT}:alarmEmail: must be an email address`],
    ['an upper-case name prefix', { namePrefix: 'VoiceAI' }, {}, `${PROJECT}:namePrefix: must be 1-20 lowercase`],
    [
      'a custom domain without its certificate',
      { customDomainName: 'voice.example.com' },
      {},
      `${PROJECT}:customDomainCertificateArn: must be the ARN of an ACM certificate`,
    ],
    [
      'a certificate without a custom domain',
      { customDomainCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' },
      {},
      `${PROJECT}:customDomainName: is required`,
    ],
    [
      'a custom domain given as a URL',
      {
        customDomainName: 'https://voice.example.com',
        customDomainCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      },
      {},
      `${PROJECT}:customDomainName: must be a hostname`,
    ],
    [
      'a custom domain and a public base URL',
      {
        customDomainName: 'voice.example.com',
        customDomainCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
        publicBaseUrl: 'https://other.example.com',
      },
      {},
      `${PROJECT}:publicBaseUrl: leave it unset with customDomainName`,
    ],
    [
      'a retry budget the events function cannot finish within its timeout',
      { twilioRetryBudgetMs: '8001' },
      {},
      `${PROJECT}:twilioRetryBudgetMs: must be at most 8000 ms, got 8001: the events function times out after 14 s`,
    ],
    [
      'an API route rate of zero',
      { apiThrottlingRateLimit: '0' },
      {},
      `${PROJECT}:apiThrottlingRateLimit: must be from 1 to 10000`,
    ],
    [
      'a log level nobody reads',
      { logLevel: 'verbose' },
      {},
      `${PROJECT}:logLevel: must be debug, info, warn or error`,
    ],
    [
      'a release stage the delivery workflows do not know',
      { releaseStage: 'staging' },
      {},
      `${PROJECT}:releaseStage: must be pre-production or production, got "staging"`,
    ],
    [
      'a verifyAfterDeploy that is not a boolean',
      { releaseStage: 'production', verifyAfterDeploy: 'no' },
      {},
      `${PROJECT}:verifyAfterDeploy: must be true or false, got "no"`,
    ],
    [
      'a fallback target outside the dial allow-list',
      { fallbackTarget: '+4420700000', allowedDialTargets: '["+1*"]' },
      {},
      `${PROJECT}:fallbackTarget: must match ALLOWED_DIAL_TARGETS`,
    ],
  ])('rejects %s', (_name, change, secrets, message) => {
    it('naming the key', () => {
      // Act
      const attempt = () => read({ ...valid, ...change }, secrets);

      // Assert
      expect(attempt).toThrow(message);
    });
  });

  it.each([
    ['unset', 'pre-production', undefined],
    ['production', 'production', 'production'],
  ])('when releaseStage is %s, the stack is in the %s wave', (_case, expected, releaseStage) => {
    // Act
    const settings = read({ ...valid, releaseStage });

    // Assert
    expect(settings.releaseStage).toBe(expected);
  });

  it.each([
    ['a pre-production stack leaves it unset', true, undefined, undefined],
    ['a production stack leaves it unset', false, 'production', undefined],
    ['a pre-production stack sets it false (pre-production stacks are always verified)', true, undefined, 'false'],
    ['a production stack sets it false', false, 'production', 'false'],
    ['a production stack sets it true', true, 'production', 'true'],
  ])('when %s, verifyAfterDeploy is %s', (_case, expected, releaseStage, verifyAfterDeploy) => {
    // Act
    const settings = read({ ...valid, releaseStage, verifyAfterDeploy });

    // Assert
    expect(settings.verifyAfterDeploy).toBe(expected);
  });

  it('accepts play mode without an agent URL when a play URL is set', () => {
    // Act
    const settings = read({
      ...valid,
      agentMode: 'play',
      agentStreamUrl: undefined,
      agentPlayUrl: 'https://demo.twilio.com/docs/classic.mp3',
    });

    // Assert
    expect(settings.environment.agent).toMatchObject({
      AGENT_MODE: 'play',
      AGENT_PLAY_URL: 'https://demo.twilio.com/docs/classic.mp3',
    });
  });
});

describe('readStackSettings, the canary', () => {
  it.each([
    ['unset', {}],
    ['empty (Pulumi.yaml’s default)', { canarySchedule: '', canaryFromNumber: '+15550009999' }],
  ])('when canarySchedule is %s, the stack runs no canary (its other keys are ignored)', (_case, config) => {
    // Act / Assert
    expect(read({ ...valid, ...config }).canary).toBeUndefined();
  });

  it('when canarySchedule is set, the defaults give a cap of 100 calls a day and an alarm after 2 periods of its schedule', () => {
    // Act
    const { canary } = read({ ...valid, canarySchedule: 'rate(15 minutes)' }, {}, 'prod');

    // Assert
    expect(canary).toMatchObject({
      schedule: { kind: 'rate', expression: 'rate(15 minutes)', everySeconds: 900 },
      periodSeconds: 900,
      alarmAfterFailures: 2,
      maxCallsPerDay: 100,
    });
    expect(canary?.environment).toMatchObject({
      CANARY_STACK: 'prod',
      CANARY_PHONE_NUMBER: '+15551230000',
      CANARY_FROM_NUMBER: '+15551230000',
      CANARY_MAX_CALLS_PER_DAY: '100',
      SERVICE_NAME: 'voiceai-prod',
    });
  });

  it('when a cron runs at uneven times, the alarm’s period is its longest gap, so each period holds a run', () => {
    // Act
    const { canary } = read({ ...valid, canarySchedule: 'cron(0 9,17 * * ? *)', canaryMaxCallsPerDay: '2' });

    // Assert
    expect(canary?.periodSeconds).toBe(16 * 3600);
  });

  it('when canaryFromNumber is set, the test call comes from it', () => {
    // Act
    const { canary } = read({ ...valid, canarySchedule: 'rate(1 hour)', canaryFromNumber: '+15550009999' });

    // Assert
    expect(canary?.environment.CANARY_FROM_NUMBER).toBe('+15550009999');
  });

  it.each([
    [
      'a schedule that is no expression',
      { canarySchedule: 'every 15 minutes' },
      'canarySchedule: "every 15 minutes" must be rate(value unit) or cron(',
    ],
    [
      'a plural unit of 1',
      { canarySchedule: 'rate(1 hours)' },
      'canarySchedule: "rate(1 hours)" must say rate(1 hour)',
    ],
    [
      'a one-time schedule',
      { canarySchedule: 'at(2027-01-01T09:00:00)' },
      'canarySchedule: "at(2027-01-01T09:00:00)" is a one-time schedule',
    ],
    [
      'a cron with a bad field',
      { canarySchedule: 'cron(0 25 * * ? *)' },
      'canarySchedule: "cron(0 25 * * ? *)" has "25" in its hours field',
    ],
    [
      'a schedule over the cap',
      { canarySchedule: 'rate(10 minutes)' },
      'canarySchedule: rate(10 minutes) places up to 144 test calls a day, over canaryMaxCallsPerDay (100)',
    ],
    [
      'a schedule over a lowered cap',
      { canarySchedule: 'rate(1 hour)', canaryMaxCallsPerDay: '12' },
      'canarySchedule: rate(1 hour) places up to 24 test calls a day, over canaryMaxCallsPerDay (12)',
    ],
    [
      'runs that would overlap',
      { canarySchedule: 'rate(2 minutes)', canaryMaxCallsPerDay: '1440' },
      'canarySchedule: rate(2 minutes) starts a run 120 s after another',
    ],
    [
      'a cron that leaves days out',
      { canarySchedule: 'cron(0 9 ? * MON-FRI *)' },
      'canarySchedule: cron(0 9 ? * MON-FRI *) leaves days out',
    ],
    [
      'a cap of 0',
      { canarySchedule: 'rate(1 hour)', canaryMaxCallsPerDay: '0' },
      'canaryMaxCallsPerDay: must be from 1 to 1440, got 0',
    ],
    [
      'an alarm after 0 failures',
      { canarySchedule: 'rate(1 hour)', canaryAlarmAfterFailures: '0' },
      'canaryAlarmAfterFailures: must be from 1 to 100, got 0',
    ],
    [
      'an alarm range over CloudWatch’s 7 days',
      { canarySchedule: 'rate(1 day)', canaryAlarmAfterFailures: '8' },
      "canaryAlarmAfterFailures: 8 runs of rate(1 day) span 691200 s, over CloudWatch's 604800 s",
    ],
    [
      'an alarm range over a day for a short period',
      { canarySchedule: 'rate(15 minutes)', canaryAlarmAfterFailures: '97' },
      "canaryAlarmAfterFailures: 97 runs of rate(15 minutes) span 87300 s, over CloudWatch's 86400 s",
    ],
    [
      'a caller ID that is not E.164',
      { canarySchedule: 'rate(1 hour)', canaryFromNumber: '555-1234' },
      'canaryFromNumber: must be an E.164 phone number',
    ],
    [
      'play mode (its agent hangs up)',
      {
        canarySchedule: 'rate(1 hour)',
        agentMode: 'play',
        agentStreamUrl: undefined,
        agentPlayUrl: 'https://demo.twilio.com/docs/classic.mp3',
      },
      'agentMode: must be stream or conversation-relay for the canary',
    ],
  ])('rejects %s, naming the key', (_name, change, message) => {
    // Act
    const attempt = () => read({ ...valid, ...change });

    // Assert
    expect(attempt).toThrow(`${PROJECT}:${message}`);
  });

  it('accepts the longest prefix and stack name the other resources allow (42 characters): the canary’s names fit', () => {
    // Act
    const settings = read({ ...valid, canarySchedule: 'rate(1 hour)', namePrefix: 'a'.repeat(20) }, {}, 'b'.repeat(22));

    // Assert
    expect(settings.canary).toBeDefined();
  });
});
