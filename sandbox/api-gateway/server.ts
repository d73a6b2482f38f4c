/**
 * The API Gateway emulator: serves exactly the routes of lambdas/routes.ts (the table the Pulumi program
 * declares), turns each request into a payload 2.0 event and invokes the built bundle of the function that serves
 * the route in the stack's function layout (infra/layout.ts), each function in its own Lambda container.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { matchPath, ROUTES, routeKey, type HandlerName } from '../../lambdas/routes';
import type { FunctionName, PlannedFunction } from '../../infra/layout';
import {
  fromLambdaResult,
  INTERNAL_ERROR,
  NOT_FOUND,
  toApiGatewayEvent,
  type OutgoingResponse,
  type RouteMatch,
} from './event';
import { LambdaContainer } from './lambda-container';

/** One request the emulator served. */
export interface ApiInvocation {
  /** The handler module of the route. */
  readonly handler: HandlerName | null;
  /** The deployed function that served it. */
  readonly functionName: FunctionName | null;
  /**
   * On Lambda it would have met a cold container: it arrived when every container the function had was busy (one
   * request at a time each, so Lambda starts another), counting from the function's deployment or recycling. The
   * emulator's one worker per function serves it either way; this records what Lambda would have done.
   */
  readonly coldStart: boolean;
  readonly routeKey: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Time inside the function (worker), ms. */
  readonly functionMs: number;
  /** Time from request end to response, ms. */
  readonly totalMs: number;
  /** performance.now() when the request had arrived and when the response was ready. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The form body's `CallSid` (Twilio webhooks), to tie invocations to calls. */
  readonly callSid?: string;
  /** The raw query string. */
  readonly query: string;
  readonly error?: string;
}

/** One function the emulator runs: what the layout plans and the environment it gets. */
export interface FunctionDeployment {
  readonly planned: PlannedFunction;
  readonly environment: Readonly<Record<string, string>>;
}

/** Options of the emulator. */
export interface ApiGatewayOptions {
  /** Folder with each function's bundle folder (`<function>/index.js`). */
  readonly codeDir: string;
  readonly onInvocation?: (invocation: ApiInvocation) => void;
  readonly onLog?: (functionName: string, line: string) => void;
  /** Port to listen on (0: a free one). */
  readonly port?: number;
}

/** Finds the route of a request, as API Gateway does: exact method and path template. */
export function matchRoute(method: string, requestPath: string): (RouteMatch & { handler: HandlerName }) | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pathParameters = matchPath(route.path, requestPath);
    if (pathParameters) return { routeKey: routeKey(route), pathParameters, handler: route.handler };
  }
  return undefined;
}

/** A running API Gateway emulator. */
export class ApiGatewayEmulator {
  readonly invocations: ApiInvocation[] = [];
  private readonly server: http.Server;
  private containers = new Map<FunctionName, LambdaContainer>();
  /** Containers replaced by recycleFunctions(): they finish what they were running and stop with the emulator. */
  private readonly retired: LambdaContainer[] = [];
  private functions: readonly FunctionDeployment[] = [];
  /** Per function: requests in flight now, and the most ever in flight (the containers Lambda would have started). */
  private readonly load = new Map<FunctionName, { inFlight: number; containers: number }>();
  baseUrl = '';
  /** The API's domain name as events carry it (`127.0.0.1:<port>`). */
  private domainName = '';
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Routes scripted to fail, by route key, with how many requests are left to fail. */
  private readonly failing = new Map<string, number>();

  constructor(private readonly options: ApiGatewayOptions) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.inFlight++;
        void this.serve(req, Buffer.concat(chunks))
          .then((response) => {
            res.writeHead(response.status, response.headers);
            res.end(response.body);
          })
          .finally(() => {
            if (--this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
          });
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  /** Listens on 127.0.0.1. */
  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', resolve);
    });
    this.domainName = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.baseUrl = `http://${this.domainName}`;
    return this;
  }

  /**
   * Starts one container per function with its environment. Separate from start() because the environment
   * usually needs the emulator's own base URL first.
   */
  startFunctions(functions: readonly FunctionDeployment[]): void {
    this.functions = functions;
    for (const fn of functions) {
      this.containers.set(fn.planned.name, this.container(fn));
      this.load.set(fn.planned.name, { inFlight: 0, containers: 0 });
    }
  }

  /**
   * The next `times` requests of a route (`'POST /twilio/voice/agent'`) get what API Gateway answers when the
   * function behind it fails (an unhandled error, a crash, a time-out): 500 `{"message":"Internal Server Error"}`,
   * without running the function. How a test makes one of the stack's webhooks answer 5xx.
   */
  failRoute(key: string, times = Number.POSITIVE_INFINITY): void {
    if (!ROUTES.some((r) => routeKey(r) === key)) throw new Error(`no route ${key}`);
    this.failing.set(key, times);
  }

  /** Resolves once no request is being served (e.g. before stopping, so a webhook in flight gets its answer). */
  idle(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Gives the functions that serve `handlers` new, cold containers with the same environment, as Lambda does when
   * it replaces or adds containers (a deployment, scaling out, recycling): they load their bundle and read their
   * secrets afresh. A combined function is recycled whole: every handler it serves starts cold.
   */
  recycleFunctions(handlers?: readonly HandlerName[]): void {
    if (this.functions.length === 0) throw new Error('startFunctions() first');
    for (const fn of this.functions) {
      if (handlers && !fn.planned.handlers.some((h) => handlers.includes(h))) continue;
      const old = this.containers.get(fn.planned.name);
      if (old) this.retired.push(old);
      this.containers.set(fn.planned.name, this.container(fn));
      const load = this.load.get(fn.planned.name);
      if (load) load.containers = 0;
    }
  }

  private container({ planned, environment }: FunctionDeployment): LambdaContainer {
    return new LambdaContainer(
      planned.name,
      path.join(this.options.codeDir, planned.name, 'index.js'),
      { ...environment },
      planned.spec.timeoutSeconds * 1000,
      this.options.onLog,
    );
  }

  /** The function that serves `handler`. */
  private functionOf(handler: HandlerName): FunctionName | undefined {
    return this.functions.find((f) => f.planned.handlers.includes(handler))?.planned.name;
  }

  /** Log lines of every function. */
  logs(): string[] {
    return [...this.retired, ...this.containers.values()].flatMap((c) => c.logs);
  }

  private async serve(req: http.IncomingMessage, body: Buffer): Promise<OutgoingResponse> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const requestPath = url.split('?')[0];
    const match = matchRoute(method, requestPath);
    const callSid = /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')
      ? (new URLSearchParams(body.toString('utf8')).get('CallSid') ?? undefined)
      : undefined;
    const record = (
      invocation: Omit<ApiInvocation, 'method' | 'path' | 'totalMs' | 'startedAt' | 'endedAt' | 'callSid' | 'query'>,
    ) => {
      const endedAt = performance.now();
      const full: ApiInvocation = {
        ...invocation,
        method,
        path: requestPath,
        totalMs: endedAt - started,
        startedAt: started,
        endedAt,
        callSid,
        query: url.includes('?') ? url.slice(url.indexOf('?') + 1) : '',
      };
      this.invocations.push(full);
      this.options.onInvocation?.(full);
    };
    const functionName = match && this.functionOf(match.handler);
    const container = functionName && this.containers.get(functionName);
    if (!match || !functionName || !container) {
      record({ handler: null, functionName: null, coldStart: false, routeKey: null, status: 404, functionMs: 0 });
      return NOT_FOUND;
    }
    const event = toApiGatewayEvent(
      { method, url, rawHeaders: req.rawHeaders, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      match,
      { apiId: 'sandbox', domainName: this.domainName },
    );
    const failuresLeft = this.failing.get(match.routeKey) ?? 0;
    if (failuresLeft > 0) {
      this.failing.set(match.routeKey, failuresLeft - 1);
      record({
        handler: match.handler,
        functionName,
        coldStart: false,
        routeKey: match.routeKey,
        status: 500,
        functionMs: 0,
        error: 'injected failure',
      });
      return INTERNAL_ERROR;
    }
    // Lambda runs one request per container: a request finding them all busy waits for a new, cold one.
    const load = this.load.get(functionName)!;
    load.inFlight++;
    const coldStart = load.inFlight > load.containers;
    if (coldStart) load.containers = load.inFlight;
    const invocation = await container.invoke(event).finally(() => {
      load.inFlight--;
    });
    const served = { handler: match.handler, functionName, coldStart, routeKey: match.routeKey };
    if (!invocation.ok) {
      record({
        ...served,
        status: 500,
        functionMs: invocation.ms,
        error: invocation.error,
      });
      return INTERNAL_ERROR;
    }
    const response = fromLambdaResult(invocation.result);
    record({ ...served, status: response.status, functionMs: invocation.ms });
    return response;
  }

  /** Stops the server and every container. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.retired, ...this.containers.values()].map((c) => c.stop()));
  }
}
