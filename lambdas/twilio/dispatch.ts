/**
 * One Lambda function serving several handler modules: each route key goes to the module of its route's handler,
 * loaded the first time one of its routes arrives, so a container pays module load only for the routes it served.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { routeKey, type HandlerName, type RouteDefinition } from '../routes';
import { textResponse, type HttpResponse } from '../shared/http';

/** A Lambda handler of API Gateway HTTP API (payload 2.0) events. */
export type LambdaHandler = (event: APIGatewayProxyEventV2, context?: unknown) => Promise<HttpResponse>;

/** What a handler bundle exports. */
export interface HandlerModule {
  readonly handler: LambdaHandler;
}

/** Loads a handler's module (a `require` of its bundle); called at most once per container. */
export type ModuleLoader = () => HandlerModule;

/** How the dispatcher loads its modules. */
export interface DispatchOptions {
  /** Load every module now, before any request (an environment initialized ahead of traffic), not on first use. */
  readonly preload?: boolean;
}

/**
 * The handler serving `routes`: a route key of theirs reaches its handler's module, anything else gets 404 without
 * loading a module (API Gateway sends only the route keys wired to this function; another means miswiring).
 * @throws when a route's handler has no loader, so a route can never be served by nothing.
 */
export function routeDispatcher(
  routes: readonly RouteDefinition[],
  loaders: Readonly<Partial<Record<HandlerName, ModuleLoader>>>,
  options: DispatchOptions = {},
): LambdaHandler {
  const handlerOf = new Map<string, HandlerName>();
  for (const route of routes) {
    if (!loaders[route.handler]) throw new Error(`no module loader for ${route.handler} (${routeKey(route)})`);
    handlerOf.set(routeKey(route), route.handler);
  }
  const loaded = new Map<HandlerName, HandlerModule>();
  const moduleOf = (name: HandlerName): HandlerModule => {
    let module = loaded.get(name);
    if (!module) {
      module = loaders[name]!();
      loaded.set(name, module);
    }
    return module;
  };
  if (options.preload) for (const name of new Set(handlerOf.values())) moduleOf(name);
  return async (event, context) => {
    const name = handlerOf.get(event.routeKey);
    if (name === undefined) return textResponse(404, 'Not Found');
    return moduleOf(name).handler(event, context);
  };
}
