/**
 * The `npm run setup` command line and environment, read once into typed values. Pure: every rule comes from the
 * module that owns it (the stack name from infra/naming, credentials from infra/twilio/credentials, E.164 from
 * infra/twilio/settings, the agent URL from the agent handler's own config reader).
 */
import { parseArgs } from 'node:util';
import { isStackReference } from '../../lambdas/shared/identifiers';
import { credentialSources, resolveTwilioCredentials, TwilioCredentialsError } from '../../infra/twilio/credentials';
import { E164 } from '../../infra/twilio/settings';
import {
  AGENT_MODES,
  AGENT_TWIML_ENV,
  type AgentMode,
  ConfigError,
  type Env,
  readAgentTwimlConfig,
} from '../../lambdas/shared/config';
import type { TwilioClientOptions } from '../../lambdas/shared/twilio-client';

/** What setup was asked to do, every value checked. */
export interface SetupInput {
  readonly stack: string;
  /** The number to adopt; without it, setup lists the account's voice-capable numbers and stops. */
  readonly phoneNumber?: string;
  readonly agentStreamUrl?: string;
  readonly agentMode?: AgentMode;
  readonly awsRegion?: string;
  /** Only print the pulumi commands; run no pulumi. */
  readonly printOnly: boolean;
  /** The Account SID with its Auth Token, which the stack needs in any case: it signs every webhook. */
  readonly authToken: TwilioClientOptions;
  /** The API key the stack's REST calls use instead, when one is given. */
  readonly apiKey?: TwilioClientOptions;
}

/** The command line read: help, a problem to report, or checked input. */
export type SetupCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly problem: string }
  | { readonly kind: 'setup'; readonly input: SetupInput };

const ENV_NAMES = (() => {
  const sources = credentialSources();
  return {
    accountSid: sources.accountSid.env,
    authToken: sources.authToken.env,
    apiKeySid: sources.apiKeySid.env,
    apiKeySecret: sources.apiKeySecret.env,
    apiBaseUrl: sources.apiBaseUrl.env,
  };
})();

/** The usage text of `npm run setup`. */
export const USAGE = `Usage: npm run setup -- --stack <name> --phone-number <E.164> [options]

Checks your Twilio credentials and phone number against Twilio, says what adopting the number changes (and what
pulumi destroy puts back), then sets the stack's config with pulumi config set. Nothing is written unless every
check passed; secrets are set with --secret and handed to pulumi on stdin, never as arguments.

  --stack <name>           the Pulumi stack to configure (dev, prod, my-org/dev); create it first: pulumi stack init
  --phone-number <E.164>   the number the stack adopts, e.g. +15551234567: a voice-capable number of the account
                           (without it, setup lists the account's voice-capable numbers)
  --agent-url <wss://...>  the AI agent's WebSocket URL (config agentStreamUrl)
  --agent-mode <mode>      ${AGENT_MODES.join(', ')} (config agentMode)
  --aws-region <region>    the stack's AWS region, e.g. us-east-1 (config aws:region)
  --print                  check, then print the pulumi commands instead of running them (no Pulumi CLI needed)
  -h, --help               print this text

Credentials come from the environment only (arguments would show in shell history and ps):
  ${ENV_NAMES.accountSid.padEnd(25)}the Account SID (AC...)
  ${ENV_NAMES.authToken.padEnd(25)}the Auth Token; needed even with an API key: it signs every webhook
  ${ENV_NAMES.apiKeySid.padEnd(25)}optional: an API key (SK...) for the stack's REST calls, with
  ${ENV_NAMES.apiKeySecret.padEnd(25)}its secret
  ${ENV_NAMES.apiBaseUrl.padEnd(25)}optional: another Twilio API base URL (the sandbox's emulator: npm start -- --serve)

Exit status: 0 done (or printed), 1 a check or a pulumi command failed, 2 bad arguments or environment.
`;

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** An organization or project part of a qualified stack name (`my-org/dev`, `my-org/my-project/dev`). */

/** Options whose names suggest someone is passing a credential as an argument. */
const CREDENTIAL_FLAG = /token|secret|password|sid|key/i;

/** One line for a parseArgs failure, never repeating a value (it may be a credential typed by mistake). */
function argumentProblem(error: { code?: string; message: string }): string {
  const option = /'(-{1,2}[^'=\s]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return option && CREDENTIAL_FLAG.test(option)
        ? `${option}: credentials are read from ${ENV_NAMES.accountSid}, ${ENV_NAMES.authToken} (and ${ENV_NAMES.apiKeySid}, ${ENV_NAMES.apiKeySecret}), never from arguments`
        : `unknown option${option ? ` ${option}` : ''} (npm run setup -- --help lists the options)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'setup takes only options (npm run setup -- --help lists them)';
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(error.message)
        ? `${option} takes no value`
        : `${option} needs a value (npm run setup -- --help)`;
    default:
      return error.message.split('\n')[0];
  }
}

function stackProblem(stack: string): string | undefined {
  return isStackReference(stack)
    ? undefined
    : `--stack must be a stack name such as dev or my-org/dev (the name: 1-30 letters, digits, _ . -), got "${stack}"`;
}

function agentUrlProblem(url: string): string | undefined {
  try {
    // The agent handler's own reader: what it would refuse at run time is refused here.
    readAgentTwimlConfig({ [AGENT_TWIML_ENV.agentMode]: 'stream', [AGENT_TWIML_ENV.agentStreamUrl]: url });
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return `--agent-url ${error.message.replace(/^Configuration \S+: /, '')}, got "${url}"`;
  }
}

function credentialsFrom(env: Env): { authToken: TwilioClientOptions; apiKey?: TwilioClientOptions } | string {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  if (!set(ENV_NAMES.accountSid))
    return `${ENV_NAMES.accountSid} is not set: export your Account SID (Twilio Console, Account info); setup reads credentials from the environment only`;
  if (!set(ENV_NAMES.authToken))
    return `${ENV_NAMES.authToken} is not set: export the account's Auth Token (the stack needs it even with an API key: it signs every webhook)`;
  const baseUrl = env[ENV_NAMES.apiBaseUrl]?.trim();
  if (baseUrl) {
    let protocol = '';
    try {
      protocol = new URL(baseUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:')
      return `${ENV_NAMES.apiBaseUrl} must be an http(s) URL such as http://127.0.0.1:4010, got "${baseUrl}"`;
  }
  try {
    const withoutKey = { ...env, [ENV_NAMES.apiKeySid]: undefined, [ENV_NAMES.apiKeySecret]: undefined };
    const authToken = resolveTwilioCredentials(undefined, withoutKey);
    const usesKey = set(ENV_NAMES.apiKeySid) || set(ENV_NAMES.apiKeySecret);
    return usesKey ? { authToken, apiKey: resolveTwilioCredentials(undefined, env) } : { authToken };
  } catch (error) {
    if (error instanceof TwilioCredentialsError) return error.message;
    throw error;
  }
}

/**
 * Reads the command line (without node and script) and the environment.
 * @example readSetupCommand(['--stack', 'dev', '--phone-number', '+15551234567'], process.env)
 */
export function readSetupCommand(args: readonly string[], env: Env): SetupCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: 'string' },
        'phone-number': { type: 'string' },
        'agent-url': { type: 'string' },
        'agent-mode': { type: 'string' },
        'aws-region': { type: 'string' },
        print: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'invalid', problem: argumentProblem(error as { code?: string; message: string }) };
  }
  if (values.help) return { kind: 'help' };
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value.trim() : undefined;
  };
  const invalid = (problem: string): SetupCommand => ({ kind: 'invalid', problem });

  const stack = text('stack');
  if (!stack) return invalid('--stack is required: the Pulumi stack to configure, e.g. --stack dev');
  const badStack = stackProblem(stack);
  if (badStack) return invalid(badStack);
  const phoneNumber = text('phone-number');
  if (phoneNumber !== undefined && !E164.test(phoneNumber))
    return invalid(`--phone-number must be an E.164 number such as +15551234567, got "${phoneNumber}"`);
  const agentMode = text('agent-mode');
  if (agentMode !== undefined && !(AGENT_MODES as readonly string[]).includes(agentMode))
    return invalid(`--agent-mode must be one of ${AGENT_MODES.join(', ')}, got "${agentMode}"`);
  const agentStreamUrl = text('agent-url');
  const badUrl = agentStreamUrl === undefined ? undefined : agentUrlProblem(agentStreamUrl);
  if (badUrl) return invalid(badUrl);
  const awsRegion = text('aws-region');
  if (awsRegion !== undefined && !AWS_REGION.test(awsRegion))
    return invalid(`--aws-region must be an AWS region such as us-east-1, got "${awsRegion}"`);

  const credentials = credentialsFrom(env);
  if (typeof credentials === 'string') return invalid(credentials);
  return {
    kind: 'setup',
    input: {
      stack,
      phoneNumber,
      agentStreamUrl,
      agentMode: agentMode as AgentMode | undefined,
      awsRegion,
      printOnly: values.print === true,
      ...credentials,
    },
  };
}
