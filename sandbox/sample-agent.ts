/**
 * A stand-in for the AI agent: a WebSocket server that accepts Media Streams and ConversationRelay sessions and
 * records what Twilio sent, so the scenario and tests can check the context that reached the agent. A test can
 * make it drop out: close a session's WebSocket mid-call, end a ConversationRelay session with `handoffData`, or
 * (Media Streams) call the participants API to transfer the caller to a human.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * What the agent does to a session once it started (Twilio's `start` / `setup` arrived), after `afterMs`:
 * `close` closes the WebSocket (a Media Stream dropped mid-call); `end` sends ConversationRelay's end-session
 * message `{"type":"end","handoffData":"..."}` (https://www.twilio.com/docs/voice/conversationrelay/websocket-messages),
 * after which Twilio ends the session and requests the `<Connect action>` URL with `HandoffData`.
 */
export type AgentMove =
  | { readonly do: 'close'; readonly afterMs?: number }
  | { readonly do: 'end'; readonly handoffData?: string; readonly afterMs?: number }
  /**
   * What a Media Streams agent does to hand off (Media Streams has no handoff message): it calls the participants
   * API's transfers route with the conference name it received in its `start` custom parameters; `body` builds the
   * request body from those parameters. The answer is kept on the session (`apiAnswers`).
   */
  | {
      readonly do: 'transfer';
      readonly api: { readonly baseUrl: string; readonly token: string };
      readonly body: (parameters: Record<string, string>) => unknown;
      readonly afterMs?: number;
    };

interface PlannedMove {
  readonly move: AgentMove;
  readonly matches: (session: AgentSession) => boolean;
}

/** One session as the agent saw it. */
export interface AgentSession {
  readonly kind: 'stream' | 'conversation-relay';
  /** The call SID of the agent leg. */
  callSid?: string;
  streamSid?: string;
  customParameters?: Record<string, string>;
  /** performance.now() when `start` / `setup` arrived. */
  startAt?: number;
  readonly events: string[];
  mediaFrames: number;
  closed: boolean;
  /** Answers of the participants API to this session's requests (status and JSON body). */
  apiAnswers?: { status: number; body: unknown }[];
}

/** A running sample agent. */
/** The fields of Media Streams and ConversationRelay messages the sample agent reads. */
interface AgentMessage {
  event?: string;
  type?: string;
  streamSid?: string;
  callSid?: string;
  customParameters?: Record<string, string>;
  start?: { callSid?: string; streamSid?: string; customParameters?: Record<string, string> };
}

export class SampleAgent {
  readonly sessions: AgentSession[] = [];
  private readonly server = http.createServer((_req, res) => res.writeHead(426).end());
  private readonly wss = new WebSocketServer({ server: this.server });
  private readonly listeners = new Set<(session: AgentSession) => void>();
  private readonly sockets = new WeakMap<AgentSession, WebSocket>();
  private readonly plans: PlannedMove[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  constructor() {
    this.wss.on('connection', (socket: WebSocket) => {
      const session: AgentSession = { kind: 'stream', events: [], mediaFrames: 0, closed: false };
      this.sessions.push(session);
      this.sockets.set(session, socket);
      socket.on('message', (data) => this.receive(session, String(data)));
      socket.on('close', () => (session.closed = true));
    });
  }

  /** The next session that starts and matches (default: any) gets `move`; plans apply first-in, first-out. */
  plan(move: AgentMove, matches: (session: AgentSession) => boolean = () => true): this {
    this.plans.push({ move, matches });
    return this;
  }

  /** Closes a session's WebSocket now, as an agent that crashed or hung up would. */
  close(session: AgentSession): void {
    this.sockets.get(session)?.close(1000);
  }

  /** Ends a ConversationRelay session with the end-session message, optionally carrying `handoffData`. */
  end(session: AgentSession, handoffData?: string): void {
    this.sockets.get(session)?.send(JSON.stringify({ type: 'end', ...(handoffData !== undefined && { handoffData }) }));
  }

  /** Calls the participants API's transfers route for the session's conference (a Media Streams handoff). */
  private async transfer(session: AgentSession, move: Extract<AgentMove, { do: 'transfer' }>): Promise<void> {
    const parameters = session.customParameters ?? {};
    const response = await fetch(
      `${move.api.baseUrl}/conferences/${encodeURIComponent(parameters.conference ?? '')}/transfers`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${move.api.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(move.body(parameters)),
      },
    );
    const text = await response.text();
    session.apiAnswers = [
      ...(session.apiAnswers ?? []),
      { status: response.status, body: text ? JSON.parse(text) : undefined },
    ];
  }

  private started(session: AgentSession): void {
    const plan = this.plans.find((p) => p.matches(session));
    if (plan) {
      this.plans.splice(this.plans.indexOf(plan), 1);
      const move = plan.move;
      const act = () =>
        move.do === 'close'
          ? this.close(session)
          : move.do === 'end'
            ? this.end(session, move.handoffData)
            : void this.transfer(session, move);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        act();
      }, plan.move.afterMs ?? 0);
      this.timers.add(timer);
    }
    for (const l of this.listeners) l(session);
  }

  private receive(session: AgentSession, text: string): void {
    let message: AgentMessage;
    try {
      message = JSON.parse(text) as AgentMessage;
    } catch {
      session.events.push('invalid-json');
      return;
    }
    const name = String(message.event ?? message.type ?? 'unknown');
    session.events.push(name);
    if (name === 'media') session.mediaFrames++;
    if (name === 'start') {
      Object.assign(session, {
        kind: 'stream',
        callSid: message.start?.callSid,
        streamSid: message.start?.streamSid ?? message.streamSid,
        customParameters: message.start?.customParameters ?? {},
        startAt: performance.now(),
      });
      this.started(session);
    }
    if (name === 'setup') {
      Object.assign(session, {
        kind: 'conversation-relay',
        callSid: message.callSid,
        customParameters: message.customParameters ?? {},
        startAt: performance.now(),
      });
      this.started(session);
    }
  }

  /** Listens on a free port of 127.0.0.1; the agent URL is ws://127.0.0.1:<port>/agent. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/agent`;
    return this;
  }

  /** Resolves with the first session (past or future) whose context matches. */
  waitForSession(matches: (session: AgentSession) => boolean, timeoutMs = 10_000): Promise<AgentSession> {
    const found = this.sessions.find((s) => s.startAt !== undefined && matches(s));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (session: AgentSession) => {
        if (!matches(session)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(session);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no agent session matched within ${timeoutMs} ms (${this.sessions.length} sessions so far)`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Closes every socket and the server. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
