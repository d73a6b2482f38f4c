/**
 * The REST server: Twilio's 2010-04-01 API and Monitor v1's Alerts on 127.0.0.1. Every request is authenticated (Basic: Account SID +
 * Auth Token, or an API key), resolved to its OpenAPI operation, checked against the spec, run through the
 * fault script, handled, and recorded with its response.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { CODES, notFound, TwilioApiError } from './errors';
import type { Timeline } from './events';
import type { FaultInjector } from './faults';
import { alertHandlers } from './resources/alerts';
import { applicationHandlers } from './resources/applications';
import { callHandlers } from './resources/calls';
import type { RestContext, RestHandler } from './resources/common';
import { conferenceHandlers } from './resources/conferences';
import { incomingNumberHandlers } from './resources/incoming-numbers';
import { participantHandlers } from './resources/participants';
import { resolveOperation, validateRequest, type FormBody } from './spec';
import { Cancelled, type Scheduler } from './time';

const HANDLERS: Record<string, RestHandler> = {
  ...applicationHandlers,
  ...incomingNumberHandlers,
  ...conferenceHandlers,
  ...participantHandlers,
  ...callHandlers,
  ...alertHandlers,
};

/** Parses a form body; repeated names become arrays. */
export function parseForm(body: string): FormBody {
  const form: FormBody = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = form[name];
    form[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return form;
}

/** Who may call the API. */
/** Checks Basic auth; returns the SID that authenticated (the Account SID or an API key SID). */
function authenticate(header: string | undefined, ctx: RestContext): string {
  const unauthorized = new TwilioApiError(401, CODES.authenticate, 'Authenticate', {
    detail: 'Your AccountSid or AuthToken was incorrect.',
  });
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) throw unauthorized;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthorized;
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const ok =
    (username === ctx.state.accountSid &&
      (password === ctx.state.authToken ||
        (ctx.state.secondaryAuthToken !== undefined && password === ctx.state.secondaryAuthToken))) ||
    (ctx.state.apiKeys.has(username) && ctx.state.apiKeys.get(username) === password);
  if (!ok) throw unauthorized;
  return username;
}

/** The running REST server. */
export class RestServer {
  private server?: http.Server;
  baseUrl = '';

  constructor(
    private readonly ctx: RestContext,
    private readonly timeline: Timeline,
    private readonly faults: FaultInjector,
    private readonly scheduler: Scheduler,
  ) {}

  /** Listens on 127.0.0.1, on a free port. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
          if (!res.headersSent && !res.destroyed) {
            res.writeHead(500, { 'Content-Type': 'application/json' });
            res.end(
              JSON.stringify(
                new TwilioApiError(500, CODES.internal, `Emulator error: ${(error as Error).message}`).toJSON(),
              ),
            );
          }
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** Closes the server and every open connection. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    const received = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const form = method === 'POST' ? parseForm(rawBody) : {};
    let operationId: string | null = null;
    let credentialSid: string | null = null;
    let status = 500;
    let body: unknown;
    let afterSend: (() => void) | undefined;
    try {
      credentialSid = authenticate(req.headers.authorization, this.ctx);
      const resolved = resolveOperation(method, path);
      if (resolved === undefined) throw notFound(path);
      if (resolved === 'method-not-allowed')
        throw new TwilioApiError(405, 20004, `Method ${method} not allowed on ${path}`);
      operationId = resolved.operationId;
      // 2010-04-01 paths name the account; Monitor's (`/v1/Alerts`) take it from the credentials.
      const accountSid = resolved.pathParams.AccountSid;
      if (accountSid !== undefined && accountSid !== this.ctx.state.accountSid) throw notFound(path);
      const handler = HANDLERS[operationId];
      if (!handler) throw new TwilioApiError(404, CODES.notFound, `${operationId} is not emulated`);
      // The contract is checked first, so a scripted fault never hides a malformed request.
      validateRequest(resolved, form, url.searchParams);
      const fault = this.faults.take(operationId);
      if (fault?.delayMs) await this.scheduler.sleep(fault.delayMs);
      if (fault?.reset) {
        this.record(method, path, url.searchParams, form, operationId, 0, null, received, credentialSid);
        req.socket.destroy();
        return;
      }
      if (fault?.status)
        throw new TwilioApiError(
          fault.status,
          fault.code ?? CODES.internal,
          fault.message ?? `Injected fault ${fault.status}`,
        );
      const response = await handler(this.ctx, {
        operationId,
        pathParams: resolved.pathParams,
        form,
        query: url.searchParams,
        path,
      });
      status = response.status;
      body = response.body;
      afterSend = response.afterSend;
    } catch (error) {
      if (error instanceof Cancelled) {
        req.socket.destroy();
        return;
      }
      if (!(error instanceof TwilioApiError)) throw error;
      status = error.status;
      body = error.toJSON();
    }
    this.record(method, path, url.searchParams, form, operationId, status, body, received, credentialSid);
    const headers: Record<string, string> = { 'Twilio-Request-Id': `RQ${randomBytes(16).toString('hex')}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    if (status === 401) headers['WWW-Authenticate'] = 'Basic realm="Twilio API"';
    res.writeHead(status, headers);
    if (afterSend) {
      // Once the answer is written (or the client went away: the created leg is dialled either way), and once.
      const start = afterSend;
      afterSend = undefined;
      const once = () => {
        res.off('finish', once);
        res.off('close', once);
        start();
      };
      res.once('finish', once);
      res.once('close', once);
    }
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private record(
    method: string,
    path: string,
    query: URLSearchParams,
    form: FormBody,
    operationId: string | null,
    status: number,
    body: unknown,
    received: number,
    credentialSid: string | null,
  ): void {
    this.timeline.requests.push({
      method,
      path,
      query: Object.fromEntries(query),
      form,
      operationId,
      status,
      responseBody: body ?? null,
      at: this.timeline.now(),
    });
    const code = (body as { code?: unknown } | undefined)?.code;
    this.timeline.emit({
      type: 'rest-request',
      method,
      path,
      operationId,
      status,
      ...(typeof code === 'number' && { code }),
      ms: performance.now() - received,
      credentialSid,
    });
  }
}
