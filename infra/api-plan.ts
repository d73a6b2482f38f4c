/**
 * What the HTTP API is made of, decided without Pulumi: which function serves each route, the stage's throttling
 * and its access-log format. infra/api-builder.ts turns this into resources.
 */
import { ROUTES, routeKey, type HandlerName, type RouteDefinition } from '../lambdas/routes';
import { functionServing, type FunctionLayout, type FunctionName } from './layout';
import { routePart } from './naming';
import type { StackSettings, Throttle } from './stack-config';

/** API Gateway's HTTP API integration limit is 30 s; leave headroom for its own overhead. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** One route as the stack declares it. */
export interface PlannedRoute {
  /** Name part of the route's resources. */
  readonly part: string;
  readonly routeKey: string;
  /** The handler module that answers it. */
  readonly handler: HandlerName;
  /** The deployed function that serves it in the stack's layout. */
  readonly function: FunctionName;
  readonly route: RouteDefinition;
}

/** Every route of lambdas/routes.ts with its resource name part, its handler and the function serving it. */
export function routePlan(layout: FunctionLayout, routes: readonly RouteDefinition[] = ROUTES): PlannedRoute[] {
  return routes.map((route) => ({
    part: routePart(route),
    routeKey: routeKey(route),
    handler: route.handler,
    function: functionServing(layout, route.handler).name,
    route,
  }));
}

/** The stage's `defaultRouteSettings`: the webhook limits (every route overrides them with its own bucket). */
export function defaultRouteSettings(throttling: StackSettings['throttling']): {
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
} {
  return bucket(throttling.webhooks);
}

function bucket(throttle: Throttle): { throttlingRateLimit: number; throttlingBurstLimit: number } {
  return { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit };
}

/** One entry of the stage's `routeSettings`. */
export interface RouteThrottle {
  readonly routeKey: string;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
}

/**
 * The stage's `routeSettings`: every route its own token bucket (API Gateway throttles each route with settings
 * separately), Twilio's webhook routes at the webhook limits and the participants API routes at the API limits,
 * so a busy API client can never make Twilio fall back and drop callers.
 */
export function routeThrottles(
  throttling: StackSettings['throttling'],
  planned: readonly PlannedRoute[],
): RouteThrottle[] {
  return planned.map((r) => ({
    routeKey: r.routeKey,
    ...bucket(r.route.auth === 'twilio-signature' ? throttling.webhooks : throttling.api),
  }));
}

/**
 * The part of a Lambda permission's `sourceArn` after the API's execution ARN that lets API Gateway invoke the
 * function for this route only, in any stage (`$default` included): a `*` stage, the method, the path with its parameters as `*`
 * (API Gateway's `arn:aws:execute-api:region:account:api-id/stage/METHOD/resource-path` form).
 * @example permissionSourcePath({ method: 'GET', path: '/conferences/{conference}/participants' })
 * // '/' + '*' + '/GET/conferences/' + '*' + '/participants'
 */
export function permissionSourcePath(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `/*/${route.method}${route.path.replace(/\{[^}/]+\}/g, '*')}`;
}

/** The Lambda permission's statement ID of a route: explicit, so it stays within 100 characters for any stack. */
export function permissionStatementId(planned: PlannedRoute): string {
  return `api-${planned.part}`;
}

/** Access-log fields. No query string or headers: webhook URLs carry caller numbers. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.integrationLatency',
  error: '$context.integrationErrorMessage',
});
