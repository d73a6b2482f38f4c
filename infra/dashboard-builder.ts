/**
 * The stack's CloudWatch dashboard (body decided in infra/dashboard-plan.ts), named `<prefix>-<stack>-dashboard`.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { HANDLERS, type HandlerName } from '../lambdas/routes';
import { dashboardBody } from './dashboard-plan';
import type { BuildScope } from './scope';

/** Declares the dashboard of the functions and the API. */
export function buildDashboard(
  scope: BuildScope,
  functions: Record<HandlerName, aws.lambda.Function>,
  api: aws.apigatewayv2.Api,
): aws.cloudwatch.Dashboard {
  const names = pulumi.all(HANDLERS.map((h) => functions[h].name));
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
            functionNames: Object.fromEntries(HANDLERS.map((h, i) => [h, functionNames[i]])) as Record<
              HandlerName,
              string
            >,
          }),
        ),
      ),
    },
    scope.opts,
  );
}
