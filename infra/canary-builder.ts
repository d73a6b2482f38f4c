/**
 * The scheduled canary (config `canarySchedule`, decided in infra/canary-plan.ts): its log group, its role (its own
 * log group and exactly the secrets it reads), the function from dist/canary with reserved concurrency 1 and no
 * asynchronous retries, and the EventBridge Scheduler schedule that invokes it through a role of its own (invoke
 * this function only, assumed only on behalf of this account). The alarm is built with the others
 * (alarms-builder.ts), the dashboard row with the dashboard.
 */
import * as path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  accountOfArn,
  CANARY_FUNCTION,
  CANARY_MEMORY_MB,
  CANARY_NO_RETRIES,
  CANARY_SCHEDULE_INPUT,
  CANARY_SCHEDULER_ROLE,
  CANARY_TIMEOUT_SECONDS,
  canaryEnvironment,
  canarySecrets,
} from './canary-plan';
import type { SecretName } from './functions';
import { buildFunctionIdentity } from './function-identity-builder';
import { invokeFunctionPolicy, schedulerAssumeRolePolicy } from './iam';
import type { BuildScope } from './scope';
import type { CanarySettings } from './stack-config';

/** What the canary is built from. */
export interface CanaryInputs {
  readonly canary: CanarySettings;
  /** Folder holding each function's bundle folder (`canary/index.js`). */
  readonly codeDir: string;
  readonly apiBaseUrl: pulumi.Output<string>;
  readonly twimlAppSid: pulumi.Output<string>;
  readonly secretArns: Partial<Record<SecretName, pulumi.Output<string>>>;
  /** What must be in place before the first run: the number pointing at the stack. */
  readonly ready: readonly pulumi.Resource[];
}

/** Declares the canary; returns its function (the dashboard graphs it). */
export function buildCanary(scope: BuildScope, inputs: CanaryInputs): aws.lambda.Function {
  const { settings, tags, opts } = scope;
  const functionName = scope.name(CANARY_FUNCTION);
  const readable = canarySecrets(settings.usesApiKey).map((secret) => {
    const arn = inputs.secretArns[secret];
    if (arn === undefined) throw new Error(`the canary reads ${secret}, which the stack does not store`);
    return arn;
  });
  const { logGroup, role, policy } = buildFunctionIdentity(scope, functionName, readable);
  const fn = new aws.lambda.Function(
    functionName,
    {
      name: functionName,
      description: `Canary: the acceptance call against this stack, on schedule ${inputs.canary.schedule.expression}`,
      runtime: aws.lambda.Runtime.NodeJS22dX,
      architectures: ['arm64'],
      handler: 'index.handler',
      code: new pulumi.asset.FileArchive(path.join(inputs.codeDir, CANARY_FUNCTION)),
      memorySize: CANARY_MEMORY_MB,
      timeout: CANARY_TIMEOUT_SECONDS,
      // One run at a time: a slow run never overlaps the next one (which would double the calls).
      reservedConcurrentExecutions: 1,
      role: role.arn,
      environment: {
        variables: canaryEnvironment<pulumi.Input<string>>(
          inputs.canary.environment,
          { apiBaseUrl: inputs.apiBaseUrl, twimlAppSid: inputs.twimlAppSid },
          inputs.secretArns,
          settings.usesApiKey,
        ),
      },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      tags: {
        ...tags,
        'voiceai:canary': 'true',
        // The policy pack requires an alarm on a production stack's canary (policy/rules.ts).
        'voiceai:release-stage': settings.releaseStage,
        // Not a webhook: its timeout covers a whole test call.
        'voiceai:twilio-facing': 'false',
      },
    },
    { ...opts, dependsOn: [logGroup, policy] },
  );
  new aws.lambda.FunctionEventInvokeConfig(functionName, { functionName: fn.name, ...CANARY_NO_RETRIES }, opts);

  const schedulerRoleName = scope.name(CANARY_SCHEDULER_ROLE);
  const schedulerRole = new aws.iam.Role(
    schedulerRoleName,
    {
      assumeRolePolicy: fn.arn.apply((arn) => JSON.stringify(schedulerAssumeRolePolicy(accountOfArn(arn)))),
      description: `EventBridge Scheduler invokes ${functionName}`,
      tags,
    },
    opts,
  );
  const invoke = new aws.iam.RolePolicy(
    schedulerRoleName,
    { role: schedulerRole.id, policy: fn.arn.apply((arn) => JSON.stringify(invokeFunctionPolicy(arn))) },
    opts,
  );
  new aws.scheduler.Schedule(
    functionName,
    {
      name: functionName,
      description: `Runs ${functionName}: a real test call to the stack's number`,
      scheduleExpression: inputs.canary.schedule.expression,
      // Runs at its times, not anywhere in a window: one run per alarm period.
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fn.arn,
        roleArn: schedulerRole.arn,
        input: CANARY_SCHEDULE_INPUT,
        retryPolicy: { ...CANARY_NO_RETRIES },
      },
    },
    { ...opts, dependsOn: [invoke, ...inputs.ready] },
  );
  return fn;
}
