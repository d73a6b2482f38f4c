/**
 * `npm run verify` inputs, pure: the command line, the environment, the stack's outputs (`pulumi stack output
 * --json --show-secrets`) and its config (`pulumi config --json --show-secrets`, for the Twilio credentials), each
 * value parsed once into the typed target of the acceptance call. Flags win over environment variables, which win
 * over the stack's outputs and config. Secrets (the participants API token, Twilio credentials) come from the
 * environment, the outputs or the config only, never from flags (a process list shows flags), and no message
 * carries their values.
 */
import { parseArgs } from 'node:util';
import {
  type AcceptanceTarget,
  type AcceptanceTimes,
  type AgentMode,
  DEFAULT_TIMES,
  timesProblem,
} from '../../lambdas/acceptance/plan';
import { CONFIG_DEFAULTS } from '../../lambdas/shared/config/defaults';
import { isStackReference } from '../../lambdas/shared/identifiers';
import type { TwilioClientOptions } from '../../lambdas/shared/twilio-client';
import { credentialSources, resolveTwilioCredentials } from '../../infra/twilio/credentials';
import { webhookUrls } from '../../infra/urls';

/** The usage text of `npm run verify`. */
export const USAGE = `Usage: npm run verify -- --stack <name> [options]

Places a real test call to the stack's number, follows it through Twilio's records until the AI agent has joined
the conference and held its media, prints each hop, and hangs up every leg it created (also on Ctrl-C). Exits 0
only if every step passed; otherwise names the failed step and its likeliest cause (Twilio's Debugger alerts).
It costs real money: the plan, with its price, is printed before dialling.

The stack's values come from \`pulumi stack output --json --show-secrets --stack <name>\` when the Pulumi CLI is on
PATH, and its Twilio credentials from \`pulumi config --json --show-secrets --stack <name>\` unless the environment
has TWILIO_ACCOUNT_SID; a flag or environment variable gives (or overrides) each one:

  --stack <name>               the Pulumi stack (required)
  --from <E.164>               caller ID of the test call: a number of the account or a verified caller ID
                               (env VERIFY_FROM; default: the stack's own number)
  --phone-number <E.164>       the stack's number (env VERIFY_PHONE_NUMBER; output phoneNumber)
  --api-base-url <url>         the stack's API (env VERIFY_API_BASE_URL; output apiBaseUrl)
  --twiml-app-sid <AP…>        the stack's TwiML App, checked for drift (env VERIFY_TWIML_APP_SID; output twimlAppSid)
  env PARTICIPANTS_API_TOKEN   the participants API token (output participantsApiToken; never a flag)
  env TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET)
                               the Twilio account of the stack (config twilioAccountSid and twilioAuthToken, or
                               twilioApiKeySid and twilioApiKeySecret; never a flag)

  --agent-mode <mode>          stream or conversation-relay: what the agent's minutes cost (default ${CONFIG_DEFAULTS.agentMode})
  --agent-label <label>        the stack's agentLabel (default ${CONFIG_DEFAULTS.agentLabel})
  --caller-label <label>       the stack's callerLabel (default ${CONFIG_DEFAULTS.conferenceCallerLabel})
  --conference-prefix <prefix> the stack's conferenceNamePrefix (default ${CONFIG_DEFAULTS.conferenceNamePrefix})
  --time-limit <s>             TimeLimit of the test call (default ${DEFAULT_TIMES.timeLimitSeconds}; Twilio ends it by then whatever happens here)
  --agent-deadline <s>         the agent must be connected within this (default ${DEFAULT_TIMES.agentDeadlineSeconds})
  --hold <s>                   and stay connected this long (default ${DEFAULT_TIMES.mediaHoldSeconds})
  --summary <file>             also append the outcome, its steps and the hop table to <file> as Markdown
                               (in GitHub Actions: --summary "$GITHUB_STEP_SUMMARY", the job summary)
  --dry-run                    print the plan and its cost, dial nothing
  -h, --help                   print this text
`;

/** The flags as parsed, before the stack's outputs are known. */
export interface VerifyFlags {
  readonly stack: string;
  readonly dryRun: boolean;
  /** A Markdown file the outcome is appended to (the job summary in CI). */
  readonly summary?: string;
  readonly values: Readonly<Record<string, string | undefined>>;
}

/** What the command line asks for. */
export type VerifyCommandLine =
  | { readonly command: 'help' }
  | { readonly command: 'invalid'; readonly problem: string }
  | { readonly command: 'run'; readonly flags: VerifyFlags };

const STRING_FLAGS = [
  'stack',
  'from',
  'phone-number',
  'api-base-url',
  'twiml-app-sid',
  'agent-mode',
  'agent-label',
  'caller-label',
  'conference-prefix',
  'time-limit',
  'agent-deadline',
  'hold',
  'summary',
] as const;

/** Reads the command line (without node and script). */
export function readVerifyCommandLine(args: readonly string[]): VerifyCommandLine {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { command: 'invalid', problem: (error as Error).message };
  }
  if (values.help) return { command: 'help' };
  const stack = values.stack as string | undefined;
  if (!stack) return { command: 'invalid', problem: '--stack <name> is required' };
  if (!isStackReference(stack)) return { command: 'invalid', problem: '--stack must be a Pulumi stack name' };
  const summary = values.summary as string | undefined;
  if (summary !== undefined && summary.trim() === '')
    return { command: 'invalid', problem: '--summary must name a file (is $GITHUB_STEP_SUMMARY set?)' };
  return {
    command: 'run',
    flags: {
      stack,
      dryRun: values['dry-run'] === true,
      ...(summary !== undefined && { summary }),
      values: Object.fromEntries(STRING_FLAGS.map((f) => [f, values[f] as string | undefined])),
    },
  };
}

/** The stack's outputs the acceptance call reads (`pulumi stack output --json --show-secrets`), parsed. */
export interface StackOutputs {
  readonly apiBaseUrl?: string;
  readonly phoneNumber?: string;
  readonly twimlAppSid?: string;
  readonly participantsApiToken?: string;
  readonly webhookUrls?: { readonly inbound: string; readonly agent: string; readonly agentFallback: string };
}

/** Picks the outputs the run needs out of Pulumi's JSON; anything else (or of another shape) is ignored. */
export function readStackOutputs(json: unknown): StackOutputs {
  if (typeof json !== 'object' || json === null) return {};
  const o = json as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const urls = o.webhookUrls as Record<string, unknown> | undefined;
  const inbound = str(urls?.inbound);
  const agent = str(urls?.agent);
  const agentFallback = str(urls?.agentFallback);
  return {
    apiBaseUrl: str(o.apiBaseUrl),
    phoneNumber: str(o.phoneNumber),
    twimlAppSid: str(o.twimlAppSid),
    participantsApiToken: str(o.participantsApiToken),
    ...(inbound && agent && agentFallback && { webhookUrls: { inbound, agent, agentFallback } }),
  };
}

/** The Twilio credentials in the stack's config, by config key (twilioAccountSid, ...), and their namespace. */
export interface StackCredentialConfig {
  /** The project's config namespace (`<project>:twilioAccountSid`), which error messages name. */
  readonly project: string;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Picks the Twilio credentials out of `pulumi config --json --show-secrets` (`{"<project>:<key>": {"value": ...,
 * "secret": ...}}`), in the namespace that holds twilioAccountSid; undefined when there is none, or several.
 * Everything else in the config (other keys, object values) is left alone.
 */
export function readStackCredentialConfig(json: unknown): StackCredentialConfig | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const entries = json as Record<string, unknown>;
  const accountKey = credentialSources().accountSid.config;
  const projects = Object.keys(entries)
    .filter((k) => k.endsWith(`:${accountKey}`))
    .map((k) => k.slice(0, -accountKey.length - 1));
  if (projects.length !== 1) return undefined;
  const [project] = projects;
  const values: Record<string, string> = {};
  for (const { config: key } of Object.values(credentialSources())) {
    const entry = entries[`${project}:${key}`] as { value?: unknown } | undefined;
    if (typeof entry?.value === 'string' && entry.value.trim() !== '') values[key] = entry.value;
  }
  return { project, values };
}

/** Everything a run needs, typed. */
export interface VerifyPlan {
  readonly target: AcceptanceTarget;
  readonly times: AcceptanceTimes;
  readonly twilio: TwilioClientOptions;
  readonly participantsApiToken: string;
  readonly dryRun: boolean;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const APP_SID = /^AP[0-9a-fA-F]{32}$/;
const LABEL = /^[^/]{1,128}$/;
const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Combines flags, environment, outputs and the stack's config into the plan, or lists every problem (each naming
 * where the value comes from, never a secret's value). The Twilio credentials come whole from one place: the
 * environment when it has TWILIO_ACCOUNT_SID, else the stack's config (a key of one account with the SID of
 * another would only fail at Twilio).
 */
export function resolvePlan(
  flags: VerifyFlags,
  env: Readonly<Record<string, string | undefined>>,
  outputs: StackOutputs,
  config?: StackCredentialConfig,
): { plan: VerifyPlan } | { problems: string[] } {
  const problems: string[] = [];
  const pick = (flag: string, envName: string, output?: string) => {
    const value = flags.values[flag] ?? env[envName] ?? output;
    return value?.trim() === '' ? undefined : value?.trim();
  };
  const need = <T>(value: T | undefined, what: string): T | undefined => {
    if (value === undefined) problems.push(`${what} is missing`);
    return value;
  };
  const check = (value: string | undefined, pattern: RegExp, what: string): string | undefined => {
    if (value !== undefined && !pattern.test(value)) problems.push(`${what} must be ${pattern.source}`);
    return value;
  };

  const phoneNumber = check(
    need(
      pick('phone-number', 'VERIFY_PHONE_NUMBER', outputs.phoneNumber),
      'the stack’s number (--phone-number, VERIFY_PHONE_NUMBER or output phoneNumber)',
    ),
    E164,
    'the stack’s number',
  );
  const from = check(pick('from', 'VERIFY_FROM') ?? phoneNumber, E164, '--from');
  const apiBaseUrl = need(
    pick('api-base-url', 'VERIFY_API_BASE_URL', outputs.apiBaseUrl),
    'the API base URL (--api-base-url, VERIFY_API_BASE_URL or output apiBaseUrl)',
  );
  if (apiBaseUrl !== undefined && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(apiBaseUrl))
    problems.push('the API base URL must be an absolute http(s) URL');
  const twimlAppSid = check(
    pick('twiml-app-sid', 'VERIFY_TWIML_APP_SID', outputs.twimlAppSid),
    APP_SID,
    'the TwiML App SID',
  );
  const token = need(
    env.PARTICIPANTS_API_TOKEN?.trim() || outputs.participantsApiToken,
    'the participants API token (env PARTICIPANTS_API_TOKEN or output participantsApiToken)',
  );
  const agentMode = (pick('agent-mode', 'VERIFY_AGENT_MODE') ?? CONFIG_DEFAULTS.agentMode) as AgentMode;
  if (agentMode !== 'stream' && agentMode !== 'conversation-relay')
    problems.push('--agent-mode must be stream or conversation-relay');
  const agentLabel = check(
    pick('agent-label', 'VERIFY_AGENT_LABEL') ?? CONFIG_DEFAULTS.agentLabel,
    LABEL,
    '--agent-label',
  );
  const callerLabel = check(
    pick('caller-label', 'VERIFY_CALLER_LABEL') ?? CONFIG_DEFAULTS.conferenceCallerLabel,
    LABEL,
    '--caller-label',
  );
  const conferencePrefix = check(
    pick('conference-prefix', 'VERIFY_CONFERENCE_PREFIX') ?? CONFIG_DEFAULTS.conferenceNamePrefix,
    PREFIX,
    '--conference-prefix',
  );

  const secondsFlag = (flag: string, fallback: number, min: number, max: number) => {
    const raw = flags.values[flag];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`--${flag} must be a whole number of seconds from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const times: AcceptanceTimes = {
    ...DEFAULT_TIMES,
    // Twilio bills a started minute per leg: past 60 s every leg costs a second minute.
    timeLimitSeconds: secondsFlag('time-limit', DEFAULT_TIMES.timeLimitSeconds, 20, 600),
    agentDeadlineSeconds: secondsFlag('agent-deadline', DEFAULT_TIMES.agentDeadlineSeconds, 5, 300),
    mediaHoldSeconds: secondsFlag('hold', DEFAULT_TIMES.mediaHoldSeconds, 1, 300),
  };
  const timing = timesProblem(times);
  if (timing) problems.push(timing);

  let twilio: TwilioClientOptions | undefined;
  try {
    twilio =
      env.TWILIO_ACCOUNT_SID?.trim() || !config
        ? resolveTwilioCredentials(undefined, env)
        : resolveTwilioCredentials(
            (key) => config.values[key.slice(config.project.length + 1)],
            // Where Twilio's API is (an emulator) is not a credential: the environment may still say it.
            { TWILIO_API_BASE_URL: env.TWILIO_API_BASE_URL },
            config.project,
          );
  } catch (error) {
    problems.push((error as Error).message);
  }

  if (problems.length > 0) return { problems };
  const base = apiBaseUrl!.replace(/\/+$/, '');
  return {
    plan: {
      target: {
        stack: flags.stack,
        phoneNumber: phoneNumber!,
        from: from!,
        apiBaseUrl: base,
        // The outputs' URLs are what the stack gave Twilio; derived ones only when an override or no outputs.
        webhooks:
          flags.values['api-base-url'] || env.VERIFY_API_BASE_URL || !outputs.webhookUrls
            ? webhookUrls(base)
            : outputs.webhookUrls,
        ...(twimlAppSid && { twimlAppSid }),
        conferencePrefix: conferencePrefix!,
        callerLabel: callerLabel!,
        agentLabel: agentLabel!,
        agentMode,
      },
      times,
      twilio: twilio!,
      participantsApiToken: token!,
      dryRun: flags.dryRun,
    },
  };
}
