/**
 * Each config key a handler reads has one default: what the config schema declares (and so Pulumi.yaml and the
 * config reference say) is what the handler's own reader does when the variable is unset. The sandbox and tests
 * run the handlers without the stack's environment, so a difference would make them behave unlike a deployment.
 */
import { CONFIG_KEYS, type ConfigKey } from '../../infra/config-schema';
import {
  ConfigError,
  type Env,
  readAgentTwimlConfig,
  readContextAllowlist,
  readConferenceConfig,
  readDialConfig,
  readHandoffConfig,
  readRecoveryConfig,
  readTransferConfig,
  readTwilioConfig,
  readWebhookConfig,
} from '../../lambdas/shared/config';
import { logLevelFrom } from '../../lambdas/shared/log';

/** What a handler needs to read anything at all (every value a required one, none with a default). */
const REQUIRED: Env = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
  TWIML_APP_SID: `AP${'b'.repeat(32)}`,
  AGENT_FROM_NUMBER: '+15550001111',
  AGENT_STREAM_URL: 'wss://agent.example.com/media',
};

const dial = (env: Env) => readDialConfig(env);
const agent = (env: Env) => readAgentTwimlConfig(env);
const relay = (env: Env) => readAgentTwimlConfig(env).conversationRelay;
const conference = (env: Env) => readConferenceConfig(env);
const recovery = (env: Env) => readRecoveryConfig(env, ['+*', 'client:*']);

/** Per config key, the value the handlers' reader takes from its variable (read from the environment given). */
const READERS: Readonly<Record<string, (env: Env) => unknown>> = {
  twilioAccountSid: (env) => readTwilioConfig(env).accountSid,
  twilioApiKeySid: (env) => readTwilioConfig(env).apiKey,
  agentFromNumber: (env) => dial(env).fromNumber,
  agentMode: (env) => agent(env).mode,
  // play is the one mode in which the stream URL may be unset.
  agentStreamUrl: (env) =>
    agent({ ...env, AGENT_MODE: 'play', AGENT_PLAY_URL: 'https://cdn.example.com/a.mp3' }).streamUrl,
  agentPlayUrl: (env) => agent(env).playUrl,
  agentContextAllowlist: (env) => readContextAllowlist(env),
  agentLabel: (env) => dial(env).agentLabel,
  agentAutoAdd: (env) => dial(env).autoAddAgent,
  agentJoinTimeoutSeconds: (env) => dial(env).joinTimeoutSeconds,
  relayWelcomeGreeting: (env) => relay(env).welcomeGreeting,
  relayLanguage: (env) => relay(env).language,
  relayTtsProvider: (env) => relay(env).ttsProvider,
  relayVoice: (env) => relay(env).voice,
  relayTranscriptionProvider: (env) => relay(env).transcriptionProvider,
  relayInterruptible: (env) => relay(env).interruptible,
  relayDtmfDetection: (env) => relay(env).dtmfDetection,
  conferenceNamePrefix: (env) => conference(env).namePrefix,
  conferenceCallerLabel: (env) => conference(env).callerLabel,
  conferenceWaitUrl: (env) => conference(env).waitUrl,
  conferenceBeep: (env) => conference(env).beep,
  conferenceJitterBufferSize: (env) => conference(env).jitterBufferSize,
  conferenceEndOnCallerExit: (env) => conference(env).endConferenceOnCallerExit,
  conferenceMaxParticipants: (env) => conference(env).maxParticipants,
  allowedDialTargets: (env) => dial(env).allowedTargets,
  transferHoldUrl: (env) => readTransferConfig(env).holdUrl,
  agentRetries: (env) => recovery(env).agentRetries,
  fallbackTarget: (env) => recovery(env).fallbackTarget,
  fallbackMessage: (env) => recovery(env).fallbackMessage,
  fallbackVoicemailUrl: (env) => recovery(env).fallbackVoicemailUrl,
  handoffQueues: (env) => [...readHandoffConfig(env, ['+*']).queues],
  twilioRetryBudgetMs: (env) => dial(env).retryBudgetMs,
  publicBaseUrl: (env) => readWebhookConfig(env).publicBaseUrl,
  logLevel: (env) => logLevelFrom(env.LOG_LEVEL),
};

/**
 * Keys whose handler has no default on purpose, though the schema declares an empty one: the stack fills the
 * variable from another key.
 */
const FILLED_BY_STACK: Readonly<Record<string, string>> = { agentFromNumber: 'phoneNumber' };

/** `''` and `[]` in the schema, and undefined or `''` from a reader, all mean "no value". */
const none = (value: unknown) => value === undefined || value === '';

const withEnv = CONFIG_KEYS.filter((k): k is ConfigKey & { env: NonNullable<ConfigKey['env']> } => !!k.env);

function withoutVariable(name: string): Env {
  const env: Record<string, string | undefined> = { ...REQUIRED };
  delete env[name];
  return env;
}

describe('config defaults', () => {
  it('when a key becomes a Lambda environment variable, the test knows how its handler reads it', () => {
    // Assert
    expect(withEnv.map((k) => k.key).filter((key) => !READERS[key])).toEqual([]);
  });

  describe.each(
    withEnv.filter((k) => READERS[k.key] && k.default !== undefined && !FILLED_BY_STACK[k.key]).map((k) => [k.key, k]),
  )('%s', (_key, entry) => {
    it(`when ${entry.env.name} is unset, the reader takes the schema's default`, () => {
      // Act
      const value = READERS[entry.key](withoutVariable(entry.env.name));

      // Assert
      if (none(entry.default)) expect(none(value)).toBe(true);
      else expect(value).toEqual(entry.default);
    });

    it(`when ${entry.env.name} holds the schema's default as the stack writes it, the reader gets the same value`, () => {
      // Arrange: the stack writes lists comma-joined and leaves empty values out
      const written = Array.isArray(entry.default) ? entry.default.join(',') : String(entry.default);

      // Act
      const value = READERS[entry.key]({ ...REQUIRED, [entry.env.name]: written });

      // Assert
      expect(value).toEqual(READERS[entry.key](withoutVariable(entry.env.name)));
    });
  });

  it.each(withEnv.filter((k) => k.default === undefined || FILLED_BY_STACK[k.key]).map((k) => [k.key, k.env.name]))(
    'when %s has no default a handler could use, the reader refuses an unset %s',
    (key, name) => {
      // Act / Assert
      expect(() => READERS[key](withoutVariable(name))).toThrow(ConfigError);
    },
  );
});
