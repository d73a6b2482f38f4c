/**
 * What the HTTP API is made of, decided without Pulumi: which function serves each route, the stage's throttling
 * and its access-log format. infra/api-builder.ts turns this into resources.
 */
import { ROUTES, routeKey, type HandlerName, type RouteDefinition } from '../lambdas/routes';
import { routePart } from './naming';
import type { StackSettings } from './stack-config';

/** API Gateway's HTTP API integration limit is 30 s; leave headroom for its own overhead. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** One route as the stack declares it. */
export interface PlannedRoute {
  /** Name part of the route's resources. */
  readonly part: string;
  readonly routeKey: string;
  readonly handler: HandlerName;
  readonly route: RouteDefinition;
}

/** Every route of lambdas/routes.ts with its resource name part and function. */
export function routePlan(routes: readonly RouteDefinition[] = ROUTES): PlannedRoute[] {
  return routes.map((route) => ({ part: routePart(route), routeKey: routeKey(route), handler: route.handler, route }));
}

/** The stage's `defaultRouteSettings`. */
export function defaultRouteSettings(throttling: StackSettings['throttling']): {
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
} {
  return { throttlingRateLimit: throttling.rateLimit, throttlingBurstLimit: throttling.burstLimit };
}

/** Access-log fields. No query string or headers: webhook URLs carry caller numbers. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.integrationLatency',
  error: '$context.integrationErrorMessage',
});
