/**
 * Generated hostile requests (fast-check, fixed seeds) against every route: random methods, paths, headers,
 * bodies, encodings, base64 flags, signatures and bearer tokens. For every request: the handler resolves
 * (never rejects), never answers 5xx, never shows a secret or a stack trace in its response or in any line it
 * writes, and a refused request makes no Twilio REST call. Twilio is a TwilioStub on 127.0.0.1 in which
 * every conference exists, so signed or authenticated requests run their REST calls for real.
 *
 * Reproduce a failure: the seed is printed; HARDENING_RUNS=<n> changes the number of runs per route.
 */
import fc from 'fast-check';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HandlerResponse, TestHandler } from '../lambdas/support/events';
import { conferenceListPage, participantJson, TwilioStub, twilioError } from '../lambdas/support/twilio-stub';
import { specProblems } from '../lambdas/support/openapi';
import { apiCase, apiCaseEvent, webhookCase, webhookEvent } from './support/corpus';
import {
  ACCOUNT_PATH,
  ACCOUNT_SID,
  CONFERENCE_SID,
  hardeningEnv,
  leakedSecrets,
  load,
  OutputCapture,
  PATHS,
  responseText,
  sid,
  stackTraceSigns,
  type HandlerKey,
} from './support/harness';

const RUNS = Number(process.env.HARDENING_RUNS ?? 3000);

/** Per-route figures, printed at the end (SECURITY.md quotes them). */
const figures: Record<string, { runs: number; ms: number; statuses: Record<number, number>; restCalls: number }> = {};

/** A Twilio stand-in where every conference exists and labels are unique per conference (16026 otherwise). */
function permissiveTwilio(stub: TwilioStub): void {
  const labels = new Map<string, Set<string>>();
  let next = 1000;
  const participant = (conferenceSid: string, label: string, status = 201) => ({
    status,
    body: participantJson({
      accountSid: ACCOUNT_SID,
      conferenceSid: /^CF[0-9a-f]{32}$/.test(conferenceSid) ? conferenceSid : CONFERENCE_SID,
      callSid: sid('CA', next++),
      label,
    }),
  });
  stub.on('POST', /\/Conferences\/[^/]+\/Participants\.json$/, (req) => {
    const conference = req.path.split('/')[5];
    const label = String(req.form.Label ?? '');
    const seen = labels.get(conference) ?? new Set<string>();
    labels.set(conference, seen);
    if (seen.has(label)) return twilioError(400, 16026, 'Participant label already in use');
    seen.add(label);
    return participant(conference, label);
  });
  stub.on('POST', /\/Conferences\/[^/]+\/Participants\/[^/]+\.json$/, (req) =>
    participant(req.path.split('/')[5], decodeURIComponent(req.path.split('/')[7].replace(/\.json$/, '')), 200),
  );
  stub.on('DELETE', /\/Conferences\/[^/]+\/Participants\/[^/]+\.json$/, { status: 204 });
  stub.on('GET', /\/Conferences\.json$/, (req) =>
    conferenceListPage(ACCOUNT_SID, [
      {
        sid: CONFERENCE_SID,
        account_sid: ACCOUNT_SID,
        friendly_name: req.query.get('FriendlyName'),
        status: 'in-progress',
        region: 'us1',
        uri: `${ACCOUNT_PATH}/Conferences/${CONFERENCE_SID}.json`,
      },
    ]),
  );
}

describe('generated hostile requests', () => {
  const savedEnv = process.env;
  let stub: TwilioStub;
  let output: OutputCapture;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    stub = await new TwilioStub().start();
    permissiveTwilio(stub);
    process.on('unhandledRejection', onUnhandled);
  });
  beforeEach(() => {
    output = new OutputCapture().start();
  });
  afterEach(() => output.stop());
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await stub.stop();
    process.env = savedEnv;
    console.log(`generated-corpus figures: ${JSON.stringify(figures)}`);
  });

  const env = () =>
    hardeningEnv({
      TWILIO_API_BASE_URL: stub.baseUrl,
      TWILIO_RETRY_BUDGET_MS: '0',
      ALLOWED_DIAL_TARGETS: '+1555*,+44*,sip:*@pbx.example.com,client:*',
    });

  /**
   * Runs one request and checks the invariants; throws (with no secret in the message) on a violation.
   * `mustRefuse` lists the statuses a request that may not act must get; `refusals` the statuses that must
   * come with no REST call.
   */
  async function invoke(
    route: string,
    handler: TestHandler,
    event: APIGatewayProxyEventV2,
    mustRefuse: number[] | undefined,
    refusals: number[],
  ): Promise<void> {
    output.clear();
    figures[route] ??= { runs: 0, ms: 0, statuses: {}, restCalls: 0 };
    const stats = figures[route];
    const before = stub.requests.length;
    let response: HandlerResponse;
    try {
      response = await output.during(() => handler(event));
    } catch (error) {
      throw new Error(`handler rejected (${error instanceof Error ? error.name : typeof error}) instead of answering`);
    }
    const restCalls = stub.requests.slice(before);
    stats.runs++;
    stats.statuses[response.statusCode] = (stats.statuses[response.statusCode] ?? 0) + 1;
    stats.restCalls += restCalls.length;

    if (!Number.isInteger(response.statusCode) || response.statusCode < 200 || response.statusCode >= 500)
      throw new Error(`status ${response.statusCode}`);
    const seen = `${responseText(response)}\n${output.lines.join('\n')}`;
    const leaks = leakedSecrets(seen);
    if (leaks.length) throw new Error(`secret in response or logs: ${leaks.join(', ')}`);
    const stack = stackTraceSigns(seen);
    if (stack.length) throw new Error(`stack trace signs in response or logs: ${stack.join(', ')}`);
    if (mustRefuse && !mustRefuse.includes(response.statusCode))
      throw new Error(`status ${response.statusCode} for a request that must be refused (${mustRefuse.join('/')})`);
    if (refusals.includes(response.statusCode) && restCalls.length > 0)
      throw new Error(`a refused request (${response.statusCode}) made ${restCalls.length} Twilio request(s)`);
    for (const r of restCalls) {
      const problems = specProblems(r.method, r.path, r.form, r.query);
      if (problems.length) throw new Error(`REST request outside Twilio's spec: ${problems.join('; ')}`);
    }
  }

  async function run(
    route: string,
    seed: number,
    property: fc.IAsyncProperty<[unknown]> | fc.IAsyncPropertyWithHooks<[unknown]>,
  ): Promise<void> {
    const started = Date.now();
    try {
      await fc.assert(property, { seed, numRuns: RUNS, endOnFailure: false });
    } catch (error) {
      throw new Error(
        `generated corpus for ${route} failed with seed ${seed} (rerun with this seed to reproduce)\n${(error as Error).message}\ncause: ${((error as Error).cause as Error | undefined)?.message ?? 'none'}`,
      );
    } finally {
      if (figures[route]) figures[route].ms = Date.now() - started;
    }
    expect(figures[route].runs).toBeGreaterThanOrEqual(RUNS);
    expect(unhandled).toEqual([]);
  }

  describe.each<[string, HandlerKey, string, number]>([
    ['POST /twilio/voice/inbound', 'inbound', PATHS.inbound, 0x1b0001],
    ['POST /twilio/voice/agent', 'agent', PATHS.agent, 0x1b0002],
    ['POST /twilio/voice/agent-fallback', 'agent', PATHS.agentFallback, 0x1b0003],
    ['POST /twilio/conference/events', 'events', PATHS.events, 0x1b0004],
  ])('%s', (route, key, path, seed) => {
    it(`survives ${RUNS} generated requests: no 5xx, no rejection, no leak; forgeries get 403/405 and no REST call (seed ${seed})`, async () => {
      const handler = load(key, env());
      await run(
        route,
        seed,
        fc.asyncProperty(webhookCase, async (c) => {
          const { event, genuine } = webhookEvent(path, c);
          await invoke(route, handler, event, genuine ? undefined : [403, 405], [400, 403, 405]);
        }),
      );
    });
  });

  it(`the participants API survives ${RUNS} generated requests: no 5xx, no rejection, no leak; refusals make no REST call (seed ${0x1b0005})`, async () => {
    const route = 'participants API (5 routes)';
    const handler = load('participants', env());
    await run(
      route,
      0x1b0005,
      fc.asyncProperty(apiCase, async (c) => {
        const { event, authenticated } = apiCaseEvent(c);
        // The stand-in never refuses a value (no twilio_rejected), so every 400 here is the API's own validation.
        await invoke(route, handler, event, authenticated ? undefined : [401], [400, 401, 403, 413, 415]);
      }),
    );
  });
});
