/**
 * The stack's CloudWatch dashboard (body decided in infra/dashboard-plan.ts), named `<prefix>-<stack>-dashboard`.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { dashboardBody } from './dashboard-plan';
import { type DeployedFunction, LIVE_ALIAS } from './functions-builder';
import type { BuildScope } from './scope';

/** Declares the dashboard of the functions, the API and, when the stack runs one, the canary. */
export function buildDashboard(
  scope: BuildScope,
  functions: readonly DeployedFunction[],
  api: aws.apigatewayv2.Api,
  canaryFunction?: aws.lambda.Function,
): aws.cloudwatch.Dashboard {
  const names = pulumi.all(functions.map((f) => f.function.name));
  const { canary } = scope.settings;
  return new aws.cloudwatch.Dashboard(
    scope.name('dashboard'),
    {
      dashboardName: scope.name('dashboard'),
      dashboardBody: pulumi.all([api.id, names, canaryFunction?.name]).apply(([apiId, functionNames, canaryName]) =>
        JSON.stringify(
          dashboardBody({
            service: scope.settings.service,
            region: aws.config.region ?? 'us-east-1',
            apiId,
            functions: functions.map((f, i) => ({
              part: f.planned.name,
              name: functionNames[i],
              ...(f.target.qualifier ? { provisionedAlias: LIVE_ALIAS } : {}),
            })),
            ...(canary &&
              canaryName && {
                canary: {
                  schedule: canary.schedule.expression,
                  periodSeconds: canary.periodSeconds,
                  functionName: canaryName,
                },
              }),
          }),
        ),
      ),
    },
    scope.opts,
  );
}
