/**
 * Per-function deployment settings: timeouts, whether Twilio calls it, and which secrets it may read. Pure, so
 * the policy limits (Twilio's 15 s webhook window, least-privilege secrets) are table-tested.
 */
import type { HandlerName } from '../lambdas/routes';
import { ENV } from '../lambdas/shared/config';

/** The secrets the stack stores. */
export type SecretName = 'twilioAuthToken' | 'twilioApiKeySecret' | 'participantsApiToken';

/** The environment variable that carries each secret's ARN. */
export const SECRET_ARN_ENV: Readonly<Record<SecretName, string>> = {
  twilioAuthToken: ENV.authTokenSecretArn,
  twilioApiKeySecret: ENV.apiKeySecretArn,
  participantsApiToken: ENV.apiTokenSecretArn,
};

/** How one function is deployed. */
export interface FunctionSpec {
  readonly description: string;
  readonly timeoutSeconds: number;
  /** Twilio calls it and waits at most 15 s for an answer. */
  readonly twilioFacing: boolean;
  /** Secrets it reads (the API key secret only when the stack uses an API key). */
  readonly secrets: readonly SecretName[];
}

/** Deployment settings of every handler. */
export const FUNCTION_SPECS: Readonly<Record<HandlerName, FunctionSpec>> = {
  // Signature check + TwiML: milliseconds of work; a short timeout frees Twilio to use the fallback URL.
  inbound: {
    description: 'Voice webhook of the phone number: puts the caller into a conference',
    timeoutSeconds: 5,
    twilioFacing: true,
    secrets: ['twilioAuthToken'],
  },
  agent: {
    description: 'TwiML App voice URL: connects the AI agent with its context',
    timeoutSeconds: 5,
    twilioFacing: true,
    secrets: ['twilioAuthToken'],
  },
  // Adds the agent through the REST API with retries inside an 8 s budget: still well inside Twilio's 15 s.
  events: {
    description: 'Conference status callbacks: adds the AI agent when the caller joins',
    timeoutSeconds: 12,
    twilioFacing: true,
    secrets: ['twilioAuthToken', 'twilioApiKeySecret'],
  },
  // Called by users through API Gateway (30 s integration limit); a warm transfer makes several REST calls.
  participants: {
    description: 'Participants API: add agents and humans, hold, remove, transfer',
    timeoutSeconds: 20,
    twilioFacing: false,
    secrets: ['twilioAuthToken', 'twilioApiKeySecret', 'participantsApiToken'],
  },
};

/** The secrets a function reads in this stack. */
export function secretsOf(handler: HandlerName, usesApiKey: boolean): SecretName[] {
  return FUNCTION_SPECS[handler].secrets.filter((s) => s !== 'twilioApiKeySecret' || usesApiKey);
}

/** `<prefix>-<stack>-<part>`: every physical name carries the stack so stacks can share an account. */
export function physicalName(prefix: string, stack: string, part: string): string {
  return `${prefix}-${stack}-${part}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}
