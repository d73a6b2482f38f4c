/**
 * The bench's own AI-agent WebSocket endpoint: records, per call, when the media stream connected and when its
 * `start` message arrived with which custom parameters. Owning it keeps the measurement independent of the
 * sandbox's sample agent.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';

/** One media stream as the agent saw it. */
export interface AgentStream {
  readonly connectedAt: number;
  startAt?: number;
  callSid?: string;
  customParameters?: Record<string, string>;
}

/** A listening agent endpoint and what it received. */
export interface AgentServer {
  readonly url: string;
  readonly streams: AgentStream[];
  /** Resolves when a stream whose `start` carries `callerCallSid` arrives. */
  waitForStart(callerCallSid: string, timeoutMs: number): Promise<AgentStream>;
  close(): Promise<void>;
}

/** Starts the endpoint on 127.0.0.1 (ws://, which the agent handler allows for loopback). */
export async function startAgentServer(): Promise<AgentServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const streams: AgentStream[] = [];
  const waiters = new Map<string, (s: AgentStream) => void>();
  const started = new Map<string, AgentStream>();
  server.on('connection', (socket) => {
    const stream: AgentStream = { connectedAt: performance.now() };
    streams.push(stream);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        event?: string;
        start?: { callSid?: string; customParameters?: Record<string, string> };
      };
      if (message.event !== 'start') return;
      stream.startAt = performance.now();
      stream.callSid = message.start?.callSid;
      stream.customParameters = message.start?.customParameters ?? {};
      const key = stream.customParameters.callerCallSid ?? '';
      started.set(key, stream);
      waiters.get(key)?.(stream);
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/media`,
    streams,
    waitForStart: (callerCallSid, timeoutMs) =>
      new Promise((resolve, reject) => {
        const done = started.get(callerCallSid);
        if (done) return resolve(done);
        const timer = setTimeout(
          () => reject(new Error(`no agent stream for ${callerCallSid} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.set(callerCallSid, (s) => {
          clearTimeout(timer);
          waiters.delete(callerCallSid);
          resolve(s);
        });
      }),
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
