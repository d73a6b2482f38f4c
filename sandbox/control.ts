/**
 * The sandbox's control endpoint for a person at a terminal (`npm start -- --serve`): the emulator is the phone
 * network, so placing a call, hanging up and seeing who is in a conference go through here. Answers JSON; errors
 * in the participants API's documented shape `{"error": {"code", "message", "field"?}}`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchPath } from '../lambdas/routes';
import { ApiError } from '../lambdas/shared/errors';
import type { Sandbox } from './index';
import type { HeardSource } from './twilio';

/** The control routes (API Gateway `{param}` syntax), for the usage text and the printed URLs. */
export const CONTROL_ROUTES = {
  placeCall: { method: 'POST', path: '/calls', what: 'a caller dials the number (?from=%2B15557654321)' },
  hangUp: { method: 'DELETE', path: '/calls/{callSid}', what: 'that call hangs up' },
  conferences: { method: 'GET', path: '/conferences', what: 'every conference with who is in it' },
  conference: { method: 'GET', path: '/conferences/{conference}', what: 'who is in one conference (name or CF SID)' },
} as const;

type RouteName = keyof typeof CONTROL_ROUTES;

/** Finds the control route of a request: its name and path parameters, or undefined. */
export function matchControlRoute(
  method: string,
  pathname: string,
): { route: RouteName; params: Record<string, string> } | undefined {
  for (const [route, definition] of Object.entries(CONTROL_ROUTES) as [RouteName, { method: string; path: string }][]) {
    if (definition.method !== method) continue;
    const params = matchPath(definition.path, pathname);
    if (params) return { route, params };
  }
  return undefined;
}

const E164 = /^\+[1-9]\d{1,14}$/;

/** A conference as the control endpoint shows it. */
export interface ConferenceView {
  readonly name: string;
  readonly sid: string;
  readonly status: string;
  readonly participants: readonly {
    label: string | null;
    callSid: string;
    hold: boolean;
    muted: boolean;
    coaching: boolean;
    /** Whom and what they hear now (coaching, mute and hold applied). */
    hears: readonly HeardSource[];
  }[];
}

function view(sandbox: Sandbox, conference: { sid: string; friendlyName: string; status: string }): ConferenceView {
  const audio = sandbox.twilio.audio(conference.sid);
  return {
    name: conference.friendlyName,
    sid: conference.sid,
    status: conference.status,
    participants: sandbox.twilio
      .participants(conference.sid)
      .filter((p) => p.status === 'connected')
      .map((p) => ({
        label: p.label,
        callSid: p.callSid,
        hold: p.hold,
        muted: p.muted,
        coaching: p.coaching,
        hears: audio.find((l) => l.callSid === p.callSid)?.hears ?? [],
      })),
  };
}

async function answer(sandbox: Sandbox, method: string, url: URL): Promise<{ status: number; body?: unknown }> {
  const match = matchControlRoute(method, url.pathname);
  if (!match) throw new ApiError(404, 'route_not_found', `No route ${method} ${url.pathname.slice(0, 200)}`);
  switch (match.route) {
    case 'placeCall': {
      const from = url.searchParams.get('from') ?? '+15557654321';
      if (!E164.test(from)) throw new ApiError(400, 'invalid_request', 'from must be an E.164 number', 'from');
      const { callSid } = await sandbox.placeInboundCall({ from });
      return { status: 201, body: { callSid, conference: `conf-${callSid}` } };
    }
    case 'hangUp': {
      if (!sandbox.twilio.call(match.params.callSid)) throw new ApiError(404, 'not_found', 'No such call');
      await sandbox.twilio.hangup(match.params.callSid);
      return { status: 204 };
    }
    case 'conferences':
      return { status: 200, body: { conferences: sandbox.twilio.conferences().map((c) => view(sandbox, c)) } };
    case 'conference': {
      const wanted = match.params.conference;
      const found = sandbox.twilio
        .conferences()
        .filter((c) => c.sid === wanted || c.friendlyName === wanted)
        .at(-1);
      if (!found) throw new ApiError(404, 'not_found', `No conference ${wanted.slice(0, 200)}`);
      return { status: 200, body: view(sandbox, found) };
    }
  }
}

/** A running control endpoint. */
export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the control endpoint on 127.0.0.1 (`port` 0: a free one). */
export async function startControlServer(sandbox: Sandbox, port = 0): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body?: unknown) =>
      body === undefined
        ? res.writeHead(status).end()
        : res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    answer(sandbox, req.method ?? 'GET', new URL(req.url ?? '/', 'http://127.0.0.1')).then(
      ({ status, body }) => send(status, body),
      (error: unknown) =>
        error instanceof ApiError
          ? send(error.status, error.toBody())
          : send(500, new ApiError(500, 'internal_error', (error as Error).message).toBody()),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
