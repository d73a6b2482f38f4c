/**
 * The Lambda functions: per handler a log group, a role with its least-privilege inline policy, and the function
 * from its esbuild bundle. What each function gets is decided in infra/functions.ts.
 */
import * as path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { HANDLERS, type HandlerName } from '../lambdas/routes';
import { FUNCTION_SPECS, functionEnvironment, readableSecrets, type SecretName } from './functions';
import { functionPolicy, LAMBDA_ASSUME_ROLE_POLICY } from './iam';
import type { BuildScope } from './scope';

/** What the functions are built from. */
export interface FunctionInputs {
  /** Folder holding `<handler>/index.js` bundles. */
  readonly codeDir: string;
  readonly secretArns: Partial<Record<SecretName, pulumi.Output<string>>>;
  readonly twimlAppSid: pulumi.Output<string>;
}

/** Declares every handler's function. */
export function buildFunctions(scope: BuildScope, inputs: FunctionInputs): Record<HandlerName, aws.lambda.Function> {
  const { settings, tags, opts } = scope;
  const functions = {} as Record<HandlerName, aws.lambda.Function>;
  for (const handler of HANDLERS) {
    const spec = FUNCTION_SPECS[handler];
    const functionName = scope.name(handler);
    const logGroup = new aws.cloudwatch.LogGroup(
      functionName,
      { name: `/aws/lambda/${functionName}`, retentionInDays: settings.logRetentionDays, tags },
      opts,
    );
    const role = new aws.iam.Role(
      functionName,
      { assumeRolePolicy: JSON.stringify(LAMBDA_ASSUME_ROLE_POLICY), description: `Runs ${functionName}`, tags },
      opts,
    );
    const readable = readableSecrets(handler, settings.usesApiKey, inputs.secretArns).map(([, arn]) => arn);
    const policy = new aws.iam.RolePolicy(
      functionName,
      {
        role: role.id,
        policy: pulumi
          .all([logGroup.arn, ...readable])
          .apply(([logArn, ...arns]) => JSON.stringify(functionPolicy(logArn, arns))),
      },
      opts,
    );
    functions[handler] = new aws.lambda.Function(
      functionName,
      {
        name: functionName,
        description: spec.description,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.FileArchive(path.join(inputs.codeDir, handler)),
        memorySize: settings.lambdaMemoryMb,
        timeout: spec.timeoutSeconds,
        role: role.arn,
        environment: {
          variables: functionEnvironment<pulumi.Input<string>>(
            handler,
            settings.environment[handler],
            inputs.secretArns,
            settings.usesApiKey,
            inputs.twimlAppSid,
          ),
        },
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
        tags: { ...tags, 'voiceai:handler': handler, 'voiceai:twilio-facing': String(spec.twilioFacing) },
      },
      { ...opts, dependsOn: [logGroup, policy] },
    );
  }
  return functions;
}
