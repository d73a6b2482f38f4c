/**
 * The stack's CloudWatch dashboard (body decided in infra/dashboard-plan.ts), named `<prefix>-<stack>-dashboard`.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { dashboardBody } from './dashboard-plan';
import { type DeployedFunction, LIVE_ALIAS } from './functions-builder';
import type { BuildScope } from './scope';

/** Declares the dashboard of the functions and the API. */
export function buildDashboard(
  scope: BuildScope,
  functions: readonly DeployedFunction[],
  api: aws.apigatewayv2.Api,
): aws.cloudwatch.Dashboard {
  const names = pulumi.all(functions.map((f) => f.function.name));
  return new aws.cloudwatch.Dashboard(
    scope.name('dashboard'),
    {
      dashboardName: scope.name('dashboard'),
      dashboardBody: pulumi.all([api.id, names]).apply(([apiId, functionNames]) =>
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
          }),
        ),
      ),
    },
    scope.opts,
  );
}
