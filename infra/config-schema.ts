/**
 * The stack's configuration keys in one table: type, default, description, and which Lambda environment
 * variable each feeds (and for which handlers). `Pulumi.yaml`'s config schema, the config reader, the Lambda
 * environments and the validation messages all come from here (a test keeps Pulumi.yaml in step). A key that
 * becomes a Lambda environment variable takes its default from CONFIG_DEFAULTS, which the handlers' readers use
 * too (test/infra/config-defaults.test.ts holds the two together).
 */
import type { HandlerName } from '../lambdas/routes';
import { CONFIG_DEFAULTS, ENV } from '../lambdas/shared/config';

export type ConfigType = 'string' | 'integer' | 'boolean' | 'array';

/** One key of the project's config namespace. */
export interface ConfigKey {
  readonly key: string;
  readonly type: ConfigType;
  readonly description: string;
  /** Absent: the key is required (optional secrets excepted); `''` and `[]`: no value. See CONFIG_DEFAULTS. */
  readonly default?: string | number | boolean | readonly string[];
  readonly secret?: true;
  /**
   * Optional secrets are left out of Pulumi.yaml: Pulumi requires every declared key without a default, and a
   * secret cannot usefully default.
   */
  readonly undeclared?: true;
  /** The Lambda environment variable this key becomes, and the handlers that get it. */
  readonly env?: { readonly name: string; readonly handlers: readonly HandlerName[] };
  /** `pulumi new` asks for this key (Pulumi.yaml `template.config`): the values a stack cannot start without. */
  readonly prompt?: true;
}

/** Deploy waves: pre-production stacks deploy and are verified first, production stacks after them. */
export const RELEASE_STAGES = ['pre-production', 'production'] as const;
export type ReleaseStage = (typeof RELEASE_STAGES)[number];

const ALL: readonly HandlerName[] = ['inbound', 'agent', 'events', 'participants'];
const DIALLERS: readonly HandlerName[] = ['events', 'participants'];

/** Every config key of the project, in the order Pulumi.yaml lists them. */
export const CONFIG_KEYS: readonly ConfigKey[] = [
  // Twilio account
  {
    key: 'twilioAccountSid',
    type: 'string',
    description: 'Twilio Account SID (AC...).',
    env: { name: ENV.accountSid, handlers: ALL },
    prompt: true,
  },
  {
    key: 'twilioAuthToken',
    type: 'string',
    secret: true,
    description:
      'Twilio Auth Token: signs webhooks, and authenticates REST calls unless an API key is set. Stored in AWS Secrets Manager.',
    prompt: true,
  },
  {
    key: 'twilioApiKeySid',
    type: 'string',
    default: CONFIG_DEFAULTS.twilioApiKeySid,
    description: 'Optional API key SID (SK...) for REST calls instead of the Auth Token.',
    env: { name: ENV.apiKeySid, handlers: DIALLERS },
  },
  {
    key: 'twilioApiKeySecret',
    type: 'string',
    secret: true,
    undeclared: true,
    description: 'Secret of twilioApiKeySid. Stored in AWS Secrets Manager.',
  },
  {
    key: 'phoneNumber',
    type: 'string',
    description:
      'E.164 number the account already owns; its voice webhook is pointed at this stack (and restored on destroy).',
    prompt: true,
  },
  {
    key: 'agentFromNumber',
    type: 'string',
    default: CONFIG_DEFAULTS.agentFromNumber,
    description: 'Caller ID of the agent and transfer legs (E.164). Defaults to phoneNumber.',
    env: { name: ENV.agentFromNumber, handlers: DIALLERS },
  },
  // The AI agent leg
  {
    key: 'agentMode',
    type: 'string',
    default: CONFIG_DEFAULTS.agentMode,
    description:
      'What the agent leg runs: stream (<Connect><Stream>), conversation-relay, or play (demo: play agentPlayUrl, hang up).',
    env: { name: ENV.agentMode, handlers: ['agent'] },
    prompt: true,
  },
  {
    key: 'agentStreamUrl',
    type: 'string',
    default: CONFIG_DEFAULTS.agentStreamUrl,
    description: 'wss:// URL of the AI agent (Media Streams or ConversationRelay). Required unless agentMode is play.',
    env: { name: ENV.agentStreamUrl, handlers: ['agent'] },
    prompt: true,
  },
  {
    key: 'agentPlayUrl',
    type: 'string',
    default: CONFIG_DEFAULTS.agentPlayUrl,
    description: 'Audio URL for agentMode play.',
    env: { name: ENV.agentPlayUrl, handlers: ['agent'] },
  },
  {
    key: 'agentContextAllowlist',
    type: 'array',
    default: CONFIG_DEFAULTS.agentContextAllowlist,
    description:
      'Context keys passed on to the agent as <Parameter>s; the participants API refuses other keys with 400.',
    env: { name: ENV.agentContextAllowlist, handlers: ['agent', 'participants'] },
  },
  {
    key: 'agentLabel',
    type: 'string',
    default: CONFIG_DEFAULTS.agentLabel,
    description:
      'Conference participant label of the agent the stack adds (once per call: a repeated add is refused by the label); an agent added through the participants API without a label takes this label with -2, -3, ... appended when it is taken.',
    env: { name: ENV.agentLabel, handlers: DIALLERS },
  },
  {
    key: 'agentAutoAdd',
    type: 'boolean',
    default: CONFIG_DEFAULTS.agentAutoAdd,
    description: 'Add the agent automatically when the caller joins (false: only through the participants API).',
    env: { name: ENV.agentAutoAdd, handlers: ['events'] },
  },
  {
    key: 'agentJoinTimeoutSeconds',
    type: 'integer',
    default: CONFIG_DEFAULTS.agentJoinTimeoutSeconds,
    description: 'Ring timeout of participant legs, 5-600 s.',
    env: { name: ENV.agentJoinTimeout, handlers: DIALLERS },
  },
  {
    key: 'relayWelcomeGreeting',
    type: 'string',
    default: CONFIG_DEFAULTS.relayWelcomeGreeting,
    description: 'ConversationRelay welcomeGreeting.',
    env: { name: ENV.relayWelcomeGreeting, handlers: ['agent'] },
  },
  {
    key: 'relayLanguage',
    type: 'string',
    default: CONFIG_DEFAULTS.relayLanguage,
    description: 'ConversationRelay language (e.g. en-US).',
    env: { name: ENV.relayLanguage, handlers: ['agent'] },
  },
  {
    key: 'relayTtsProvider',
    type: 'string',
    default: CONFIG_DEFAULTS.relayTtsProvider,
    description: 'ConversationRelay ttsProvider.',
    env: { name: ENV.relayTtsProvider, handlers: ['agent'] },
  },
  {
    key: 'relayVoice',
    type: 'string',
    default: CONFIG_DEFAULTS.relayVoice,
    description: 'ConversationRelay voice.',
    env: { name: ENV.relayVoice, handlers: ['agent'] },
  },
  {
    key: 'relayTranscriptionProvider',
    type: 'string',
    default: CONFIG_DEFAULTS.relayTranscriptionProvider,
    description: 'ConversationRelay transcriptionProvider.',
    env: { name: ENV.relayTranscriptionProvider, handlers: ['agent'] },
  },
  {
    key: 'relayInterruptible',
    type: 'string',
    default: CONFIG_DEFAULTS.relayInterruptible,
    description: 'ConversationRelay interruptible (none, dtmf, speech, any).',
    env: { name: ENV.relayInterruptible, handlers: ['agent'] },
  },
  {
    key: 'relayDtmfDetection',
    type: 'boolean',
    default: CONFIG_DEFAULTS.relayDtmfDetection,
    description: 'ConversationRelay dtmfDetection.',
    env: { name: ENV.relayDtmfDetection, handlers: ['agent'] },
  },
  // The caller's conference
  {
    key: 'conferenceNamePrefix',
    type: 'string',
    default: CONFIG_DEFAULTS.conferenceNamePrefix,
    description: 'Prefix of conference names (conf-<CallSid>).',
    env: { name: ENV.conferenceNamePrefix, handlers: ['inbound'] },
  },
  {
    key: 'conferenceCallerLabel',
    type: 'string',
    default: CONFIG_DEFAULTS.conferenceCallerLabel,
    description: 'Participant label of the caller.',
    env: { name: ENV.callerLabel, handlers: ['inbound', 'events', 'participants'] },
  },
  {
    key: 'conferenceWaitUrl',
    type: 'string',
    default: CONFIG_DEFAULTS.conferenceWaitUrl,
    description: 'Hold music while the caller waits for the agent; empty for silence.',
    env: { name: ENV.waitUrl, handlers: ['inbound'] },
  },
  {
    key: 'conferenceBeep',
    type: 'string',
    default: CONFIG_DEFAULTS.conferenceBeep,
    description: 'Beep on join/leave: true, false, onEnter, onExit.',
    env: { name: ENV.beep, handlers: ['inbound'] },
  },
  {
    key: 'conferenceJitterBufferSize',
    type: 'string',
    default: CONFIG_DEFAULTS.conferenceJitterBufferSize,
    description: 'off, small, medium or large; small keeps AI latency low.',
    env: { name: ENV.jitterBufferSize, handlers: ['inbound'] },
  },
  {
    key: 'conferenceEndOnCallerExit',
    type: 'boolean',
    default: CONFIG_DEFAULTS.conferenceEndOnCallerExit,
    description: 'End the conference (and the agent leg) when the caller hangs up.',
    env: { name: ENV.endConferenceOnCallerExit, handlers: ['inbound'] },
  },
  {
    key: 'conferenceMaxParticipants',
    type: 'integer',
    default: CONFIG_DEFAULTS.conferenceMaxParticipants,
    description: 'maxParticipants of the conference, 2-250.',
    env: { name: ENV.maxParticipants, handlers: ['inbound'] },
  },
  // Participants API
  {
    key: 'allowedDialTargets',
    type: 'array',
    default: CONFIG_DEFAULTS.allowedDialTargets,
    description:
      'Glob patterns a transfer target must match (e.g. "+1415*", "sip:*@pbx.example.com"); the default allows any E.164 number and client: identity, no SIP.',
    env: { name: ENV.allowedTargets, handlers: DIALLERS },
  },
  {
    key: 'transferHoldUrl',
    type: 'string',
    default: CONFIG_DEFAULTS.transferHoldUrl,
    description:
      "What the caller hears on hold while the agent briefs the human in a warm transfer: an https URL of an MP3/WAV file or of TwiML with <Play>, <Say>, <Pause>, <Redirect>. Empty: Twilio's default hold music.",
    env: { name: ENV.transferHoldUrl, handlers: ['events', 'participants'] },
  },
  // Recovery: what happens when the caller would otherwise be left alone (README: failure outcomes)
  {
    key: 'agentRetries',
    type: 'integer',
    default: CONFIG_DEFAULTS.agentRetries,
    description: 'How many more times the agent is dialled, with the same context, after its leg fails or drops (0-5).',
    env: { name: ENV.agentRetries, handlers: ['events'] },
  },
  {
    key: 'fallbackTarget',
    type: 'string',
    default: CONFIG_DEFAULTS.fallbackTarget,
    description:
      'Who is dialled when the agent cannot be reached: an E.164 number, sip: URI or client: identity on allowedDialTargets.',
    env: { name: ENV.fallbackTarget, handlers: ['events'] },
  },
  {
    key: 'fallbackMessage',
    type: 'string',
    default: CONFIG_DEFAULTS.fallbackMessage,
    description: 'What the caller hears before the stack hangs up when nobody can take the call.',
    env: { name: ENV.fallbackMessage, handlers: ['events'] },
  },
  {
    key: 'fallbackVoicemailUrl',
    type: 'string',
    default: CONFIG_DEFAULTS.fallbackVoicemailUrl,
    description: 'TwiML URL the caller is sent to instead of the fallback message (e.g. a voicemail recorder).',
    env: { name: ENV.fallbackVoicemailUrl, handlers: ['events'] },
  },
  // The AI asks for a human (README: handoff schema)
  {
    key: 'handoffQueues',
    type: 'array',
    default: CONFIG_DEFAULTS.handoffQueues,
    description:
      'Queues an AI agent may hand the caller off to by name (ConversationRelay handoffData {"queue": "billing"}), each "name=target" (e.g. "billing=+15551230000", "support=client:support"); every target must match allowedDialTargets.',
    env: { name: ENV.handoffQueues, handlers: ['events'] },
  },
  {
    key: 'participantsApiToken',
    type: 'string',
    secret: true,
    undeclared: true,
    description:
      'Bearer token of the participants API; generated (48 characters) when unset. Stored in AWS Secrets Manager.',
  },
  {
    key: 'twilioRetryBudgetMs',
    type: 'integer',
    default: CONFIG_DEFAULTS.twilioRetryBudgetMs,
    description: `Time budget for retrying rate-limited Twilio calls, ms. At most the events function's timeout (14 s) minus 6 s (the last request's 5 s timeout, 1 s to start and answer): ${CONFIG_DEFAULTS.twilioRetryBudgetMs}.`,
    env: { name: ENV.retryBudgetMs, handlers: DIALLERS },
  },
  // Delivery (.github/workflows)
  {
    key: 'releaseStage',
    type: 'string',
    default: 'pre-production',
    description:
      "Which deploy wave the stack belongs to: pre-production (default) or production. Pre-production stacks deploy and are verified first; production stacks deploy after them, behind their GitHub environment's approval.",
  },
  {
    key: 'verifyAfterDeploy',
    type: 'boolean',
    default: false,
    description:
      "Production stacks: whether the deploy workflow also places the acceptance call (npm run verify, a real call to the number, about $0.03) after this stack's pulumi up. Pre-production stacks are always verified: production's approval waits for their calls.",
  },
  // AWS
  {
    key: 'namePrefix',
    type: 'string',
    default: 'voiceai',
    description:
      'Prefix of every AWS resource name (the stack name follows it). namePrefix plus the stack name: at most 42 characters (IAM role names are at most 64).',
  },
  {
    key: 'customDomainName',
    type: 'string',
    default: '',
    description:
      'Serve the API on this domain (voice.example.com): the stack creates the API Gateway domain and mapping; Twilio is given https://<domain>.',
  },
  {
    key: 'customDomainCertificateArn',
    type: 'string',
    default: '',
    description: 'ACM certificate (same region) for customDomainName.',
  },
  {
    key: 'customDomainZoneId',
    type: 'string',
    default: '',
    description:
      'Route 53 hosted zone of customDomainName: the stack adds the alias record (else point DNS at output customDomainTarget yourself).',
  },
  {
    key: 'publicBaseUrl',
    type: 'string',
    default: CONFIG_DEFAULTS.publicBaseUrl,
    description:
      'The public URL in front of the API when it is managed outside this stack (a proxy or CDN): used for webhook URLs and signature checks.',
    env: { name: ENV.publicBaseUrl, handlers: ALL },
  },
  {
    key: 'logLevel',
    type: 'string',
    default: CONFIG_DEFAULTS.logLevel,
    description: 'debug, info, warn or error.',
    env: { name: ENV.logLevel, handlers: ALL },
  },
  {
    key: 'logRetentionDays',
    type: 'integer',
    default: 14,
    description: 'CloudWatch Logs retention of every function.',
  },
  {
    key: 'lambdaMemoryMb',
    type: 'integer',
    default: 256,
    description: 'Memory of each function (MB); CPU scales with it.',
  },
  {
    key: 'functionLayout',
    type: 'string',
    default: 'combined',
    description:
      'combined: one function serves the Twilio webhooks (inbound, agent, events), so the webhooks of a call share one container (one cold start instead of three in series); split: one function per handler, each with only its own secrets and timeout. The participants API is its own function in both.',
  },
  {
    key: 'provisionedConcurrency',
    type: 'integer',
    default: 0,
    description:
      'Pre-initialized environments (0-100) of each Twilio-facing function, kept warm so callers meet no cold start; billed while configured. Above 0 each such function publishes versions and the API invokes its alias live.',
  },
  {
    key: 'throttlingRateLimit',
    type: 'integer',
    default: 50,
    description:
      'Steady-state requests per second of each Twilio webhook route (every route has its own bucket); also the stage default.',
  },
  { key: 'throttlingBurstLimit', type: 'integer', default: 100, description: 'Burst of each Twilio webhook route.' },
  {
    key: 'apiThrottlingRateLimit',
    type: 'integer',
    default: 10,
    description:
      'Steady-state requests per second of each participants API route: a busy API client never uses up the webhooks of live calls.',
  },
  {
    key: 'apiThrottlingBurstLimit',
    type: 'integer',
    default: 20,
    description: 'Burst of each participants API route.',
  },
  {
    key: 'alarms',
    type: 'boolean',
    default: false,
    description:
      'Create CloudWatch alarms: function errors and throttles, API 5xx, fallback rate, p95 time to agent, p95 agent queue time, rejected signatures, and with canarySchedule the canary failing.',
  },
  {
    key: 'alarmFallbackPercent',
    type: 'integer',
    default: 10,
    description:
      'Alarm when fallbacks (agent retries, fallback targets, apologies, voicemail) exceed this many per 100 calls started in 15 minutes.',
  },
  {
    key: 'alarmTimeToAgentP95Ms',
    type: 'integer',
    default: 10000,
    description:
      'Alarm when the p95 time from caller join to agent join exceeds this (ms) in two of three 5-minute periods. 10 s: a few seconds is normal (create, 1-CPS queue, agent answer); 10 s is half the wait after which callers get a fallback, so it warns before they do.',
  },
  {
    key: 'alarmAgentQueueTimeP95Ms',
    type: 'integer',
    default: 7000,
    description:
      "Alarm when the p95 of Twilio's queue_time for agent legs exceeds this (ms) in two of three 5-minute periods: the account's calls-per-second rate is what keeps callers waiting. 7 s: the latency model's time-to-agent budget (alarmTimeToAgentP95Ms, 10 s) minus the slowest modelled way to the agent without queueing (first call after idle, worst case, every input at its high bound: the derivation and its figure are in bench/RESULTS.md, from npm run bench -- --only=model).",
  },
  {
    key: 'alarmSignatureRejectedPer5Min',
    type: 'integer',
    default: 10,
    description:
      'Alarm when more webhooks than this are refused for their X-Twilio-Signature in 5 minutes (a wrong or rotated Auth Token refuses every call; a forger probes).',
  },
  {
    key: 'alarmEmail',
    type: 'string',
    default: '',
    description: 'Email subscribed to the alarms topic (confirm the subscription mail).',
  },
  // The scheduled canary (infra/canary-plan.ts, lambdas/canary)
  {
    key: 'canarySchedule',
    type: 'string',
    default: '',
    description:
      'Runs the acceptance call of npm run verify against this stack on an EventBridge Scheduler schedule, e.g. rate(15 minutes), or a cron(...) that runs every day; empty: no canary. Every run is a real, billed test call (infra/README.md, "Canary").',
  },
  {
    key: 'canaryFromNumber',
    type: 'string',
    default: CONFIG_DEFAULTS.canaryFromNumber,
    description:
      "Caller ID of the canary's test call (E.164): a number of the Twilio account or a verified caller ID. Defaults to phoneNumber.",
  },
  {
    key: 'canaryAlarmAfterFailures',
    type: 'integer',
    default: 2,
    description:
      'With alarms: true, alarm after this many schedule periods in a row without a passing canary run (a failed run, or no run at all), 1-100.',
  },
  {
    key: 'canaryMaxCallsPerDay',
    type: 'integer',
    default: CONFIG_DEFAULTS.canaryMaxCallsPerDay,
    description:
      "Most canary test calls in any 24 hours, 1-1440: a schedule that can run more often is refused at deploy, and the canary skips its run when Twilio's call log already shows this many (npm run verify's calls count too).",
  },
];

/** The config entry of `key`. */
export function configKey(key: string): ConfigKey {
  const entry = CONFIG_KEYS.find((k) => k.key === key);
  if (!entry) throw new Error(`unknown config key ${key}`);
  return entry;
}

/** A key's declaration in Pulumi.yaml (`config:` section). */
export interface ProjectConfigDeclaration {
  readonly type: ConfigType;
  readonly description: string;
  readonly items?: { readonly type: 'string' };
  readonly default?: ConfigKey['default'];
  readonly secret?: true;
}

/** The `config:` section Pulumi.yaml must carry. */
export function projectConfigSchema(): Record<string, ProjectConfigDeclaration> {
  const schema: Record<string, ProjectConfigDeclaration> = {};
  for (const k of CONFIG_KEYS) {
    if (k.undeclared) continue;
    schema[k.key] = {
      type: k.type,
      description: k.description,
      ...(k.type === 'array' ? { items: { type: 'string' as const } } : {}),
      ...(k.default !== undefined ? { default: k.default } : {}),
      ...(k.secret ? { secret: true as const } : {}),
    };
  }
  return schema;
}

/** The config reference table of infra/README.md (between its config-reference markers). */
export function configReferenceMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const defaultOf = (k: ConfigKey) => {
    if (k.secret) return 'secret';
    if (k.default === undefined) return '**required**';
    if (Array.isArray(k.default))
      return k.default.length === 0 ? '(none)' : k.default.map((v) => `\`${v}\``).join(', ');
    return k.default === '' ? '(none)' : `\`${String(k.default)}\``;
  };
  const rows = CONFIG_KEYS.map(
    (k) =>
      `| \`${k.key}\` | ${k.type} | ${defaultOf(k)} | ${cell(k.description)} | ${k.env ? `\`${k.env.name}\` (${k.env.handlers.join(', ')})` : ''} |`,
  );
  return ['| Key | Type | Default | What | Lambda environment |', '| --- | --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/** Provider config `pulumi new` also asks for (the project table holds only the project's own keys). */
export const PROVIDER_PROMPTS: readonly {
  readonly key: string;
  readonly description: string;
  readonly default: string;
}[] = [
  {
    key: 'aws:region',
    description: 'AWS region of the stack (the custom domain certificate, if any, must be in it).',
    default: 'us-east-1',
  },
];

/** One `pulumi new` prompt (Pulumi.yaml `template.config.<key>`); Pulumi takes template defaults as strings. */
export interface TemplatePrompt {
  readonly description: string;
  readonly default?: string;
  readonly secret?: true;
}

/** The `template:` section of Pulumi.yaml: what `pulumi new <this repository>` asks for and prints. */
export function projectTemplate(): {
  readonly description: string;
  readonly quickstart: string;
  readonly config: Record<string, TemplatePrompt>;
} {
  const config: Record<string, TemplatePrompt> = {};
  for (const { key, description, default: value } of PROVIDER_PROMPTS) config[key] = { description, default: value };
  for (const k of CONFIG_KEYS) {
    if (!k.prompt) continue;
    const value =
      k.default === undefined || k.default === '' || Array.isArray(k.default) ? undefined : String(k.default);
    config[k.key] = {
      description: k.description,
      ...(value !== undefined ? { default: value } : {}),
      ...(k.secret ? { secret: true as const } : {}),
    };
  }
  return {
    description:
      'A Voice AI agent in a Twilio Conference on AWS: API Gateway + Lambda answer your Twilio number, put the caller in a conference and dial your agent in.',
    quickstart:
      'Next: npm ci, then pulumi preview --policy-pack policy (the Auth Token is stored encrypted in the stack file: commit it). The whole path: docs/deploy.md (then npm run verify -- --stack <name> places a real test call).',
    config,
  };
}
