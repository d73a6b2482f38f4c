/**
 * Twilio misbehaving, through the TwilioStub on 127.0.0.1 with Twilio's conference semantics: 429 storms,
 * 500s, 16030, slow answers around the transport timeout (5 s deployed; 1 s here through TWILIO_REQUEST_TIMEOUT_MS,
 * the same code path without waiting 5 s), connection resets, 20404 for an ended conference
 * and 16026 for a duplicate label. Each ends in the documented status and code, never adds a second agent, and
 * is logged with what an operator needs (route or event, Twilio status/code) and without secrets.
 */
import type { HandlerResponse, TestHandler } from '../lambdas/support/events';
import { twilioError } from '../lambdas/support/twilio-stub';
import {
  API_ROUTES,
  apiError,
  apiEvent,
  CALLER_QUERY,
  CONFERENCE_SID,
  conferenceEventParams,
  hardeningEnv,
  leakedSecrets,
  load,
  PATHS,
  responseText,
  stackTraceSigns,
} from './support/harness';
import { twilioEvent } from '../lambdas/support/events';
import { DelayingRelay, type Fault } from './support/twilio-world';
import { useConferenceFixture } from './support/conference-fixture';

const BUDGET_MS = 1500;
/** The REST request timeout these tests run with, and answers on either side of it. */
const REQUEST_TIMEOUT_MS = 1000;
const UNDER_TIMEOUT_MS = 500;
const OVER_TIMEOUT_MS = 1600;
/**
 * A budget a retry always fits in, however slow the machine: for the cases that test the retry itself, not the
 * budget running out (BUDGET_MS is short so those cases end fast, and a loaded machine could spend it on one attempt).
 */
const RETRY_FITS_BUDGET_MS = 8 * REQUEST_TIMEOUT_MS;
/** A retry budget a timed-out first attempt has already used up. */
const SHORT_BUDGET_MS = 300;
const RATE_LIMITED: Fault = twilioError(429, 20429, 'Too Many Requests');
const SERVER_ERROR: Fault = twilioError(500, 20500, 'Internal Server Error');
const RETRY_LATER: Fault = twilioError(500, 16030, 'Participant could not be added, retry later');
const RESET: Fault = { status: 0, reset: true };
const UNAUTHORIZED: Fault = twilioError(401, 20003, 'Authentication Error - invalid username');

type Log = Record<string, unknown> & { message: string; level: string; error?: { code?: unknown; status?: unknown } };

describe('Twilio faults', () => {
  const fx = useConferenceFixture();
  let relay: DelayingRelay | undefined;

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  const env = (baseUrl = fx.stub.baseUrl, budgetMs = BUDGET_MS) =>
    hardeningEnv({
      TWILIO_API_BASE_URL: baseUrl,
      TWILIO_RETRY_BUDGET_MS: String(budgetMs),
      TWILIO_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
  const logs = () => fx.output.records() as Log[];
  const creates = () => fx.stub.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Participants.json'));

  /** No secret and no stack trace in the response or in any line written. */
  function expectNothingLeaked(response: HandlerResponse): void {
    const everything = `${responseText(response)}\n${fx.output.lines.join('\n')}`;
    expect(leakedSecrets(everything)).toEqual([]);
    expect(stackTraceSigns(everything)).toEqual([]);
  }

  describe('participants API', () => {
    let api: TestHandler;
    beforeEach(() => {
      api = load('participants', env());
    });
    const addAgent = (extra: Record<string, unknown> = {}) =>
      fx.output.during(() => api(apiEvent({ body: { context: { ticket: 'T-1' }, ...extra } })));

    /** The refusal's log line: route, status, code and Twilio's own status/code. */
    function expectFailureLogged(
      level: 'info' | 'error',
      status: number,
      code: string,
      twilio: { status?: number; code?: number | string },
    ): void {
      const line = logs().find((l) => l.message === (level === 'error' ? 'request failed' : 'request refused'));
      expect(line).toBeDefined();
      expect(line).toMatchObject({ level, route: API_ROUTES.add, status, code });
      expect(line!.error).toMatchObject(twilio);
    }

    describe.each<[string, Fault, number, string, number]>([
      ['a 429 storm outlasting the retry budget', RATE_LIMITED, 429, 'rate_limited', 20429],
      ['a 16030 storm', RETRY_LATER, 502, 'twilio_error', 16030],
    ])('%s', (_name, fault, status, code, twilioCode) => {
      it(`retries within TWILIO_RETRY_BUDGET_MS, then answers ${status} ${code} and adds no agent`, async () => {
        // Arrange
        fx.world.failAlways('create', fault);
        const started = Date.now();
        // Act
        const response = await addAgent();
        // Assert
        const elapsed = Date.now() - started;
        expect(response.statusCode).toBe(status);
        expect(apiError(response)).toMatchObject({ code, twilioCode });
        expect(creates().length).toBeGreaterThanOrEqual(2);
        expect(creates().length).toBeLessThanOrEqual(6);
        expect(elapsed).toBeLessThan(BUDGET_MS + 1500);
        expect(fx.world.labelled('ai-agent')).toEqual([]);
        const retries = logs().filter((l) => l.message === 'participant create retried');
        expect(retries).toHaveLength(creates().length - 1);
        for (const retry of retries) expect(retry).toMatchObject({ level: 'warn', twilioCode });
        expectFailureLogged(status >= 500 ? 'error' : 'info', status, code, { code: twilioCode });
        expectNothingLeaked(response);
      });
    });

    describe.each<[string, Fault[], number]>([
      ['two 429s', [RATE_LIMITED, RATE_LIMITED], 3],
      ['a 16030', [RETRY_LATER], 2],
      ['a connection reset before Twilio acted', [RESET], 2],
    ])('%s, then success', (_name, faults, attempts) => {
      it('adds exactly one agent (201)', async () => {
        api = load('participants', env(fx.stub.baseUrl, RETRY_FITS_BUDGET_MS));
        fx.world.failNext('create', ...faults);
        const response = await addAgent();
        expect(response.statusCode).toBe(201);
        expect(creates()).toHaveLength(attempts);
        expect(fx.world.labelled('ai-agent')).toHaveLength(1);
        expectNothingLeaked(response);
      });
    });

    it('a connection reset after Twilio added the agent: the retry meets 16026, the agent is found by label (201, one agent)', async () => {
      api = load('participants', env(fx.stub.baseUrl, RETRY_FITS_BUDGET_MS));
      // Arrange: Twilio performs the create, the answer is lost.
      fx.world.failNext('create', { ...RESET, apply: true });
      // Act
      const response = await addAgent();
      // Assert: the label turns the retried create into 16026, and the participant our first attempt added is returned.
      expect(creates()).toHaveLength(2);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({
        label: 'ai-agent',
        callSid: fx.world.labelled('ai-agent')[0].callSid,
      });
      expect(logs().find((l) => l.message === 'participant create retried')).toMatchObject({
        networkError: 'ECONNRESET',
      });
      expect(logs().map((l) => l.message)).toContain('participant create answer was lost; found it by label');
      expectNothingLeaked(response);
    });

    it('a label asked for and already in use before the request (16026 on the first attempt) is still 409 label_in_use', async () => {
      api = load('participants', env(fx.stub.baseUrl, RETRY_FITS_BUDGET_MS));
      fx.world.seed('ai-agent');
      fx.world.failNext('create', RATE_LIMITED);
      const response = await addAgent({ label: 'ai-agent' });
      expect(response.statusCode).toBe(409);
      expect(apiError(response)).toMatchObject({ code: 'label_in_use', twilioCode: 16026 });
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
    });

    it('a reset storm answers 502 twilio_unreachable, logged with the network error code', async () => {
      fx.world.failAlways('create', RESET);
      const response = await addAgent();
      expect(response.statusCode).toBe(502);
      expect(apiError(response).code).toBe('twilio_unreachable');
      expect(fx.world.labelled('ai-agent')).toEqual([]);
      expectFailureLogged('error', 502, 'twilio_unreachable', { code: 'ECONNRESET' });
      expectNothingLeaked(response);
    });

    it('a Twilio 500 storm: the label-guarded create is retried within the budget, then 502 twilio_error', async () => {
      fx.world.failAlways('create', SERVER_ERROR);
      const started = Date.now();
      const response = await addAgent();
      expect(response.statusCode).toBe(502);
      expect(apiError(response).code).toBe('twilio_error');
      expect(creates().length).toBeGreaterThanOrEqual(2);
      expect(Date.now() - started).toBeLessThan(BUDGET_MS + 1500);
      expect(fx.world.labelled('ai-agent')).toEqual([]);
      expectFailureLogged('error', 502, 'twilio_error', { status: 500 });
      expectNothingLeaked(response);
    });

    describe.each<[string, Fault, number, string]>([
      ['Twilio refusing the credentials (401)', UNAUTHORIZED, 502, 'twilio_auth_failed'],
      ['an invalid number (21211)', twilioError(400, 21211, "Invalid 'To' Phone Number"), 400, 'twilio_rejected'],
    ])('%s', (_name, fault, status, code) => {
      it(`is not retried and answers ${status} ${code}`, async () => {
        fx.world.failAlways('create', fault);
        const response = await addAgent();
        expect(response.statusCode).toBe(status);
        expect(apiError(response).code).toBe(code);
        expect(creates()).toHaveLength(1);
        expectFailureLogged(status >= 500 ? 'error' : 'info', status, code, { status: fault.status });
        expectNothingLeaked(response);
      });
    });

    it('a duplicate label asked for (16026): 409 label_in_use naming label, and still one agent', async () => {
      fx.world.seed('ai-agent');
      const response = await addAgent({ label: 'ai-agent' });
      expect(response.statusCode).toBe(409);
      expect(apiError(response)).toMatchObject({ code: 'label_in_use', field: 'label', twilioCode: 16026 });
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      expect(creates()).toHaveLength(1);
      expectNothingLeaked(response);
    });

    describe.each([
      [
        'adding to it by CF SID (20404)',
        () => apiEvent({ body: {}, pathParameters: { conference: CONFERENCE_SID } }),
        20404,
      ],
      [
        'holding its caller (no active conference by that name)',
        () =>
          apiEvent({
            routeKey: API_ROUTES.update,
            body: { hold: true },
            pathParameters: { conference: fx.world.name, participant: 'caller' },
          }),
        undefined,
      ],
      [
        'removing a participant already gone (20404)',
        () =>
          apiEvent({
            routeKey: API_ROUTES.remove,
            pathParameters: { conference: CONFERENCE_SID, participant: 'human' },
          }),
        20404,
      ],
    ])('an ended conference: %s', (_name, event, twilioCode) => {
      it('answers 404 not_found and logs the refusal', async () => {
        fx.world.status = 'completed';
        const response = await fx.output.during(() => api(event()));
        expect(response.statusCode).toBe(404);
        expect(apiError(response).code).toBe('not_found');
        if (twilioCode) expect(apiError(response).twilioCode).toBe(twilioCode);
        expect(logs().some((l) => l.message === 'request refused' && l.status === 404 && l.code === 'not_found')).toBe(
          true,
        );
        expectNothingLeaked(response);
      });
    });

    it('a warm transfer whose human cannot be dialled (Twilio 500) takes the caller off hold again', async () => {
      fx.world.failAlways('create', SERVER_ERROR);
      const response = await fx.output.during(() =>
        api(apiEvent({ routeKey: API_ROUTES.transfer, body: { type: 'warm', target: '+15551230000' } })),
      );
      expect(response.statusCode).toBe(502);
      expect(fx.world.participants.get('caller')?.hold).toBe(false);
      const holds = fx.stub.requests
        .filter((r) => r.path.endsWith('/Participants/caller.json'))
        .map((r) => r.form.Hold);
      expect(holds).toEqual(['true', 'false']);
      expectNothingLeaked(response);
    });

    it('a slow answer under the transport timeout is waited for: one create, one agent', async () => {
      relay = await new DelayingRelay(fx.stub.baseUrl, () => UNDER_TIMEOUT_MS).start();
      api = load('participants', env(relay.baseUrl));
      const response = await addAgent();
      expect(response.statusCode).toBe(201);
      expect(creates()).toHaveLength(1);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
    });

    it('an answer slower than the timeout on a hold that exhausts a short budget is 502 twilio_unreachable, logged with ETIMEDOUT', async () => {
      relay = await new DelayingRelay(fx.stub.baseUrl, (i) => (i === 1 ? OVER_TIMEOUT_MS : 0)).start();
      api = load('participants', env(relay.baseUrl, SHORT_BUDGET_MS));
      const response = await fx.output.during(() =>
        api(
          apiEvent({
            routeKey: API_ROUTES.update,
            body: { hold: true },
            pathParameters: { conference: fx.world.name, participant: 'caller' },
          }),
        ),
      );
      expect(response.statusCode).toBe(502);
      expect(apiError(response).code).toBe('twilio_unreachable');
      const line = logs().find((l) => l.message === 'request failed');
      expect(line).toMatchObject({ route: API_ROUTES.update, status: 502, code: 'twilio_unreachable' });
      expect(line!.error).toMatchObject({ code: 'ETIMEDOUT' });
      expectNothingLeaked(response);
    });

    it('an answer slower than the timeout on a hold is retried (hold is idempotent): 200, caller on hold', async () => {
      // The budget counts from the first attempt, so it must exceed the timeout for a retry to fit.
      relay = await new DelayingRelay(fx.stub.baseUrl, (i) => (i === 1 ? OVER_TIMEOUT_MS : 0)).start();
      api = load('participants', env(relay.baseUrl, RETRY_FITS_BUDGET_MS));
      const response = await fx.output.during(() =>
        api(
          apiEvent({
            routeKey: API_ROUTES.update,
            body: { hold: true },
            pathParameters: { conference: fx.world.name, participant: 'caller' },
          }),
        ),
      );
      expect(response.statusCode).toBe(200);
      expect(fx.world.participants.get('caller')?.hold).toBe(true);
      expect(logs().find((l) => l.message === 'participant update retried')).toMatchObject({
        networkError: 'ETIMEDOUT',
      });
    });
  });

  describe('events webhook (participant-join adds the agent)', () => {
    let events: TestHandler;
    beforeEach(() => {
      events = load('events', env());
    });
    const join = () =>
      fx.output.during(() =>
        events(
          twilioEvent({
            path: PATHS.events,
            rawQueryString: CALLER_QUERY,
            params: conferenceEventParams('participant-join'),
          }),
        ),
      );

    /** The failure's log line and the event line of the same request: enough to find the call and the cause. */
    function expectWebhookFailureLogged(twilio: { status?: number; code?: number | string }): void {
      const failure = logs().find((l) => l.message === 'handler failed');
      expect(failure).toMatchObject({ level: 'error', handler: 'events', conferenceSid: CONFERENCE_SID });
      expect(failure!.error).toMatchObject(twilio);
      const event = logs().find((l) => l.message === 'conference event' && l.requestId === failure!.requestId);
      expect(event).toMatchObject({ event: 'participant-join', label: 'caller' });
    }

    /** The caller's call redirected to the fallback message: the deliberate end after the agent could not come. */
    const fallbackMessages = () =>
      fx.stub.requests.filter((r) => r.method === 'POST' && /\/Calls\/CA\w+\.json$/.test(r.path) && r.form.Twiml);

    describe.each<[string, Fault, number | string]>([
      ['a 429 storm', RATE_LIMITED, 20429],
      ['a Twilio 500 storm (the label guards the create)', SERVER_ERROR, 20500],
    ])('%s', (_name, fault, code) => {
      it('is retried within the budget, then the caller hears the fallback message (no second attempt inside the webhook): 204, logged', async () => {
        fx.world.failAlways('create', fault);
        const started = Date.now();
        const response = await join();
        expect(response.statusCode).toBe(204);
        expect(Date.now() - started).toBeLessThan(BUDGET_MS + 1500);
        expect(creates().length).toBeGreaterThanOrEqual(2);
        expect(fx.world.labelled('ai-agent')).toEqual([]);
        expect(fallbackMessages()).toHaveLength(1);
        expect(logs().find((l) => l.message === 'leg create failed')).toMatchObject({
          level: 'warn',
          cause: 'unavailable',
          twilioCode: code,
        });
        expectNothingLeaked(response);
      });
    });

    describe.each<[string, Fault]>([['Twilio refusing the credentials', UNAUTHORIZED]])('%s', (_name, fault) => {
      it('is not retried: the fallback message is refused too, so 500 to Twilio, logged with the status and code', async () => {
        fx.world.failAlways('create', fault);
        fx.stub.on('POST', /\/Calls\/CA\w+\.json$/, fault);
        const response = await join();
        expect(response.statusCode).toBe(500);
        expect(creates()).toHaveLength(1);
        expectWebhookFailureLogged({ status: fault.status, code: (fault.body as { code: number }).code });
        expectNothingLeaked(response);
      });
    });

    describe.each<[string, Fault[]]>([
      ['a 16030', [RETRY_LATER]],
      ['two 429s', [RATE_LIMITED, RATE_LIMITED]],
      ['a reset before Twilio acted', [RESET]],
      ['a reset after Twilio added the agent (answer lost)', [{ ...RESET, apply: true }]],
      ['a Twilio 500', [SERVER_ERROR]],
      ['a Twilio 500 after Twilio added the agent', [{ ...SERVER_ERROR, apply: true }]],
    ])('%s, then a retry', (_name, faults) => {
      it('ends with exactly one agent and 204', async () => {
        events = load('events', env(fx.stub.baseUrl, RETRY_FITS_BUDGET_MS));
        fx.world.failNext('create', ...faults);
        const response = await join();
        expect(response.statusCode).toBe(204);
        expect(fx.world.labelled('ai-agent')).toHaveLength(1);
        expect(logs().filter((l) => l.message === 'participant create retried')).toHaveLength(faults.length);
        expectNothingLeaked(response);
      });
    });

    it('an answer slower than the timeout after Twilio added the agent: the retry meets 16026, one agent', async () => {
      relay = await new DelayingRelay(fx.stub.baseUrl, (i) => (i === 0 ? OVER_TIMEOUT_MS : 0)).start();
      events = load('events', env(relay.baseUrl, RETRY_FITS_BUDGET_MS));
      const response = await join();
      expect(response.statusCode).toBe(204);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      expect(creates()).toHaveLength(2);
      expect(logs().find((l) => l.message === 'participant create retried')).toMatchObject({
        networkError: 'ETIMEDOUT',
      });
      expect(logs().map((l) => l.message)).toContain('participant create answer was lost; found it by label');
    });

    it('a duplicate label (16026, the agent is already there) is success: 204, one agent', async () => {
      fx.world.seed('ai-agent');
      const response = await join();
      expect(response.statusCode).toBe(204);
      expect(fx.world.labelled('ai-agent')).toHaveLength(1);
      expect(logs().find((l) => l.message === 'agent already in conference')).toMatchObject({ label: 'ai-agent' });
    });

    it('an ended conference (20404): nothing to do, 204, logged as a warning, no agent', async () => {
      fx.world.status = 'completed';
      const response = await join();
      expect(response.statusCode).toBe(204);
      expect(fx.world.labelled('ai-agent')).toEqual([]);
      expect(logs().find((l) => l.message === 'conference ended before the agent joined')).toMatchObject({
        level: 'warn',
        conferenceSid: CONFERENCE_SID,
        twilioCode: 20404,
      });
      expectNothingLeaked(response);
    });

    it('a cold transfer completing after the agent already left (20404) counts as done: 204', async () => {
      const query = `action=complete-cold-transfer&conferenceSid=${CONFERENCE_SID}&agentLabel=ai-agent`;
      const params = {
        AccountSid: conferenceEventParams('x').AccountSid,
        CallSid: conferenceEventParams('x').CallSid,
        CallStatus: 'in-progress',
      };
      const response = await fx.output.during(() =>
        events(twilioEvent({ path: PATHS.events, rawQueryString: query, params })),
      );
      expect(response.statusCode).toBe(204);
      expect(logs().find((l) => l.message === 'cold transfer completed')).toMatchObject({ agentRemoved: false });
    });
  });
});
