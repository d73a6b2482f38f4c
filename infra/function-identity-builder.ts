/**
 * What every function of the stack gets before the function itself: its log group (`/aws/lambda/<name>`, the
 * stack's retention), its own role, and that role's inline policy (its own log group and exactly the secrets it
 * reads: infra/iam.ts functionPolicy). The handler functions (functions-builder.ts) and the canary
 * (canary-builder.ts) are both declared through it.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { functionPolicy, LAMBDA_ASSUME_ROLE_POLICY } from './iam';
import type { BuildScope } from './scope';

/** A function's log group, role and role policy. */
export interface FunctionIdentity {
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly role: aws.iam.Role;
  readonly policy: aws.iam.RolePolicy;
}

/** Declares the log group, role and policy of the function named `functionName`, reading the `readable` secrets. */
export function buildFunctionIdentity(
  scope: BuildScope,
  functionName: string,
  readable: readonly pulumi.Input<string>[],
): FunctionIdentity {
  const { settings, tags, opts } = scope;
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
  return { logGroup, role, policy };
}
