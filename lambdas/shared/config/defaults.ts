/**
 * The default of every stack config key a handler reads from its environment, keyed by the config key. The one
 * place each of these defaults lives: the config schema (infra/config-schema.ts, which generates Pulumi.yaml and
 * the config reference) and the handlers' readers both take them from here. Kept free of imports so the Lambda
 * bundles carry only these few values.
 *
 * `''` and `[]` mean "unset": the reader then has no value (or an empty one), and Pulumi.yaml declares the empty
 * default because Pulumi requires a declared key to have one.
 */
export const CONFIG_DEFAULTS = {
  twilioApiKeySid: '',
  /** Unset: the stack dials from phoneNumber. */
  agentFromNumber: '',
  agentMode: 'stream',
  agentStreamUrl: '',
  agentPlayUrl: '',
  agentContextAllowlist: ['caller', 'callerCallSid', 'conference', 'customerId', 'ticket', 'language'],
  agentLabel: 'ai-agent',
  agentAutoAdd: true,
  agentJoinTimeoutSeconds: 15,
  relayWelcomeGreeting: '',
  relayLanguage: '',
  relayTtsProvider: '',
  relayVoice: '',
  relayTranscriptionProvider: '',
  relayInterruptible: '',
  /** Twilio's own default for `<ConversationRelay dtmfDetection>`. */
  relayDtmfDetection: false,
  conferenceNamePrefix: 'conf-',
  conferenceCallerLabel: 'caller',
  conferenceWaitUrl: '',
  conferenceBeep: 'false',
  conferenceJitterBufferSize: 'small',
  conferenceEndOnCallerExit: true,
  conferenceMaxParticipants: 10,
  /** Any E.164 number and any Twilio Client identity; SIP only when listed. */
  allowedDialTargets: ['+*', 'client:*'],
  transferHoldUrl: '',
  agentRetries: 1,
  fallbackTarget: '',
  fallbackMessage: 'We are sorry, nobody can take your call right now. Please call again later. Goodbye.',
  fallbackVoicemailUrl: '',
  handoffQueues: [],
  twilioRetryBudgetMs: 8000,
  publicBaseUrl: '',
  logLevel: 'info',
  /** Unset: the canary's test call comes from phoneNumber. */
  canaryFromNumber: '',
  /** 96 runs a day of the suggested rate(15 minutes) fit, with a margin for `npm run verify`'s calls. */
  canaryMaxCallsPerDay: 100,
} as const;
