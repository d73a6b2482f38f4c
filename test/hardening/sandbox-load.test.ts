/**
 * The bad day under load, through the sandbox: N concurrent inbound calls (LOAD_CALLS, default 100; the README
 * quotes a 500-call run) while the emulator mixes in, at stated rates, Twilio REST faults, agent creates refused for
 * good, agent legs that are busy, fail or ring out, agents that drop mid-call, callers who hang up at once and,
 * once the burst is over, callers who hang up after joining while their agent is on its way (its leg ringing).
 * Every call must end with the agent (one at a time), or with a deliberate outcome (the fallback message, the caller
 * hanging up): 0 callers stranded, no leg joining an empty conference; every injected REST fault fired; the split of
 * outcomes is the one injected; and the metrics the functions emitted (read as CloudWatch reads EMF) add up to what
 * happened.
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { callOutcome, violations } from '../sandbox/support/call-outcome';
import { type Datapoint, datapointsIn } from '../support/emf';

const CALLS = Number(process.env.LOAD_CALLS ?? 100);
/** Failures, as shares of the calls placed. */
const RATES = {
  rateLimited429: 0.1,
  retryLater16030: 0.04,
  serverError500: 0.02,
  connectionReset: 0.02,
  invalidFrom21212: 0.02,
  agentBusy: 0.04,
  agentFailed: 0.02,
  agentNoAnswer: 0.02,
  agentDropsMidCall: 0.04,
  callerHangsUpAtOnce: 0.02,
  callerHangsUpWhileAgentRings: 0.02,
};
const count = (rate: number) => Math.round(CALLS * rate);
/** Time for the burst to settle: one emulator process serialises every call on this 2-core machine. */
const SETTLE_MS = Math.max(90_000, CALLS * 600);

let sandbox: Sandbox;

beforeAll(async () => {
  // The creates of the burst arrive at one Twilio instant and queue at Twilio's default 1 call per second, as a real
  // burst would: on the emulator's own clock (1000x faster) the seconds this machine takes to place them would spread
  // them out and nothing would queue.
  sandbox = await startSandbox({ quiet: true, twilio: { queueClock: () => 0 } });
});

afterAll(async () => {
  await sandbox?.stop();
});

it(
  `ends each of ${CALLS} concurrent calls with the agent or a deliberate outcome under a mixed bad day, and the metrics add up`,
  async () => {
    // Arrange
    const { faults, script } = sandbox.twilio;
    const app = `app:${sandbox.twimlAppSid}`;
    faults.rateLimit('CreateParticipant', count(RATES.rateLimited429));
    faults.participantAddFailure(count(RATES.retryLater16030));
    faults.serverError('CreateParticipant', count(RATES.serverError500));
    faults.reset('CreateParticipant', count(RATES.connectionReset));
    script.rejectCreate(app, 21212, { times: count(RATES.invalidFrom21212) });
    script.leg(app, 'busy', count(RATES.agentBusy));
    script.leg(app, 'failed', count(RATES.agentFailed));
    script.leg(app, 'no-answer', count(RATES.agentNoAnswer));
    // Each planned drop goes to a different call's first agent session (a retried agent is not dropped again).
    const dropped = new Set<string>();
    const firstSessionOfACall = (s: { customParameters?: Record<string, string> }) => {
      const call = s.customParameters?.callerCallSid ?? '';
      if (dropped.has(call)) return false;
      dropped.add(call);
      return true;
    };
    for (let i = 0; i < count(RATES.agentDropsMidCall); i++)
      sandbox.agent!.plan({ do: 'close', afterMs: 50 }, firstSessionOfACall);
    const started = Date.now();

    // Act
    const place = (n: number, offset: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) => sandbox.placeInboundCall({ from: `+1555${String(2000000 + offset + i)}` })),
      );
    const settled = (callSid: string) => {
      const o = callOutcome(sandbox.twilio, callSid);
      const agentNow = sandbox.twilio
        .participants(`conf-${callSid}`)
        .some((p) => p.label === 'ai-agent' && p.status === 'connected');
      return agentNow || o.ended;
    };
    const settle = async (placed: readonly { callSid: string }[], what: string) => {
      await sandbox.twilio.waitUntil(() => placed.every((c) => settled(c.callSid)), SETTLE_MS, what);
      await sandbox.twilio.settle();
    };
    const hangUps = count(RATES.callerHangsUpAtOnce);
    const lateHangUps = count(RATES.callerHangsUpWhileAgentRings);
    const main = place(CALLS - hangUps - lateHangUps, 0);
    // Callers who hang up as soon as they are through, while the rest of the burst is in flight.
    const quitters = await place(hangUps, CALLS - hangUps - lateHangUps);
    await Promise.all(quitters.map((c) => sandbox.twilio.hangup(c.callSid)));
    const burst = [...(await main), ...quitters];
    await settle(burst, 'every call of the burst settled');
    const faultsLeft = faults.pending;
    // Then callers who joined and hang up while their agent is on its way: each hangs up the moment its agent leg
    // rings (a microtask after the event, before any timer, so the leg cannot answer first), whatever the machine's
    // pace.
    const ringingAgentOf = (callSid: string) => (legSid: string) =>
      sandbox.twilio.participants(`conf-${callSid}`).some((p) => p.callSid === legSid && p.label === 'ai-agent');
    const waitingForAgent = new Map<string, (legSid: string) => boolean>();
    const stopWatching = sandbox.twilio.on('event', (event) => {
      if (event.type !== 'call-status' || event.status !== 'ringing') return;
      for (const [caller, isItsAgent] of waitingForAgent)
        if (isItsAgent(event.callSid)) {
          waitingForAgent.delete(caller);
          queueMicrotask(() => void sandbox.twilio.hangup(caller));
        }
    });
    const late = await Promise.all(
      Array.from({ length: lateHangUps }, async (_, i) => {
        const call = await sandbox.placeInboundCall({ from: `+1555${String(2000000 + CALLS - lateHangUps + i)}` });
        waitingForAgent.set(call.callSid, ringingAgentOf(call.callSid));
        return call;
      }),
    );
    await settle(late, 'every late caller settled');
    stopWatching();
    const calls = [...burst, ...late];
    const elapsedMs = Date.now() - started;
    // Function log lines reach the emulator through worker stdout a moment after each answer.
    const emitted = () => datapointsIn(sandbox.api.logs());
    await waitForQuiet(() => sandbox.api.logs().length);

    // Assert: the invariant, call by call
    const outcomes = calls.map((c) => callOutcome(sandbox.twilio, c.callSid));
    const stranded = outcomes.filter((o) => violations(o).length > 0);
    const withAgent = outcomes.filter((o) => o.agentJoins > 0 && !o.heardFallback);
    const fallbackHeard = outcomes.filter((o) => o.heardFallback && o.ended);
    const callerLeft = outcomes.filter((o) => o.agentJoins === 0 && !o.heardFallback && o.callerHungUp);
    const points = emitted();
    const total = (name: string, dims: Record<string, string> = {}) =>
      points
        .filter((p) => p.name === name && Object.entries(dims).every(([k, v]) => p.dimensions[k] === v))
        .filter((p) => Object.keys(p.dimensions).length === 1 + Object.keys(dims).length)
        .reduce((sum, p) => sum + p.value, 0);
    const samples = (name: string) => points.filter((p: Datapoint) => p.name === name).length;
    const agentSessions = sandbox.agent!.sessions.filter((s) =>
      calls.some((c) => c.callSid === s.customParameters?.callerCallSid),
    );
    const figures = {
      callsPlaced: CALLS,
      rates: RATES,
      stranded: stranded.length,
      endedWithAgent: withAgent.length,
      endedWithFallbackMessage: fallbackHeard.length,
      callerHungUpFirst: callerLeft.length,
      agentLegsJoined: outcomes.reduce((n, o) => n + o.agentJoins, 0),
      twoAgentsAtOnce: outcomes.filter((o) => o.maxAgentsAtOnce > 1).length,
      metrics: {
        CallsStarted: total('CallsStarted'),
        AgentJoinFailures: Object.fromEntries(
          ['rejected', 'busy', 'failed', 'no-answer', 'dropped', 'unavailable', 'canceled'].map((c) => [
            c,
            total('AgentJoinFailures', { Cause: c }),
          ]),
        ),
        Fallbacks: Object.fromEntries(
          ['retry', 'target', 'message', 'voicemail'].map((k) => [k, total('Fallbacks', { Kind: k })]),
        ),
        CallsEndedUnattended: total('CallsEndedUnattended'),
        TimeToAgentSamples: samples('TimeToAgent'),
        AgentQueueTimeSamples: samples('AgentQueueTime'),
        AgentQueueTimeMaxMs: Math.max(0, ...points.filter((p) => p.name === 'AgentQueueTime').map((p) => p.value)),
      },
      elapsedMs,
    };
    console.log(`sandbox bad-day load: ${JSON.stringify(figures)}`);

    expect(stranded.map((o) => ({ callSid: o.callSid, problems: violations(o) }))).toEqual([]);
    expect(figures.twoAgentsAtOnce).toBe(0);
    // Every injected REST fault fired, during the burst, and the stack met each one.
    expect(faultsLeft).toBe(0);
    const creates = (status: number) =>
      sandbox.twilio.requests.filter((r) => r.operationId === 'CreateParticipant' && r.status === status);
    expect(creates(429)).toHaveLength(count(RATES.rateLimited429));
    expect(creates(500)).toHaveLength(count(RATES.serverError500));
    expect(creates(400).filter((r) => (r.responseBody as { code?: number }).code === 16030)).toHaveLength(
      count(RATES.retryLater16030),
    );
    expect(faults.applied.filter((a) => a.fault.reset)).toHaveLength(count(RATES.connectionReset));
    // What was injected is what the outcomes and the metrics show.
    expect({
      withAgent: withAgent.length,
      fallbackMessage: fallbackHeard.length,
      callerHungUpFirst: callerLeft.length,
    }).toEqual({
      withAgent: CALLS - count(RATES.invalidFrom21212) - hangUps - lateHangUps,
      fallbackMessage: count(RATES.invalidFrom21212),
      callerHungUpFirst: hangUps + lateHangUps,
    });
    // The late callers left while their agent's leg rang: their agent was on its way (a create Twilio accepted).
    expect(late.filter((c) => agentCreateSent(c.callSid))).toHaveLength(lateHangUps);
    expect(figures.metrics.AgentJoinFailures).toMatchObject({
      rejected: count(RATES.invalidFrom21212),
      busy: count(RATES.agentBusy),
      failed: count(RATES.agentFailed),
      'no-answer': count(RATES.agentNoAnswer),
      dropped: count(RATES.agentDropsMidCall),
    });
    const legFailures = count(RATES.agentBusy) + count(RATES.agentFailed) + count(RATES.agentNoAnswer);
    expect(figures.metrics.Fallbacks).toEqual({
      retry: legFailures + count(RATES.agentDropsMidCall),
      target: 0,
      message: fallbackHeard.length,
      voicemail: 0,
    });
    // Every caller who joined was counted once; every answered agent leg reported its time to agent.
    const joined = calls.filter((c) =>
      sandbox.twilio.events.some((e) => e.type === 'conference-join' && e.callSid === c.callSid),
    ).length;
    expect(figures.metrics.CallsStarted).toBe(joined);
    expect(figures.metrics.TimeToAgentSamples).toBe(agentSessions.length);
    expect(figures.metrics.AgentQueueTimeSamples).toBe(
      sandbox.twilio.requests.filter(
        (r) =>
          r.method === 'POST' &&
          /Participants\.json$/.test(r.path) &&
          String(r.form.To).startsWith(app) &&
          r.status === 201,
      ).length,
    );
    // Unattended: the calls that ended with the message (nobody had talked), and callers who left while their agent
    // was on its way.
    expect(figures.metrics.CallsEndedUnattended).toBe(
      fallbackHeard.length + callerLeft.filter((o) => agentCreateSent(o.callSid)).length,
    );
  },
  SETTLE_MS + 90_000,
);

/** Whether the stack sent an agent create for this call that Twilio accepted. */
function agentCreateSent(callSid: string): boolean {
  return sandbox.twilio.requests.some(
    (r) =>
      r.method === 'POST' &&
      /Participants\.json$/.test(r.path) &&
      String(r.form.To).includes(callSid) &&
      r.status === 201,
  );
}

/** Resolves once `size()` has not changed for a little while (the functions' log lines have all arrived). */
async function waitForQuiet(size: () => number): Promise<void> {
  let last = -1;
  while (size() !== last) {
    last = size();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
