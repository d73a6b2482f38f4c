/**
 * A local stand-in for Twilio's REST API on 127.0.0.1: records every request the real `twilio` client sends
 * and answers from a script of responses, so tests can assert method, path and form fields.
 */
import http from 'node:http';
import { closeServer, listenOnLoopback } from './local-server';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: Record<string, string | string[]>;
  headers: http.IncomingHttpHeaders;
}

export interface StubResponse {
  status: number;
  body?: unknown;
  /** Destroys the socket instead of answering (a connection reset). */
  reset?: boolean;
}

type Responder = (request: RecordedRequest, callIndex: number) => StubResponse;

interface Route {
  method: string;
  path: RegExp;
  respond: Responder;
  calls: number;
}

/** A scripted Twilio REST stand-in. */
export class TwilioStub {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private server?: http.Server;
  baseUrl = '';

  /** Answers `method path` with `respond` (latest registration wins). */
  on(method: string, path: RegExp, respond: Responder | StubResponse): this {
    this.routes.unshift({ method, path, respond: typeof respond === 'function' ? respond : () => respond, calls: 0 });
    return this;
  }

  /** Answers with each response in turn, repeating the last. */
  sequence(method: string, path: RegExp, responses: StubResponse[]): this {
    return this.on(method, path, (_req, i) => responses[Math.min(i, responses.length - 1)]);
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const form: Record<string, string | string[]> = {};
        for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
          const existing = form[k];
          form[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
        }
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          form,
          headers: req.headers,
        };
        this.requests.push(recorded);
        const route = this.routes.find((r) => r.method === recorded.method && r.path.test(recorded.path));
        const answer = route
          ? route.respond(recorded, route.calls++)
          : { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } };
        if (answer.reset) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    this.baseUrl = await listenOnLoopback(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}

/** A Twilio participant resource body (the create/update response), snake_case as the API returns it. */
export function participantJson(fields: {
  accountSid: string;
  conferenceSid: string;
  callSid: string;
  label: string;
  status?: string;
  hold?: boolean;
  muted?: boolean;
}) {
  return {
    account_sid: fields.accountSid,
    call_sid: fields.callSid,
    label: fields.label,
    call_sid_ending_conference: null,
    coaching: false,
    conference_sid: fields.conferenceSid,
    date_created: 'Tue, 24 Nov 2026 02:00:00 +0000',
    date_updated: 'Tue, 24 Nov 2026 02:00:00 +0000',
    end_conference_on_exit: false,
    muted: fields.muted ?? false,
    hold: fields.hold ?? false,
    start_conference_on_enter: true,
    status: fields.status ?? 'queued',
    queue_time: '0',
    uri: `/2010-04-01/Accounts/${fields.accountSid}/Conferences/${fields.conferenceSid}/Participants/${fields.callSid}.json`,
  };
}

/** A Twilio error body. */
export function twilioError(status: number, code: number, message: string): StubResponse {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

/**
 * Twilio's answer to a participant list: one page holding `participants` (as participantJson builds them), of
 * `pageSize` (the page size the request asked for).
 */
export function participantListPage(
  accountSid: string,
  conferenceSid: string,
  participants: readonly Record<string, unknown>[],
  pageSize = 50,
): StubResponse {
  const uri = `/2010-04-01/Accounts/${accountSid}/Conferences/${conferenceSid}/Participants.json?PageSize=${pageSize}&Page=0`;
  return {
    status: 200,
    body: {
      participants,
      first_page_uri: uri,
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: pageSize,
      start: 0,
      end: participants.length - 1,
      uri,
    },
  };
}

/** Twilio's answer to a conference list (GET Conferences.json): one page holding `conferences` (snake_case). */
export function conferenceListPage(accountSid: string, conferences: readonly Record<string, unknown>[]): StubResponse {
  const uri = `/2010-04-01/Accounts/${accountSid}/Conferences.json?PageSize=20&Page=0`;
  return {
    status: 200,
    body: {
      conferences,
      first_page_uri: uri,
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: 20,
      start: 0,
      end: conferences.length - 1,
      uri,
    },
  };
}

/** A Twilio conference resource body (snake_case as the API returns it). */
export function conferenceJson(fields: { accountSid: string; sid: string; friendlyName: string; status: string }) {
  return {
    sid: fields.sid,
    account_sid: fields.accountSid,
    friendly_name: fields.friendlyName,
    status: fields.status,
    region: 'us1',
    uri: `/2010-04-01/Accounts/${fields.accountSid}/Conferences/${fields.sid}.json`,
  };
}
