/**
 * Makes the scripted TwilioStub behave like Twilio's conference resources: participants are created once per
 * label (a second create with the same label gets 400/16026, as Twilio answers), updated and removed by label
 * or call SID (20404 when gone), and conferences are listed by FriendlyName. Faults are injected in front of
 * that behaviour, and a delaying relay on 127.0.0.1 holds Twilio's answers back to simulate slow responses.
 */
import http from 'node:http';
import {
  conferenceListPage,
  participantJson,
  participantListPage,
  twilioError,
  type RecordedRequest,
  type StubResponse,
  type TwilioStub,
} from '../../lambdas/support/twilio-stub';
import { ACCOUNT_PATH, ACCOUNT_SID, CONFERENCE, CONFERENCE_SID, sid } from './harness';
import { closeServer, listenOnLoopback } from '../../lambdas/support/local-server';

export interface Participant {
  readonly callSid: string;
  readonly label: string;
  readonly to: string;
  hold: boolean;
  muted: boolean;
}

/** A fault to answer instead of the normal behaviour; `apply: true` performs the operation first (answer lost). */
export type Fault = StubResponse & { readonly apply?: boolean };

type Operation = 'create' | 'update' | 'remove' | 'list' | 'fetch' | 'participants';

/** One conference (by name and SID) with Twilio's participant semantics. */
export class ConferenceWorld {
  /** Participants in the conference, by label. */
  readonly participants = new Map<string, Participant>();
  /** Conference status reported by the list operation; null lists none. */
  status: 'init' | 'in-progress' | 'completed' | null = 'in-progress';
  private nextCallSid = 100;
  private readonly faults: Record<Operation, Fault[]> = {
    create: [],
    update: [],
    remove: [],
    list: [],
    fetch: [],
    participants: [],
  };
  private readonly always: Partial<Record<Operation, Fault>> = {};

  constructor(
    readonly name = CONFERENCE,
    readonly conferenceSid = CONFERENCE_SID,
  ) {}

  /** Answers the next `faults.length` requests of an operation with these faults, in order. */
  failNext(operation: Operation, ...faults: Fault[]): this {
    this.faults[operation].push(...faults);
    return this;
  }

  /** Answers every request of an operation with this fault. */
  failAlways(operation: Operation, fault: Fault): this {
    this.always[operation] = fault;
    return this;
  }

  /** Puts a participant (e.g. the caller) into the conference, as if they had dialled in. */
  seed(label: string, to = '+15557654321'): this {
    this.participants.set(label, { callSid: sid('CA', this.nextCallSid++), label, to, hold: false, muted: false });
    return this;
  }

  /** Participants with a label, e.g. the agents in the conference. */
  labelled(label: string): Participant[] {
    return [...this.participants.values()].filter((p) => p.label === label);
  }

  /** Registers the conference's REST behaviour on the stub. */
  install(stub: TwilioStub): this {
    const conf = `${ACCOUNT_PATH}/Conferences/(${this.conferenceSid}|${this.name})`;
    stub.on('POST', new RegExp(`^${conf}/Participants\\.json$`), (req) =>
      this.answer('create', req, () => this.create(req)),
    );
    stub.on('POST', new RegExp(`^${conf}/Participants/[^/]+\\.json$`), (req) =>
      this.answer('update', req, () => this.update(req)),
    );
    stub.on('DELETE', new RegExp(`^${conf}/Participants/[^/]+\\.json$`), (req) =>
      this.answer('remove', req, () => this.remove(req)),
    );
    stub.on('GET', new RegExp(`^${conf}/Participants/[^/]+\\.json$`), (req) =>
      this.answer('fetch', req, () => this.fetch(req)),
    );
    stub.on('GET', new RegExp(`^${conf}/Participants\\.json$`), (req) =>
      this.answer('participants', req, () => this.listParticipants()),
    );
    stub.on('GET', new RegExp(`^${ACCOUNT_PATH}/Conferences\\.json$`), (req) =>
      this.answer('list', req, () => this.list(req)),
    );
    return this;
  }

  private answer(operation: Operation, _req: RecordedRequest, normal: () => StubResponse): StubResponse {
    const fault = this.faults[operation].shift() ?? this.always[operation];
    if (!fault) return normal();
    if (fault.apply) normal();
    return fault;
  }

  private create(req: RecordedRequest): StubResponse {
    const label = String(req.form.Label ?? '');
    if (this.status === 'completed') return twilioError(404, 20404, 'The requested resource was not found');
    if (label && this.participants.has(label)) {
      return twilioError(400, 16026, `Participant label ${label} is already in use`);
    }
    const participant: Participant = {
      callSid: sid('CA', this.nextCallSid++),
      label,
      to: String(req.form.To ?? ''),
      hold: false,
      muted: req.form.Muted === 'true',
    };
    this.participants.set(label || participant.callSid, participant);
    return { status: 201, body: this.json(participant) };
  }

  private find(req: RecordedRequest): Participant | undefined {
    const id = decodeURIComponent(
      req.path
        .split('/')
        .pop()!
        .replace(/\.json$/, ''),
    );
    return this.participants.get(id) ?? [...this.participants.values()].find((p) => p.callSid === id);
  }

  private fetch(req: RecordedRequest): StubResponse {
    const participant = this.find(req);
    return participant
      ? { status: 200, body: this.json(participant) }
      : twilioError(404, 20404, 'The requested resource was not found');
  }

  private update(req: RecordedRequest): StubResponse {
    const participant = this.find(req);
    if (!participant) return twilioError(404, 20404, 'The requested resource was not found');
    if (req.form.Hold !== undefined) participant.hold = req.form.Hold === 'true';
    if (req.form.Muted !== undefined) participant.muted = req.form.Muted === 'true';
    return { status: 200, body: this.json(participant) };
  }

  private remove(req: RecordedRequest): StubResponse {
    const participant = this.find(req);
    if (!participant) return twilioError(404, 20404, 'The requested resource was not found');
    this.participants.delete(participant.label || participant.callSid);
    return { status: 204 };
  }

  private listParticipants(): StubResponse {
    const participants = [...this.participants.values()].map((p) => this.json(p));
    return participantListPage(ACCOUNT_SID, this.conferenceSid, participants, 250);
  }

  private list(req: RecordedRequest): StubResponse {
    const name = req.query.get('FriendlyName');
    const conferences =
      this.status && (name === null || name === this.name)
        ? [
            {
              sid: this.conferenceSid,
              account_sid: ACCOUNT_SID,
              friendly_name: this.name,
              status: this.status,
              region: 'us1',
              uri: `${ACCOUNT_PATH}/Conferences/${this.conferenceSid}.json`,
            },
          ]
        : [];
    return conferenceListPage(ACCOUNT_SID, conferences);
  }

  private json(p: Participant) {
    return participantJson({
      accountSid: ACCOUNT_SID,
      conferenceSid: this.conferenceSid,
      callSid: p.callSid,
      label: p.label,
      hold: p.hold,
      muted: p.muted,
    });
  }
}

/**
 * A relay on 127.0.0.1 in front of the stub: forwards each request at once (so the stub, like Twilio, acts on
 * it) and holds the answer back for `delayFor(index)` milliseconds, where `index` counts relayed requests.
 */
export class DelayingRelay {
  baseUrl = '';
  private server?: http.Server;
  private count = 0;

  constructor(
    private readonly targetBaseUrl: string,
    private readonly delayFor: (index: number) => number,
  ) {}

  async start(): Promise<this> {
    const target = new URL(this.targetBaseUrl);
    this.server = http.createServer((req, res) => {
      const delay = this.delayFor(this.count++);
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            setTimeout(() => {
              if (res.destroyed || res.writableEnded) return;
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(chunks));
            }, delay);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.baseUrl = await listenOnLoopback(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
