/**
 * The stack's canary on the sandbox: the built bundle (dist/canary) in a Lambda container with the environment the
 * Pulumi program gives it (infra/canary-plan.ts, from the sandbox's stack settings with `canarySchedule` set), its
 * secrets read from the sandbox's Secrets Manager by ARN, its Twilio requests sent to the emulator. Invoke it with
 * a schedule's input, as EventBridge Scheduler does.
 */
import * as path from 'node:path';
import { CANARY_FUNCTION, CANARY_TIMEOUT_SECONDS, canaryEnvironment } from '../infra/canary-plan';
import { ENV } from '../lambdas/shared/config';
import { LambdaContainer } from './api-gateway/lambda-container';
import type { Sandbox } from './index';

const ROOT = path.resolve(__dirname, '..');

/**
 * Starts the canary of a sandbox started with `secretsManager: true` and a `canarySchedule` in its config;
 * `overrides` replace variables of its environment (a fault, a lower cap).
 */
export function startCanary(
  sandbox: Sandbox,
  options: {
    readonly codeDir?: string;
    readonly overrides?: Readonly<Record<string, string>>;
    readonly onLog?: (functionName: string, line: string) => void;
  } = {},
): LambdaContainer {
  const { settings, secretsManager } = sandbox;
  if (!settings.canary) throw new Error('start the sandbox with config canarySchedule to run its canary');
  if (!secretsManager) throw new Error('start the sandbox with secretsManager: true: the canary reads secrets by ARN');
  const environment: Record<string, string> = {
    ...canaryEnvironment(
      settings.canary.environment,
      { apiBaseUrl: sandbox.apiBaseUrl, twimlAppSid: sandbox.twimlAppSid },
      {
        twilioAuthToken: secretsManager.twilioAuthTokenArn,
        participantsApiToken: secretsManager.participantsApiTokenArn,
      },
      settings.usesApiKey,
    ),
    ...secretsManager.store.functionEnvironment(),
    [ENV.apiBaseUrl]: sandbox.twilio.baseUrl,
    TZ: 'UTC',
    ...options.overrides,
  };
  return new LambdaContainer(
    `${settings.service}-${CANARY_FUNCTION}`,
    path.join(options.codeDir ?? path.join(ROOT, 'dist'), CANARY_FUNCTION, 'index.js'),
    environment,
    CANARY_TIMEOUT_SECONDS * 1000,
    options.onLog,
  );
}

/** The input EventBridge Scheduler gives the canary (CANARY_SCHEDULE_INPUT with its context attributes filled). */
export function scheduledEvent(at: Date = new Date()): Readonly<Record<string, string>> {
  return { scheduledTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), executionId: `sandbox-${at.getTime()}` };
}
