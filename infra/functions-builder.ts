/**
 * The Lambda functions of the stack's function layout (infra/layout.ts): per function a log group, a role with its
 * least-privilege inline policy, the function from its esbuild bundle folder, and, with provisioned concurrency, a
 * published version behind the alias API Gateway invokes. What each function gets is decided in infra/functions.ts
 * and infra/layout.ts.
 */
import * as path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { functionEnvironment, readableSecrets, type SecretName } from './functions';
import { buildFunctionIdentity } from './function-identity-builder';
import { configuredEnvironment, functionPlan, type PlannedFunction } from './layout';
import type { BuildScope } from './scope';

/** What the functions are built from. */
export interface FunctionInputs {
  /** Folder holding each function's bundle folder (`<function>/index.js`). */
  readonly codeDir: string;
  readonly secretArns: Partial<Record<SecretName, pulumi.Output<string>>>;
  readonly twimlAppSid: pulumi.Output<string>;
}

/** The alias API Gateway invokes when a function has provisioned concurrency. */
export const LIVE_ALIAS = 'live';

/** One deployed function and what API Gateway invokes of it. */
export interface DeployedFunction {
  readonly planned: PlannedFunction;
  readonly function: aws.lambda.Function;
  /**
   * The ARN the API integration invokes and the qualifier its permissions name: the `live` alias (the version with
   * provisioned concurrency) when there is one, else the function itself (`$LATEST`).
   */
  readonly target: { readonly arn: pulumi.Output<string>; readonly qualifier?: pulumi.Output<string> };
}

/** Declares every function of the stack's layout, in plan order. */
export function buildFunctions(scope: BuildScope, inputs: FunctionInputs): DeployedFunction[] {
  const { settings, tags, opts } = scope;
  return functionPlan(settings.functionLayout).map((planned) => {
    const { spec } = planned;
    const functionName = scope.name(planned.name);
    const readable = readableSecrets(planned, settings.usesApiKey, inputs.secretArns).map(([, arn]) => arn);
    const { logGroup, role, policy } = buildFunctionIdentity(scope, functionName, readable);
    const provisioned = spec.twilioFacing ? settings.provisionedConcurrency : 0;
    const fn = new aws.lambda.Function(
      functionName,
      {
        name: functionName,
        description: spec.description,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.FileArchive(path.join(inputs.codeDir, planned.name)),
        memorySize: settings.lambdaMemoryMb,
        timeout: spec.timeoutSeconds,
        role: role.arn,
        // Provisioned concurrency needs a version: each code or configuration change publishes one.
        ...(provisioned > 0 ? { publish: true } : {}),
        environment: {
          variables: functionEnvironment<pulumi.Input<string>>(
            planned,
            configuredEnvironment(planned, settings.environment),
            inputs.secretArns,
            settings.usesApiKey,
            inputs.twimlAppSid,
          ),
        },
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
        tags: {
          ...tags,
          'voiceai:handler': planned.handlers.join(' '),
          'voiceai:twilio-facing': String(spec.twilioFacing),
        },
      },
      { ...opts, dependsOn: [logGroup, policy] },
    );
    if (provisioned === 0) return { planned, function: fn, target: { arn: fn.arn } };
    const alias = new aws.lambda.Alias(
      functionName,
      {
        functionName: fn.name,
        functionVersion: fn.version,
        name: LIVE_ALIAS,
        description: `The version of ${functionName} API Gateway invokes, kept warm by provisioned concurrency`,
      },
      opts,
    );
    new aws.lambda.ProvisionedConcurrencyConfig(
      functionName,
      { functionName: fn.name, qualifier: alias.name, provisionedConcurrentExecutions: provisioned },
      opts,
    );
    return { planned, function: fn, target: { arn: alias.arn, qualifier: alias.name } };
  });
}
