/**
 * The canary's configuration reader (lambdas/shared/config/canary.ts) and the REST-only Twilio reader it uses: what
 * a canary reads from its environment, and each refusal naming the variable, never a value.
 */
import { readCanaryConfig, readTwilioRestConfig } from '../../lambdas/shared/config';
import { configErrorOf } from './support/config-error';

const ACCOUNT = `AC${'a'.repeat(32)}`;
const KEY = `SK${'b'.repeat(32)}`;
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:voiceai-prod-twilio-auth-token-AbCdEf';
const API_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:voiceai-prod-participants-api-token-AbCdEf';
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:voiceai-prod-twilio-api-key-secret-AbCdEf';

const env: Record<string, string | undefined> = {
  CANARY_STACK: 'prod',
  CANARY_PHONE_NUMBER: '+15550001111',
  CANARY_API_BASE_URL: 'https://abc.execute-api.us-east-1.amazonaws.com/',
  CANARY_MAX_CALLS_PER_DAY: '96',
  TWIML_APP_SID: `AP${'c'.repeat(32)}`,
  TWILIO_ACCOUNT_SID: ACCOUNT,
  TWILIO_AUTH_TOKEN_SECRET_ARN: ARN,
  PARTICIPANTS_API_TOKEN_SECRET_ARN: API_ARN,
};

const errorOf = configErrorOf;

describe('readCanaryConfig', () => {
  it('when the stack gives only its own values, the test call comes from its number, with the handlers’ defaults', () => {
    // Act
    const config = readCanaryConfig(env);

    // Assert
    expect(config).toEqual({
      stack: 'prod',
      phoneNumber: '+15550001111',
      from: '+15550001111',
      apiBaseUrl: 'https://abc.execute-api.us-east-1.amazonaws.com',
      twimlAppSid: `AP${'c'.repeat(32)}`,
      conferencePrefix: 'conf-',
      callerLabel: 'caller',
      agentLabel: 'ai-agent',
      agentMode: 'stream',
      maxCallsPerDay: 96,
      twilio: {
        accountSid: ACCOUNT,
        username: ACCOUNT,
        password: { kind: 'aws-secret', arn: ARN },
        apiBaseUrl: undefined,
      },
      apiToken: { kind: 'aws-secret', arn: API_ARN },
    });
  });

  it('when the stack uses an API key, the canary authenticates with it and needs no Auth Token', () => {
    // Act
    const { twilio } = readCanaryConfig({
      ...env,
      TWILIO_AUTH_TOKEN_SECRET_ARN: undefined,
      TWILIO_API_KEY_SID: KEY,
      TWILIO_API_KEY_SECRET_ARN: KEY_ARN,
    });

    // Assert
    expect(twilio).toEqual({ accountSid: ACCOUNT, username: KEY, password: { kind: 'aws-secret', arn: KEY_ARN } });
  });

  it('when the stack names its labels, prefix, mode and another caller ID, the canary looks for those', () => {
    // Act
    const config = readCanaryConfig({
      ...env,
      CANARY_FROM_NUMBER: '+15550002222',
      CONFERENCE_NAME_PREFIX: 'room-',
      CONFERENCE_CALLER_LABEL: 'customer',
      AGENT_LABEL: 'bot',
      AGENT_MODE: 'conversation-relay',
    });

    // Assert
    expect(config).toMatchObject({
      from: '+15550002222',
      conferencePrefix: 'room-',
      callerLabel: 'customer',
      agentLabel: 'bot',
      agentMode: 'conversation-relay',
    });
  });

  it.each([
    ['CANARY_PHONE_NUMBER', { CANARY_PHONE_NUMBER: undefined }, 'is required'],
    ['CANARY_FROM_NUMBER', { CANARY_FROM_NUMBER: '555-1234' }, 'must be an E.164 phone number'],
    [
      'CANARY_API_BASE_URL',
      { CANARY_API_BASE_URL: 'http://api.example.com' },
      'must be https (http only for 127.0.0.1',
    ],
    ['CANARY_API_BASE_URL', { CANARY_API_BASE_URL: 'ftp://api.example.com' }, 'must be a https: or http: URL'],
    ['CANARY_MAX_CALLS_PER_DAY', { CANARY_MAX_CALLS_PER_DAY: '1441' }, 'must be an integer from 1 to 1440'],
    ['CANARY_STACK', { CANARY_STACK: 'a b' }, 'must be a Pulumi stack name'],
    ['AGENT_MODE', { AGENT_MODE: 'play' }, 'must be stream or conversation-relay for the canary'],
    ['TWIML_APP_SID', { TWIML_APP_SID: undefined }, 'is required'],
    ['TWILIO_AUTH_TOKEN', { TWILIO_AUTH_TOKEN_SECRET_ARN: undefined }, 'is required (or TWILIO_AUTH_TOKEN_SECRET_ARN)'],
    ['PARTICIPANTS_API_TOKEN', { PARTICIPANTS_API_TOKEN_SECRET_ARN: undefined }, 'is required'],
    ['TWILIO_API_KEY_SID', { TWILIO_API_KEY_SID: 'SK1' }, 'must be an API key SID'],
  ])('when %s is wrong, it refuses naming it', (key, change, reason) => {
    // Act
    const error = errorOf(() => readCanaryConfig({ ...env, ...change }));

    // Assert
    expect(error.key).toBe(key);
    expect(error.message).toContain(reason);
  });

  it('when the API is on this machine (the sandbox), plain http is accepted', () => {
    // Act / Assert
    expect(readCanaryConfig({ ...env, CANARY_API_BASE_URL: 'http://127.0.0.1:4000' }).apiBaseUrl).toBe(
      'http://127.0.0.1:4000',
    );
  });
});

describe('readTwilioRestConfig', () => {
  it('when an Auth Token value is given (local runs), it is the password of the Account SID', () => {
    // Act / Assert
    expect(readTwilioRestConfig({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: 'local-token' })).toMatchObject({
      username: ACCOUNT,
      password: { kind: 'value', value: 'local-token' },
    });
  });
});
