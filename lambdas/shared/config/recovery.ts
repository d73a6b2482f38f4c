/**
 * What happens when the caller would otherwise be left alone: how often the agent is tried again, who is dialled
 * next, and what the caller hears before the call ends on purpose.
 */
import { isAllowedTarget, dialTargetKind } from '../dial-target';
import { CONFIG_DEFAULTS } from './defaults';
import { ConfigError, type Env, integer, optional, url } from './read';

export const RECOVERY_ENV = {
  agentRetries: 'AGENT_RETRIES',
  fallbackTarget: 'FALLBACK_TARGET',
  fallbackMessage: 'FALLBACK_MESSAGE',
  fallbackVoicemailUrl: 'FALLBACK_VOICEMAIL_URL',
} as const;

/** The recovery ladder of a call: the agent again, then a fallback target, then a message and hang-up. */
export interface RecoveryConfig {
  /** How many more times the agent is dialled (with the same context) after its leg failed or dropped. */
  readonly agentRetries: number;
  /** Who is dialled once the agent cannot be reached (a number, SIP URI or Client identity on the allow-list). */
  readonly fallbackTarget?: string;
  /** What the caller hears before the stack hangs up, when nobody can take the call. */
  readonly fallbackMessage: string;
  /** TwiML the caller is sent to instead of the message (e.g. a voicemail recorder). */
  readonly fallbackVoicemailUrl?: string;
}

/**
 * Reads the recovery settings; the fallback target must be a dial target on `allowedTargets` (the same list the
 * participants API enforces), so a typo fails at deployment, not on a caller.
 */
export function readRecoveryConfig(env: Env, allowedTargets: readonly string[]): RecoveryConfig {
  const E = RECOVERY_ENV;
  const fallbackTarget = optional(env, E.fallbackTarget);
  if (fallbackTarget !== undefined) {
    if (dialTargetKind(fallbackTarget) === undefined)
      throw new ConfigError(E.fallbackTarget, 'must be an E.164 number, a sip: URI or a client: identity');
    if (!isAllowedTarget(allowedTargets, fallbackTarget))
      throw new ConfigError(E.fallbackTarget, 'must match ALLOWED_DIAL_TARGETS');
  }
  const fallbackMessage = optional(env, E.fallbackMessage) ?? CONFIG_DEFAULTS.fallbackMessage;
  if (fallbackMessage.length > 1000) throw new ConfigError(E.fallbackMessage, 'must be at most 1000 characters');
  return {
    agentRetries: integer(env, E.agentRetries, CONFIG_DEFAULTS.agentRetries, 0, 5),
    fallbackTarget,
    fallbackMessage,
    fallbackVoicemailUrl: url(env, E.fallbackVoicemailUrl, ['https:', 'http:'], false),
  };
}
