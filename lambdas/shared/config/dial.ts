/** How the agent (and humans) are dialled into conferences: the App, the From number, labels, timeouts, retries. */
import { readCallerLabel } from './conference';
import { isE164, isSid, isTwilioLabel } from '../identifiers';
import { CONFIG_DEFAULTS } from './defaults';
import { bool, type Env, integer, LABEL_WHAT, list, matching } from './read';

export const DIAL_ENV = {
  twimlAppSid: 'TWIML_APP_SID',
  agentFromNumber: 'AGENT_FROM_NUMBER',
  agentLabel: 'AGENT_LABEL',
  agentAutoAdd: 'AGENT_AUTO_ADD',
  agentJoinTimeout: 'AGENT_JOIN_TIMEOUT_SECONDS',
  retryBudgetMs: 'TWILIO_RETRY_BUDGET_MS',
  allowedTargets: 'ALLOWED_DIAL_TARGETS',
} as const;

/** How the agent (and humans) are dialled into conferences. */
export interface DialConfig {
  readonly twimlAppSid: string;
  readonly fromNumber: string;
  readonly agentLabel: string;
  readonly callerLabel: string;
  readonly autoAddAgent: boolean;
  readonly joinTimeoutSeconds: number;
  readonly retryBudgetMs: number;
  /** Glob patterns (`*` = any run of characters) a human transfer target must match. */
  readonly allowedTargets: readonly string[];
}

/** Reads the TwiML App the agent is dialled through. */
export function readTwimlAppSid(env: Env): string {
  return matching(env, DIAL_ENV.twimlAppSid, (v) => isSid('AP', v), 'a TwiML App SID (AP followed by 32 hex digits)');
}

/** Reads the agent's participant label (the dialling handlers set it; the canary looks for it). */
export function readAgentLabel(env: Env): string {
  return matching(env, DIAL_ENV.agentLabel, isTwilioLabel, LABEL_WHAT, CONFIG_DEFAULTS.agentLabel);
}

/** Reads how participants are dialled into conferences. */
export function readDialConfig(env: Env): DialConfig {
  const E = DIAL_ENV;
  return {
    twimlAppSid: readTwimlAppSid(env),
    fromNumber: matching(env, E.agentFromNumber, isE164, 'an E.164 phone number such as +15551234567'),
    agentLabel: readAgentLabel(env),
    callerLabel: readCallerLabel(env),
    autoAddAgent: bool(env, E.agentAutoAdd, CONFIG_DEFAULTS.agentAutoAdd),
    joinTimeoutSeconds: integer(env, E.agentJoinTimeout, CONFIG_DEFAULTS.agentJoinTimeoutSeconds, 5, 600),
    retryBudgetMs: integer(env, E.retryBudgetMs, CONFIG_DEFAULTS.twilioRetryBudgetMs, 0, 25000),
    allowedTargets: list(env, E.allowedTargets, CONFIG_DEFAULTS.allowedDialTargets),
  };
}
