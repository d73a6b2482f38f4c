/**
 * Load with Twilio faults through the sandbox: N concurrent inbound calls (LOAD_CALLS, default 100; SECURITY.md
 * quotes a 500-call run) while the emulator answers a stated share of participant creates with faults. Every call
 * must end with exactly one agent, or with no agent and a logged, explained failure; never two.
 */
import { startSandbox, type Sandbox } from '../../sandbox';

const CALLS = Number(process.env.LOAD_CALLS ?? 100);
/** Faults on the first participant creates, as shares of the calls placed (in this order). */
const FAULTS = {
  rateLimited429: 0.1,
  retryLater16030: 0.04,
  serverError500: 0.02,
  connectionReset: 0.02,
  invalidFrom21212: 0.02,
};

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});

afterAll(async () => {
  await sandbox?.stop();
});

it(`ends each of ${CALLS} concurrent calls with exactly one agent or a logged failure, under injected faults`, async () => {
  // Arrange
  const faults = sandbox.twilio.faults;
  faults.rateLimit('CreateParticipant', Math.round(CALLS * FAULTS.rateLimited429));
  faults.participantAddFailure(Math.round(CALLS * FAULTS.retryLater16030));
  faults.serverError('CreateParticipant', Math.round(CALLS * FAULTS.serverError500));
  faults.reset('CreateParticipant', Math.round(CALLS * FAULTS.connectionReset));
  // A rejection no retry can fix (Twilio refusing the From number): those calls must fail visibly, not silently.
  faults.inject(
    'CreateParticipant',
    { status: 400, code: 21212, message: "The 'From' number is not a valid phone number" },
    Math.round(CALLS * FAULTS.invalidFrom21212),
  );
  const started = Date.now();

  // Act
  const calls = await Promise.all(
    Array.from({ length: CALLS }, (_, i) => sandbox.placeInboundCall({ from: `+1555${String(2000000 + i)}` })),
  );
  const conferenceOf = (callSid: string) => `conf-${callSid}`;
  const agentsIn = (callSid: string) =>
    sandbox.twilio.events.filter(
      (e) => e.type === 'conference-join' && e.friendlyName === conferenceOf(callSid) && e.label === 'ai-agent',
    ).length;
  // A call settles with its agent joined, or with the caller's participant-join answered 5xx (no agent, logged).
  const failedJoin = (callSid: string) =>
    sandbox.twilio.webhooks.some(
      (w) =>
        w.purpose === 'conference-status' &&
        w.params.FriendlyName === conferenceOf(callSid) &&
        w.params.StatusCallbackEvent === 'participant-join' &&
        (w.status ?? 0) >= 500,
    );
  await sandbox.twilio.waitUntil(
    () => calls.every((c) => agentsIn(c.callSid) === 1 || failedJoin(c.callSid)),
    60_000,
    'every call settled',
  );
  await sandbox.twilio.settle();
  const elapsedMs = Date.now() - started;

  // Assert
  const perCall = calls.map((c) => agentsIn(c.callSid));
  const failures = sandbox.api
    .logs()
    .map((line) => {
      try {
        return JSON.parse(line) as {
          level?: string;
          message?: string;
          error?: { code?: number | string; status?: number };
        };
      } catch {
        return undefined;
      }
    })
    .filter((l) => l?.level === 'error' && l.message === 'handler failed');
  const byCause: Record<string, number> = {};
  for (const f of failures)
    byCause[String(f!.error?.code ?? f!.error?.status ?? 'unknown')] =
      (byCause[String(f!.error?.code ?? f!.error?.status ?? 'unknown')] ?? 0) + 1;
  const figures = {
    callsPlaced: CALLS,
    faultsInjected: sandbox.twilio.faults.applied.length,
    agentsAdded: perCall.filter((n) => n === 1).length,
    duplicates: perCall.filter((n) => n > 1).length,
    callsWithoutAgent: perCall.filter((n) => n === 0).length,
    loggedFailuresByCause: byCause,
    elapsedMs,
  };
  console.log(`sandbox load with faults: ${JSON.stringify(figures)}`);
  expect(figures.duplicates).toBe(0);
  expect(figures.agentsAdded + figures.callsWithoutAgent).toBe(CALLS);
  expect(failures.length).toBe(figures.callsWithoutAgent);
  // 429, 16030, 500 and resets are retried (the label makes a repeated create safe) and cost no agent; only the
  // 21212 rejections do, each logged with its code.
  expect(figures.callsWithoutAgent).toBe(Math.round(CALLS * FAULTS.invalidFrom21212));
  expect(byCause).toEqual({ '21212': figures.callsWithoutAgent });
}, 120_000);
