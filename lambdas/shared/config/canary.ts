/**
 * The scheduled canary (lambdas/canary): the stack it calls (its number, API, TwiML App, conference naming and
 * labels, read under the same variable names the handlers use), the caller ID of its test call, its daily cap, and
 * the two secrets it reads: the Twilio REST credential and the participants API token.
 */
import { AGENT_MODES, AGENT_TWIML_ENV } from './agent-twiml';
import { readApiAuthConfig } from './api-auth';
import { readCallerLabel, readConferenceNamePrefix } from './conference';
import { readAgentLabel, readTwimlAppSid } from './dial';
import { isE164, STACK_NAME } from '../identifiers';
import { CONFIG_DEFAULTS } from './defaults';
import { ConfigError, type Env, integer, isLoopback, matching, oneOf, type SecretSource, url } from './read';
import { readTwilioRestConfig, type TwilioRestConfig } from './twilio';

export const CANARY_ENV = {
  canaryStack: 'CANARY_STACK',
  canaryPhoneNumber: 'CANARY_PHONE_NUMBER',
  canaryFromNumber: 'CANARY_FROM_NUMBER',
  canaryApiBaseUrl: 'CANARY_API_BASE_URL',
  canaryMaxCallsPerDay: 'CANARY_MAX_CALLS_PER_DAY',
} as const;

/** One test call a minute, EventBridge Scheduler's finest precision. */
export const MAX_CANARY_CALLS_PER_DAY = 1440;

/** What the canary checks and with what. */
export interface CanaryConfig {
  /** The Pulumi stack's name, for messages and the test call's sentence. */
  readonly stack: string;
  readonly phoneNumber: string;
  /** The test call's caller ID (the stack's own number unless configured). */
  readonly from: string;
  readonly apiBaseUrl: string;
  readonly twimlAppSid: string;
  readonly conferencePrefix: string;
  readonly callerLabel: string;
  readonly agentLabel: string;
  /** What the agent leg runs: a canary needs an agent that stays on the line (not `play`). */
  readonly agentMode: 'stream' | 'conversation-relay';
  /** Test calls (from `from` to the number) allowed in any 24 hours; the canary skips a run at the cap. */
  readonly maxCallsPerDay: number;
  readonly twilio: TwilioRestConfig;
  readonly apiToken: SecretSource;
}

const E164_WHAT = 'an E.164 phone number such as +15551234567';

/** Reads the canary's settings. */
export function readCanaryConfig(env: Env): CanaryConfig {
  const E = CANARY_ENV;
  const agentMode = oneOf(env, AGENT_TWIML_ENV.agentMode, AGENT_MODES, CONFIG_DEFAULTS.agentMode);
  if (agentMode === 'play')
    throw new ConfigError(
      AGENT_TWIML_ENV.agentMode,
      'must be stream or conversation-relay for the canary: in play mode the agent leg hangs up after its audio, so no run could pass',
    );
  const apiBaseUrl = url(env, E.canaryApiBaseUrl, ['https:', 'http:'], true) as string;
  const parsed = new URL(apiBaseUrl);
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname))
    throw new ConfigError(E.canaryApiBaseUrl, 'must be https (http only for 127.0.0.1 or localhost)');
  const phoneNumber = matching(env, E.canaryPhoneNumber, isE164, E164_WHAT);
  return {
    stack: matching(env, E.canaryStack, (v) => STACK_NAME.test(v), 'a Pulumi stack name'),
    phoneNumber,
    from: matching(env, E.canaryFromNumber, isE164, E164_WHAT, phoneNumber),
    apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
    twimlAppSid: readTwimlAppSid(env),
    conferencePrefix: readConferenceNamePrefix(env),
    callerLabel: readCallerLabel(env),
    agentLabel: readAgentLabel(env),
    agentMode,
    maxCallsPerDay: integer(
      env,
      E.canaryMaxCallsPerDay,
      CONFIG_DEFAULTS.canaryMaxCallsPerDay,
      1,
      MAX_CANARY_CALLS_PER_DAY,
    ),
    twilio: readTwilioRestConfig(env),
    apiToken: readApiAuthConfig(env).token,
  };
}
