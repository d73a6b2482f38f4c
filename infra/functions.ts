/**
 * Per-function deployment settings: timeouts, whether Twilio calls it, and which secrets it may read. Pure, so
 * the policy limits (Twilio's 15 s webhook window, least-privilege secrets) are table-tested.
 */
import type { HandlerName } from '../lambdas/routes';
import { ENV } from '../lambdas/shared/config';
import { DEFAULT_TWILIO_REQUEST_TIMEOUT_MS } from '../lambdas/shared/twilio-transport';

/** The secrets the stack stores. */
export type SecretName = 'twilioAuthToken' | 'twilioApiKeySecret' | 'participantsApiToken';

/** Every secret, in the order policies list them. */
export const SECRET_NAMES: readonly SecretName[] = ['twilioAuthToken', 'twilioApiKeySecret', 'participantsApiToken'];

/** The environment variable that carries each secret's ARN. */
export const SECRET_ARN_ENV: Readonly<Record<SecretName, string>> = {
  twilioAuthToken: ENV.authTokenSecretArn,
  twilioApiKeySecret: ENV.apiKeySecretArn,
  participantsApiToken: ENV.apiTokenSecretArn,
};

/** How one handler is deployed (infra/layout.ts combines them into the functions a layout deploys). */
export interface FunctionSpec {
  readonly description: string;
  readonly timeoutSeconds: number;
  /** Twilio calls it and waits at most 15 s for an answer. */
  readonly twilioFacing: boolean;
  /** It dials legs through Twilio's REST API: it gets the TwiML App SID (and reads the REST credential). */
  readonly dials: boolean;
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
    dials: false,
    secrets: ['twilioAuthToken'],
  },
  agent: {
    description: 'TwiML App voice URL: connects the AI agent with its context',
    timeoutSeconds: 5,
    twilioFacing: true,
    dials: false,
    secrets: ['twilioAuthToken'],
  },
  // Adds the agent through the REST API with retries inside twilioRetryBudgetMs (8 s by default) plus the last
  // request (5 s): 14 s, still inside Twilio's 15 s. maxRetryBudgetMs keeps the budget within it.
  events: {
    description: 'Conference and leg status callbacks, <Connect action>: adds the AI agent, recovers, hands off',
    timeoutSeconds: 14,
    twilioFacing: true,
    dials: true,
    secrets: ['twilioAuthToken', 'twilioApiKeySecret'],
  },
  // Called by users through API Gateway (30 s integration limit); a warm transfer makes several REST calls.
  participants: {
    description: 'Participants API: add agents and humans, hold, remove, transfer',
    timeoutSeconds: 20,
    twilioFacing: false,
    dials: true,
    secrets: ['twilioAuthToken', 'twilioApiKeySecret', 'participantsApiToken'],
  },
};

/** The handlers' Twilio per-request timeout: a retry that starts just inside the budget may still take this long. */
export const TWILIO_REQUEST_TIMEOUT_MS = DEFAULT_TWILIO_REQUEST_TIMEOUT_MS;
/** What a function needs besides retrying: a cold start, the secret fetch, answering. */
export const START_AND_ANSWER_MS = 1000;

/** The largest retry budget `handler` can spend and still answer before its timeout. */
export function maxRetryBudgetMs(handler: HandlerName): number {
  return FUNCTION_SPECS[handler].timeoutSeconds * 1000 - TWILIO_REQUEST_TIMEOUT_MS - START_AND_ANSWER_MS;
}

/** A deployed function as the policies and the environment see it: its name part and its settings. */
export interface DeployedSpec {
  readonly name: string;
  readonly spec: FunctionSpec;
}

/** The secrets a function reads in this stack. */
export function secretsOf(spec: FunctionSpec, usesApiKey: boolean): SecretName[] {
  return spec.secrets.filter((s) => s !== 'twilioApiKeySecret' || usesApiKey);
}

/** The secrets a function reads, each with its ARN; throws when the stack does not store one of them. */
export function readableSecrets<V>(
  fn: DeployedSpec,
  usesApiKey: boolean,
  secretArns: Partial<Record<SecretName, V>>,
): [SecretName, V][] {
  return secretsOf(fn.spec, usesApiKey).map((secret) => {
    const arn = secretArns[secret];
    if (arn === undefined) throw new Error(`${fn.name} reads ${secret}, which the stack does not store`);
    return [secret, arn];
  });
}

/**
 * A function's environment: the non-secret settings from config, the ARN of each secret it reads, and the TwiML
 * App SID for the functions that dial the agent. Generic over the value type so Pulumi outputs pass through.
 */
export function functionEnvironment<V>(
  fn: DeployedSpec,
  configured: Readonly<Record<string, string>>,
  secretArns: Partial<Record<SecretName, V>>,
  usesApiKey: boolean,
  twimlAppSid: V,
): Record<string, string | V> {
  const variables: Record<string, string | V> = { ...configured };
  for (const [secret, arn] of readableSecrets(fn, usesApiKey, secretArns)) variables[SECRET_ARN_ENV[secret]] = arn;
  if (fn.spec.dials) variables[ENV.twimlAppSid] = twimlAppSid;
  return variables;
}
