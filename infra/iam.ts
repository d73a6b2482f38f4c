/**
 * IAM policy documents of the functions, built from concrete ARNs only: each function may write to its own log
 * group and read exactly the secrets it uses. Pure, so tests assert there is no wildcard resource.
 */

/** An IAM policy statement. */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** Lets the Lambda service assume the function's role. */
export const LAMBDA_ASSUME_ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
} as const;

/**
 * The function's permissions: log streams of its own group (created by the stack, so no CreateLogGroup) and
 * GetSecretValue on its secrets.
 */
export function functionPolicy(logGroupArn: string, secretArns: readonly string[]): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [`${logGroupArn}:*`],
    },
  ];
  if (secretArns.length > 0)
    statements.push({
      Sid: 'ReadOwnSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [...secretArns],
    });
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Lets EventBridge Scheduler assume the canary's schedule role, only on behalf of schedules of this account
 * (`aws:SourceAccount`: the confused-deputy guard the Scheduler guide's execution-role example carries).
 */
export function schedulerAssumeRolePolicy(accountId: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  } as const;
}

/** The schedule role's permission: invoke the canary function, nothing else. */
export function invokeFunctionPolicy(functionArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'InvokeCanary', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [functionArn] }],
  };
}
