/**
 * The bad day end to end (issue 12): each failure through the sandbox (the built bundles behind the API Gateway
 * emulator, the Twilio emulator's scripted failures, the sample agent), asserting that no caller is left alone,
 * and that the metrics the functions wrote (read as CloudWatch reads EMF) say what happened.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { datapointsIn, sumOf } from '../support/emf';
import { callOutcome, violations } from './support/call-outcome';

const HUMAN = '+15550002222';
const FALLBACK = '+15550009999';

/** Runs the sandbox for one describe block with `config`; `metric()` sums what the events function reported since. */
function sandboxWith(config: Record<string, string>) {
  const ctx = { sandbox: undefined as unknown as Sandbox, linesBefore: 0 };
  beforeAll(async () => {
    ctx.sandbox = await startSandbox({ quiet: true, config, twilio: { callsPerSecond: Number.POSITIVE_INFINITY } });
  });
  afterAll(async () => {
    await ctx.sandbox?.stop();
  });
  beforeEach(() => {
    ctx.linesBefore = ctx.sandbox.api.logs().length;
  });
  const metric = (name: string, dimensions: Record<string, string> = {}) => {
    const lines = ctx.sandbox.api.logs().slice(ctx.linesBefore);
    const points = datapointsIn(lines);
    const service = points.find((p) => p.dimensions.Service)?.dimensions.Service ?? '';
    return sumOf(points, name, { Service: service, ...dimensions });
  };
  return { ctx, metric };
}

/**
 * Waits until `assertion` passes (or fails with its last error after 5 s): a function's log lines reach the
 * API Gateway emulator through its worker's stdout, a moment after the function answered.
 */
async function eventually(assertion: () => void): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Places a call and waits until the emulator has nothing left in flight for it. */
async function callAndSettle(sandbox: Sandbox, from: string, until: (callSid: string) => boolean, what: string) {
  const { callSid } = await sandbox.placeInboundCall({ from });
  await sandbox.twilio.waitUntil(() => until(callSid), 10_000, what);
  await sandbox.twilio.settle();
  return callSid;
}

const connected = (sandbox: Sandbox, callSid: string, label: string) =>
  sandbox.twilio.participants(`conf-${callSid}`).some((p) => p.label === label && p.status === 'connected');

describe('without a fallback target (defaults: one retry, then the message)', () => {
  const { ctx, metric } = sandboxWith({});

  it.each(['busy', 'failed', 'no-answer'] as const)(
    'when the first agent leg is %s, dials the agent again with the same context and the caller gets it',
    async (outcome) => {
      const { sandbox } = ctx;
      sandbox.twilio.script.nextLeg(`app:${sandbox.twimlAppSid}`, outcome);

      const callSid = await callAndSettle(sandbox, '+15557650001', (c) => connected(sandbox, c, 'ai-agent'), 'agent');

      expect(violations(callOutcome(sandbox.twilio, callSid))).toEqual([]);
      const sessions = sandbox.agent!.sessions.filter((s) => s.customParameters?.callerCallSid === callSid);
      expect(sessions.map((s) => s.customParameters)).toEqual([
        { caller: '+15557650001', callerCallSid: callSid, conference: `conf-${callSid}` },
      ]);
      await eventually(() =>
        expect([metric('AgentJoinFailures', { Cause: outcome }), metric('Fallbacks', { Kind: 'retry' })]).toEqual([
          1, 1,
        ]),
      );
    },
  );

  it('when the agent create is rejected for good (21212), the caller hears the message and the call ends', async () => {
    const { sandbox } = ctx;
    sandbox.twilio.script.rejectCreate(`app:${sandbox.twimlAppSid}`, 21212);

    const callSid = await callAndSettle(
      sandbox,
      '+15557650002',
      (c) => sandbox.twilio.call(c)?.status === 'completed',
      'the call ends',
    );

    const outcome = callOutcome(sandbox.twilio, callSid);
    expect(violations(outcome)).toEqual([]);
    expect([outcome.agentJoins, outcome.heardFallback, outcome.ended]).toEqual([0, true, true]);
    await eventually(() =>
      expect([
        metric('AgentJoinFailures', { Cause: 'rejected' }),
        metric('Fallbacks', { Kind: 'message' }),
        metric('CallsEndedUnattended'),
      ]).toEqual([1, 1, 1]),
    );
  });

  it('when every agent leg fails, tries once more, then the caller hears the message and the call ends', async () => {
    const { sandbox } = ctx;
    sandbox.twilio.script.leg(`app:${sandbox.twimlAppSid}`, 'failed', 2);

    const callSid = await callAndSettle(
      sandbox,
      '+15557650003',
      (c) => sandbox.twilio.call(c)?.status === 'completed',
      'the call ends',
    );

    expect(violations(callOutcome(sandbox.twilio, callSid))).toEqual([]);
    await eventually(() =>
      expect([metric('AgentJoinFailures', { Cause: 'failed' }), metric('Fallbacks', { Kind: 'message' })]).toEqual([
        2, 1,
      ]),
    );
  });

  it('when the agent drops mid-call, a new agent leg with the same context takes over', async () => {
    const { sandbox } = ctx;
    sandbox.agent!.plan({ do: 'close', afterMs: 20 });

    const callSid = await callAndSettle(
      sandbox,
      '+15557650004',
      (c) =>
        sandbox.agent!.sessions.filter((s) => s.customParameters?.callerCallSid === c).length === 2 &&
        connected(sandbox, c, 'ai-agent'),
      'a second agent session',
    );

    const outcome = callOutcome(sandbox.twilio, callSid);
    expect(violations(outcome)).toEqual([]);
    expect([outcome.agentJoins, outcome.maxAgentsAtOnce]).toEqual([2, 1]);
    const contexts = sandbox
      .agent!.sessions.filter((s) => s.customParameters?.callerCallSid === callSid)
      .map((s) => s.customParameters);
    expect(contexts[1]).toEqual(contexts[0]);
    await eventually(() => expect(metric('AgentJoinFailures', { Cause: 'dropped' })).toBe(1));
  });

  it('when the human of a warm transfer does not answer, the caller comes off hold, back with the agent', async () => {
    const { sandbox } = ctx;
    sandbox.twilio.script.leg(HUMAN, 'no-answer', 1);
    const callSid = await callAndSettle(sandbox, '+15557650005', (c) => connected(sandbox, c, 'ai-agent'), 'agent');

    const started = await sandbox.participantsApi('POST', `/conferences/conf-${callSid}/transfers`, {
      type: 'warm',
      target: HUMAN,
    });
    await sandbox.twilio.waitUntil(
      () =>
        sandbox.twilio.events.some(
          (e) => e.type === 'conference-leave' && e.friendlyName === `conf-${callSid}` && e.label === 'human',
        ),
      10_000,
      'the human leg gives up',
    );
    await sandbox.twilio.settle();

    expect(started.status).toBe(201);
    const caller = sandbox.twilio.participants(`conf-${callSid}`).find((p) => p.label === 'caller');
    expect(caller?.hold).toBe(false);
    expect(connected(sandbox, callSid, 'ai-agent')).toBe(true);
    expect(violations(callOutcome(sandbox.twilio, callSid))).toEqual([]);
    await eventually(() => expect(metric('TransferOutcomes', { Outcome: 'no-answer' })).toBe(1));
  });
});

describe('with a fallback target', () => {
  const { ctx, metric } = sandboxWith({ fallbackTarget: FALLBACK });

  it('when the agent cannot be reached twice, dials the fallback target, who takes the call', async () => {
    const { sandbox } = ctx;
    sandbox.twilio.script.leg(`app:${sandbox.twimlAppSid}`, 'busy', 2);

    const callSid = await callAndSettle(sandbox, '+15557650007', (c) => connected(sandbox, c, 'fallback'), 'fallback');

    const outcome = callOutcome(sandbox.twilio, callSid);
    expect(violations(outcome)).toEqual([]);
    expect([outcome.agentJoins, outcome.otherJoins]).toEqual([0, 1]);
    await eventually(() =>
      expect([
        metric('AgentJoinFailures', { Cause: 'busy' }),
        metric('Fallbacks', { Kind: 'retry' }),
        metric('Fallbacks', { Kind: 'target' }),
        metric('TransferOutcomes', { Outcome: 'answered' }),
      ]).toEqual([2, 1, 1, 1]),
    );
  });

  it('when the fallback target does not answer either, the caller hears the message and the call ends', async () => {
    const { sandbox } = ctx;
    sandbox.twilio.script.rejectCreate(`app:${sandbox.twimlAppSid}`, 21210);
    sandbox.twilio.script.leg(FALLBACK, 'no-answer', 1);

    const callSid = await callAndSettle(
      sandbox,
      '+15557650008',
      (c) => sandbox.twilio.call(c)?.status === 'completed',
      'the call ends',
    );

    const outcome = callOutcome(sandbox.twilio, callSid);
    expect(violations(outcome)).toEqual([]);
    expect(outcome.heardFallback).toBe(true);
    await eventually(() =>
      expect([metric('TransferOutcomes', { Outcome: 'no-answer' }), metric('CallsEndedUnattended')]).toEqual([1, 1]),
    );
  });
});

describe('when the conference outlives the caller (conferenceEndOnCallerExit=false)', () => {
  const { ctx } = sandboxWith({ conferenceEndOnCallerExit: 'false' });

  it.each([
    ['while the agent is being added', false],
    ['while talking to the agent', true],
  ])(
    'when the caller hangs up %s, no agent leg stays in (or joins) the empty conference',
    async (_when, waitForAgent) => {
      const { sandbox } = ctx;
      const { callSid } = await sandbox.placeInboundCall({ from: '+15557650006' });
      await sandbox.twilio.waitUntil(
        () =>
          waitForAgent
            ? connected(sandbox, callSid, 'ai-agent')
            : sandbox.twilio.requests.some(
                (r) => r.method === 'POST' && /Participants\.json$/.test(r.path) && String(r.form.To).includes(callSid),
              ),
        10_000,
        waitForAgent ? 'the agent joins' : 'the agent create',
      );

      await sandbox.twilio.hangup(callSid);
      await sandbox.twilio.waitUntil(
        () =>
          !sandbox.twilio
            .participants(`conf-${callSid}`)
            .some((p) => p.label === 'ai-agent' && ['queued', 'ringing', 'connected'].includes(p.status)),
        10_000,
        'the agent leg gone',
      );
      await sandbox.twilio.settle();

      const outcome = callOutcome(sandbox.twilio, callSid);
      expect(violations(outcome)).toEqual([]);
      expect(outcome.joinsAfterCallerLeft).toBe(0);
    },
  );
});
