/**
 * Small local servers a test points the emulator at: an HTTP server whose routes answer webhooks (recording
 * each request with its exact URL and whether its X-Twilio-Signature validates), and a WebSocket agent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeServer, listenOnLoopback } from '../../lambdas/support/local-server';

/** One webhook as received. */
export interface ReceivedWebhook {
  readonly method: string;
  readonly path: string;
  readonly url: string;
  readonly rawQuery: string;
  readonly params: Record<string, string>;
  readonly signatureValid: boolean;
  /** The `I-Twilio-Idempotency-Token` header (the same on a redelivery). */
  readonly idempotencyToken: string;
}

/** A route's answer. */
export interface HookAnswer {
  readonly status?: number;
  readonly contentType?: string;
  readonly body?: string;
}

type Route = (hook: ReceivedWebhook) => HookAnswer | Promise<HookAnswer>;

/** An HTTP server with routes by path; unknown paths get 404. */
export class WebhookServer {
  readonly received: ReceivedWebhook[] = [];
  private readonly routes = new Map<string, Route>();
  private server?: http.Server;
  baseUrl = '';

  constructor(private readonly authToken: string) {}

  /** Answers POST/GET `path` with `route`. */
  route(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  /** Webhooks received on `path`. */
  on(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const url = `${this.baseUrl}${req.url ?? '/'}`;
        const parsed = new URL(url);
        const params =
          req.method === 'POST' ? Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) : {};
        const signature = String(req.headers['x-twilio-signature'] ?? '');
        const hook: ReceivedWebhook = {
          method: req.method ?? '',
          path: parsed.pathname,
          url,
          rawQuery: parsed.search.slice(1),
          params,
          signatureValid: validateRequest(this.authToken, signature, url, params),
          idempotencyToken: String(req.headers['i-twilio-idempotency-token'] ?? ''),
        };
        this.received.push(hook);
        const route = this.routes.get(parsed.pathname);
        const answer = route ? await route(hook) : { status: 404, body: 'not found' };
        res.writeHead(answer.status ?? 200, { 'Content-Type': answer.contentType ?? 'text/xml' });
        res.end(answer.body ?? '');
      });
    });
    this.baseUrl = await listenOnLoopback(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}

/** A WebSocket "AI agent": records every message and whether the handshake signature validates. */
export class AgentSocketServer {
  readonly messages: Record<string, unknown>[] = [];
  readonly handshakes: { url: string; signatureValid: boolean }[] = [];
  readonly sockets: WebSocket[] = [];
  private server?: WebSocketServer;
  url = '';

  constructor(
    private readonly authToken: string,
    /** Called for each message; may answer on the socket or close it. */
    private readonly onMessage: (message: Record<string, unknown>, socket: WebSocket) => void = () => undefined,
  ) {}

  async start(path = '/agent'): Promise<this> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    this.server.on('connection', (socket, req) => {
      const url = `ws://127.0.0.1:${(this.server!.address() as AddressInfo).port}${req.url ?? ''}`;
      this.handshakes.push({
        url,
        signatureValid: validateRequest(this.authToken, String(req.headers['x-twilio-signature'] ?? ''), url, {}),
      });
      this.sockets.push(socket);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        this.messages.push(message);
        this.onMessage(message, socket);
      });
    });
    return this;
  }

  /** Messages with `event` (Media Streams) or `type` (ConversationRelay) equal to `name`. */
  named(name: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.event === name || m.type === name);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
