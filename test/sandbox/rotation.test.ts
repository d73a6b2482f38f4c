/**
 * Rotating secrets while calls flow, through the built bundles reading a local Secrets Manager as deployed:
 * the Twilio Auth Token the way SECURITY.md's runbook does it (secondary token at Twilio, the new value stored,
 * Twilio switching its signatures over), and the participants API token. No genuine webhook may be refused and
 * every caller must get an agent.
 */
import { validateRequest } from 'twilio/lib/webhooks/webhooks';
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  // Agent creates are API calls: a CPS above the call rate keeps Twilio's queue out of this test. The split layout:
  // the runbook meets containers of different ages (some replaced, events' still warm), which the emulator plays
  // per function (it runs one container per function, and the combined function would be replaced whole).
  sandbox = await startSandbox({
    quiet: true,
    secretsManager: true,
    twilio: { callsPerSecond: 100 },
    config: { functionLayout: 'split' },
  });
});

afterAll(async () => {
  await sandbox?.stop();
});

/** A conference event with a forged signature, sent to the stack's events route. */
function forgedEvent(signature: string): Promise<Response> {
  return fetch(`${sandbox.apiBaseUrl}/twilio/conference/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams({ AccountSid: sandbox.twilio.accountSid, StatusCallbackEvent: 'participant-join' }),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Places a call every `gapMs` until stopped; each call hangs up once its agent's stream has started. */
function placeCallsContinuously(gapMs: number) {
  const calls: string[] = [];
  const agentsConnected = new Set<string>();
  const failures: unknown[] = [];
  const pending: Promise<void>[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      pending.push(
        (async () => {
          const { callSid } = await sandbox.placeInboundCall({ from: `+1555${String(1_000_000 + i).slice(-7)}` });
          calls.push(callSid);
          await sandbox.agent?.waitForSession((s) => s.customParameters?.callerCallSid === callSid, 30_000);
          agentsConnected.add(callSid);
          await sandbox.twilio.hangup(callSid);
        })().catch((error: unknown) => {
          failures.push(error);
        }),
      );
      await sleep(gapMs);
    }
  })();
  return {
    calls,
    agentsConnected,
    failures,
    /** Resolves once `count` more calls have been placed. */
    async untilPlaced(count: number) {
      const target = calls.length + count;
      while (calls.length < target) await sleep(10);
    },
    async stop() {
      running = false;
      await loop;
      await Promise.all(pending);
    },
  };
}

it('rotating the Twilio Auth Token while calls flow: no genuine webhook refused, every caller gets an agent', async () => {
  // Arrange
  const store = sandbox.secretsManager!;
  const oldToken = sandbox.twilio.authToken;
  const flow = placeCallsContinuously(60);
  await flow.untilPlaced(10);

  // Act, as the runbook: 1. a secondary Auth Token at Twilio (webhooks still signed with the primary)
  const newToken = sandbox.twilio.createSecondaryAuthToken();
  await flow.untilPlaced(5);
  // The events container re-reads the secret now (a forged webhook's mismatch), so it holds only the old token,
  // fetched moments before the promotion: the case the refetch pacing must not turn into refusals.
  expect((await forgedEvent('nudge')).status).toBe(403);
  // 2. the new token stored as the secret's value (AWSCURRENT; the old one becomes AWSPREVIOUS)
  store.store.putSecretValue(store.twilioAuthTokenArn, newToken);
  await flow.untilPlaced(5);
  // Lambda replaces some containers meanwhile: cold ones read the new token and accept the previous one.
  sandbox.api.recycleFunctions(['inbound', 'agent']);
  await flow.untilPlaced(5);
  // 3. promotion at Twilio: webhooks are now signed with the new token and the old one is deleted. The warm events
  // container's first mismatch waits for its next paced read rather than being refused (operators following the
  // runbook wait out the cache age; this test does not).
  sandbox.twilio.promoteSecondaryAuthToken();
  await flow.untilPlaced(20);
  await flow.stop();

  // Assert
  const ours = sandbox.twilio.webhooks.filter((w) => w.url.startsWith(sandbox.apiBaseUrl));
  // Which token Twilio signed each webhook with, by twilio's own validator.
  const signedWith = (token: string) => ours.filter((w) => validateRequest(token, w.signature, w.url, w.params));
  const refused = ours.filter((w) => w.status === 403);
  const apiRefusals = sandbox.api.invocations.filter((i) => i.status === 403);
  const fetches = store.store.fetchesOf(store.twilioAuthTokenArn);
  console.log(
    `rotation: ${flow.calls.length} calls placed, ${flow.agentsConnected.size} agents connected, ${ours.length} webhooks to the stack (${signedWith(oldToken).length} signed with the old token, ${signedWith(newToken).length} with the new), ${refused.length} refused (403), ${fetches} GetSecretValue requests for the Auth Token`,
  );
  expect(oldToken).not.toBe(newToken);
  expect(sandbox.twilio.authToken).toBe(newToken);
  expect(signedWith(oldToken).length).toBeGreaterThan(0);
  expect(signedWith(newToken).length).toBeGreaterThan(0);
  expect(signedWith(oldToken).length + signedWith(newToken).length).toBe(ours.length);
  const errorLines = sandbox.api.logs().filter((line) => line.includes('"level":"error"'));
  expect(errorLines).toEqual([]);
  expect(flow.failures).toEqual([]);
  expect(refused).toEqual([]);
  // The one refusal is the forged nudge.
  expect(apiRefusals).toHaveLength(1);
  expect(flow.agentsConnected.size).toBe(flow.calls.length);
  expect(sandbox.twilio.alerts.filter((a) => a.level === 'error')).toEqual([]);
});

it('rotating the participants API token: the new token is accepted at once, the old one through its grace', async () => {
  // Arrange: a client has used the API with the current token (the container has cached it).
  const store = sandbox.secretsManager!;
  const oldToken = sandbox.apiToken;
  const newToken = `rotated-${oldToken}`;
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550009999' });
  await sandbox.agent?.waitForSession((s) => s.customParameters?.callerCallSid === callSid);
  const path = `/conferences/conf-${callSid}/participants`;
  expect((await sandbox.participantsApi('GET', path, undefined, oldToken)).status).toBe(200);

  // Act: the new token is stored and a client presents it at once.
  store.store.putSecretValue(store.participantsApiTokenArn, newToken);
  const withNew = await sandbox.participantsApi('GET', path, undefined, newToken);
  const withOld = await sandbox.participantsApi('GET', path, undefined, oldToken);
  const withNeither = await sandbox.participantsApi('GET', path, undefined, `${newToken}x`);

  // Assert
  expect(withNew.status).toBe(200);
  expect(withOld.status).toBe(200);
  expect(withNeither.status).toBe(401);
});

it('a flood of forged webhooks costs a container at most one Secrets Manager read per second, not one per request', async () => {
  // Arrange: the events container is warm (the calls above) and holds the current token.
  const store = sandbox.secretsManager!;
  const before = store.store.fetchesOf(store.twilioAuthTokenArn, 'AWSCURRENT');
  const started = Date.now();
  let forged = 0;

  // Act: forged signatures as fast as 8 clients can send them, for 2.5 s.
  await Promise.all(
    Array.from({ length: 8 }, async (_, client) => {
      while (Date.now() - started < 2_500) {
        const response = await forgedEvent(`forged-${client}-${forged}`);
        expect(response.status).toBe(403);
        forged++;
      }
    }),
  );
  const elapsedMs = Date.now() - started;

  // Assert: one read round (AWSCURRENT + AWSPREVIOUS) per started second at most, shared by the waiting forgeries.
  const reads = store.store.fetchesOf(store.twilioAuthTokenArn, 'AWSCURRENT') - before;
  console.log(
    `forged flood: ${forged} forged webhooks in ${elapsedMs} ms to one container, ${reads} Secrets Manager read rounds (${2 * reads} GetSecretValue requests)`,
  );
  expect(reads).toBeLessThanOrEqual(Math.floor(elapsedMs / 1_000) + 1);
  expect(forged).toBeGreaterThan(2 * reads);
});
