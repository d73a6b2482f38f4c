/**
 * What setup says and does, decided without I/O: the `pulumi config set` commands (as argv and as shell lines),
 * the description of what adopting the number changes, and the one-line reports of a failed check.
 */
import { credentialSources } from '../../infra/twilio/credentials';
import { describeTwilioFailure } from '../../infra/twilio/errors';
import { desiredVoiceSettings, type NumberVoiceSettings } from '../../infra/twilio/settings';
import { webhookUrls } from '../../infra/urls';
import { TWILIO_PATHS } from '../../lambdas/routes';
import { isTwilioFailure } from '../../lambdas/shared/errors';
import type { SetupInput } from './input';

/** One `pulumi config set`: a plain value as an argument, or a secret read from an environment variable. */
export type ConfigEntry =
  | { readonly key: string; readonly value: string; readonly secret?: undefined }
  | { readonly key: string; readonly secret: true; readonly fromEnv: string };

/**
 * The stack config setup writes, in order. Secrets are named by the environment variable that holds them, so the
 * plan (and anything that prints it) never holds a secret value.
 */
export function configPlan(input: SetupInput & { readonly phoneNumber: string }): ConfigEntry[] {
  const sources = credentialSources();
  const entries: ConfigEntry[] = [
    { key: sources.accountSid.config, value: input.authToken.accountSid },
    { key: sources.authToken.config, secret: true, fromEnv: sources.authToken.env },
  ];
  if (input.apiKey) {
    entries.push(
      { key: sources.apiKeySid.config, value: input.apiKey.username },
      { key: sources.apiKeySecret.config, secret: true, fromEnv: sources.apiKeySecret.env },
    );
  }
  entries.push({ key: 'phoneNumber', value: input.phoneNumber });
  if (input.agentMode) entries.push({ key: 'agentMode', value: input.agentMode });
  if (input.agentStreamUrl) entries.push({ key: 'agentStreamUrl', value: input.agentStreamUrl });
  if (input.awsRegion) entries.push({ key: 'aws:region', value: input.awsRegion });
  return entries;
}

/** The pulumi arguments of one entry: a secret's value is not among them (pulumi reads it from stdin). */
export function pulumiArgs(entry: ConfigEntry, stack: string): string[] {
  return entry.secret
    ? ['config', 'set', '--secret', entry.key, '--stack', stack]
    : ['config', 'set', entry.key, entry.value, '--stack', stack];
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_+.,:/@%=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The shell line a person can run for one entry: a secret is piped from its environment variable by name. */
export function shellCommand(entry: ConfigEntry, stack: string): string {
  const command = ['pulumi', ...pulumiArgs(entry, stack)].map(shellWord).join(' ');
  return entry.secret ? `printf %s "$${entry.fromEnv}" | ${command}` : command;
}

/** An incoming number as setup found it. */
export interface FoundNumber {
  readonly sid: string;
  readonly phoneNumber: string;
  readonly friendlyName: string;
  readonly settings: NumberVoiceSettings;
}

/** The TwiML App bound to the number, as far as Twilio told (a fetch may fail: then only its SID). */
export interface BoundApp {
  readonly sid: string;
  readonly friendlyName?: string;
  readonly voiceUrl?: string;
}

/** Where the stack's webhooks will be, before the stack exists. */
const STACK_URL = '<stack URL>';

function webhook(url: string, method: string): string {
  if (url === '') return '(none)';
  return method ? `${url} (${method})` : url;
}

/**
 * What `pulumi up` changes on the number and `pulumi destroy` puts back, one line each: what the number has now
 * against what the phone number provider applies (`desiredVoiceSettings`, the provider's own rule).
 */
export function describeAdoption(number: FoundNumber, stack: string, app?: BoundApp): string[] {
  const urls = webhookUrls(STACK_URL);
  const now = number.settings;
  const wanted = desiredVoiceSettings({
    phoneNumber: number.phoneNumber,
    voiceUrl: urls.inbound,
    voiceMethod: 'POST',
    voiceFallbackUrl: urls.agentFallback,
    voiceFallbackMethod: 'POST',
  });
  const row = (what: string, from: string, to: string) => `  ${what.padEnd(14)}${from}  ->  ${to}`;
  const lines = [
    `pulumi up --stack ${stack} adopts ${number.phoneNumber} and changes its voice configuration; pulumi destroy --stack ${stack} puts back what it has now:`,
    row('voice URL', webhook(now.voiceUrl, now.voiceMethod), webhook(wanted.voiceUrl, wanted.voiceMethod)),
    row(
      'fallback URL',
      webhook(now.voiceFallbackUrl, now.voiceFallbackMethod),
      webhook(wanted.voiceFallbackUrl, wanted.voiceFallbackMethod),
    ),
  ];
  if (now.voiceApplicationSid !== '') {
    const name = app?.friendlyName ? ` "${app.friendlyName}"` : '';
    const url = app?.voiceUrl ? ` (its Voice URL ${app.voiceUrl})` : '';
    lines.push(
      row(
        'TwiML App',
        `${now.voiceApplicationSid}${name} answers its calls now${url}`,
        wanted.voiceApplicationSid || 'none: the voice URL answers',
      ),
    );
  }
  if (now.trunkSid !== '')
    lines.push(
      row('SIP trunk', `${now.trunkSid} takes its calls now`, wanted.trunkSid || 'none: the voice URL answers'),
    );
  if (now.voiceUrl.endsWith(TWILIO_PATHS.inbound)) {
    lines.push(
      `  Note: its voice URL is already a deployment's inbound webhook. If another stack manages this number, the two undo each other on destroy: give each stack its own number.`,
    );
  }
  lines.push(`  The number stays in the account: the stack never buys or releases a number.`);
  return lines;
}

function numberList(numbers: readonly string[], max = 10): string {
  if (numbers.length === 0) return 'none (buy or port one in Twilio first: the stack adopts a number, never buys one)';
  const shown = numbers.slice(0, max).join(', ');
  return numbers.length > max ? `${shown} and ${numbers.length - max} more` : shown;
}

/** The report when no --phone-number was given. */
export function noNumberGiven(accountSid: string, voiceNumbers: readonly string[]): string {
  return `--phone-number is required: the voice-capable numbers of ${accountSid} are ${numberList(voiceNumbers)}`;
}

/** The report when the account does not own the number. */
export function numberNotOwned(phoneNumber: string, accountSid: string, voiceNumbers: readonly string[]): string {
  return `${phoneNumber} is not a number of ${accountSid}; its voice-capable numbers: ${numberList(voiceNumbers)}`;
}

/** The report when the account owns the number but it cannot take calls. */
export function numberNotVoiceCapable(
  phoneNumber: string,
  accountSid: string,
  voiceNumbers: readonly string[],
): string {
  return `${phoneNumber} is a number of ${accountSid} but cannot take voice calls; its voice-capable numbers: ${numberList(voiceNumbers)}`;
}

/** Which credential a Twilio request was made with: named by its environment variables, never shown. */
export type CredentialKind = 'auth-token' | 'api-key';

/** One line for a failed Twilio request; a refused credential is named by the variables that hold it. */
export function twilioFailureLine(operation: string, error: unknown, credential: CredentialKind): string {
  if (isTwilioFailure(error) && (error.status === 401 || error.status === 403)) {
    const sources = credentialSources();
    const variables =
      credential === 'api-key'
        ? `${sources.apiKeySid.env} and ${sources.apiKeySecret.env} (a key of that account, made in its region)`
        : `${sources.accountSid.env} and ${sources.authToken.env}`;
    const code = error.code ? `, code ${error.code}` : '';
    return `Twilio refused the credentials (HTTP ${error.status}${code}) while ${operation}: check ${variables}`;
  }
  return describeTwilioFailure(operation, error).message;
}

/**
 * Whether `pulumi stack ls --json` lists `stack`. It may list short names (`dev`) or qualified ones
 * (`my-org/dev`, `my-org/my-project/dev`): the names match, and so do organizations where both give one.
 */
export function stackListed(list: unknown, stack: string): boolean {
  if (!Array.isArray(list)) return false;
  const wanted = stack.split('/');
  return list.some((entry) => {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return false;
    const listed = name.split('/');
    if (listed[listed.length - 1] !== wanted[wanted.length - 1]) return false;
    if (wanted.length > 1 && listed.length > 1 && listed[0] !== wanted[0]) return false;
    if (wanted.length === 3 && listed.length === 3 && listed[1] !== wanted[1]) return false;
    return true;
  });
}
