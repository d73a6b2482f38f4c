/**
 * The HTTP API: the API itself (created first: its endpoint is in the webhook URLs the functions get), then per
 * function an AWS_PROXY integration, per planned route the route and the permission to invoke its function for
 * that route only, and the `$default` stage (each route its own throttling bucket) with access logs. What it is
 * made of is decided in infra/api-plan.ts.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  ACCESS_LOG_FORMAT,
  defaultRouteSettings,
  INTEGRATION_TIMEOUT_MS,
  permissionSourcePath,
  permissionStatementId,
  routePlan,
  routeThrottles,
} from './api-plan';
import type { DeployedFunction } from './functions-builder';
import type { FunctionName } from './layout';
import type { BuildScope } from './scope';

/** Declares the HTTP API (no routes yet). */
export function buildApi(scope: BuildScope): aws.apigatewayv2.Api {
  return new aws.apigatewayv2.Api(
    scope.name('api'),
    {
      name: scope.name('api'),
      protocolType: 'HTTP',
      description: `Voice AI conference webhooks and participants API (${scope.settings.stack})`,
      tags: scope.tags,
    },
    scope.opts,
  );
}

/** Declares integrations, permissions, routes and the stage; returns the stage (serving once it exists). */
export function buildRoutes(
  scope: BuildScope,
  api: aws.apigatewayv2.Api,
  functions: readonly DeployedFunction[],
): aws.apigatewayv2.Stage {
  const { settings, tags, opts } = scope;
  const deployed = new Map<FunctionName, DeployedFunction>(functions.map((f) => [f.planned.name, f]));
  const integrations = new Map<FunctionName, aws.apigatewayv2.Integration>();
  for (const { planned, target } of functions) {
    integrations.set(
      planned.name,
      new aws.apigatewayv2.Integration(
        scope.name(planned.name),
        {
          apiId: api.id,
          integrationType: 'AWS_PROXY',
          integrationMethod: 'POST',
          integrationUri: target.arn,
          payloadFormatVersion: '2.0',
          timeoutMilliseconds: INTEGRATION_TIMEOUT_MS,
        },
        opts,
      ),
    );
  }
  const planned = routePlan(settings.functionLayout);
  const routes = planned.map((route) => {
    const fn = deployed.get(route.function)!;
    // API Gateway may invoke the function (the alias it integrates with, when there is one) for this route only.
    new aws.lambda.Permission(
      scope.name(route.part),
      {
        action: 'lambda:InvokeFunction',
        function: fn.function.name,
        ...(fn.target.qualifier ? { qualifier: fn.target.qualifier } : {}),
        principal: 'apigateway.amazonaws.com',
        sourceArn: pulumi.interpolate`${api.executionArn}${permissionSourcePath(route.route)}`,
        statementId: permissionStatementId(route),
      },
      opts,
    );
    return new aws.apigatewayv2.Route(
      scope.name(route.part),
      {
        apiId: api.id,
        routeKey: route.routeKey,
        target: pulumi.interpolate`integrations/${integrations.get(route.function)!.id}`,
        authorizationType: 'NONE',
      },
      opts,
    );
  });
  const accessLogs = new aws.cloudwatch.LogGroup(
    scope.name('api-access'),
    { name: `/aws/apigateway/${scope.name('api')}`, retentionInDays: settings.logRetentionDays, tags },
    opts,
  );
  return new aws.apigatewayv2.Stage(
    scope.name('default'),
    {
      apiId: api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: defaultRouteSettings(settings.throttling),
      routeSettings: routeThrottles(settings.throttling, planned),
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      tags,
    },
    { ...opts, dependsOn: routes },
  );
}
