/**
 * The acceptance call (`npm run verify`'s code) against the sandbox: a healthy stack passes, and each fault fails
 * the step it breaks, with the cause Twilio's records (and Debugger alerts) point at. Whatever the outcome, no call
 * the run created is still up afterwards. Real HTTP on 127.0.0.1: the lean Twilio client against the emulator,
 * the participants API through the API Gateway emulator running the built bundles.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hopTable, verdict } from '../../lambdas/acceptance/report';
import { runAcceptanceCall, type AcceptanceResult, type StepOutcome } from '../../lambdas/acceptance/run';
import { createTwilioClient } from '../../lambdas/shared/twilio-client';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox';
import { sandboxIo, sandboxTarget, sandboxTimes } from '../../sandbox/acceptance';
import { callsPlaced, FINAL, liveCalls } from './support/live-calls';

const ALL_STEPS = [
  'credentials',
  'number',
  'app',
  'dial',
  'answered',
  'inbound',
  'agentJoined',
  'agentMedia',
  'participantsApi',
  'hangUp',
];

/** A port nobody listens on: the agent's WebSocket host is down. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Twilio seconds in real time, so the run's TimeLimit is a real minute; no CPS queue to wait out. */
async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ quiet: true, twilio: { timeScale: 1, callsPerSecond: Number.POSITIVE_INFINITY }, ...options });
}

describe('the acceptance call against the sandbox', () => {
  let s: Sandbox | undefined;
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it.each([
    ['the stack’s own number', undefined],
    ['a second number of the account', '+15005550010'],
  ])(
    'when the stack is healthy and the test call comes from %s, every step passes and the hop table shows the agent',
    async (_name, from) => {
      s = await sandbox();
      if (from) s.twilio.addIncomingNumber(from);

      const result = await runAcceptanceCall(sandboxTarget(s, from), sandboxIo(s), sandboxTimes(s));

      expect(result.failure).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.steps.map((step) => [step.id, step.ok])).toEqual(ALL_STEPS.map((id) => [id, true]));
      expect(hopTable(result)).toMatch(/agent connected in the conference/);
      expect(hopTable(result)).toMatch(/Time to agent: \d+ s by Twilio's timestamps .* first seen connected \d+ ms/);
      expect(result.legs.map((l) => [l.role, l.status])).toEqual([
        ['test call', 'completed'],
        ['inbound leg', 'completed'],
      ]);
      // The run hung the test call up itself (the TimeLimit of a minute had not come).
      const hangUp = s.twilio.requests.find((r) => r.operationId === 'UpdateCall' && r.form.Status === 'completed');
      expect(hangUp?.path).toContain(result.observations.outbound!.sid);
      expect(await liveCalls(s)).toEqual([]);
    },
  );

  const wrongAuthToken = 'f'.repeat(32);
  describe.each<
    [
      string,
      () => Promise<SandboxOptions>,
      (s: Sandbox) => Promise<{ from?: string; apiToken?: string; authToken?: string } | undefined>,
      string,
      RegExp,
      boolean,
    ]
  >([
    [
      'the agent’s WebSocket is unreachable',
      async () => ({ agentStreamUrl: `ws://127.0.0.1:${await closedPort()}/agent` }),
      async () => undefined,
      'agentMedia',
      /31902 Stream - WebSocket - Connection Refused/,
      true,
    ],
    [
      'the agent webhook answers 500',
      async () => ({}),
      async (x) => {
        x.api.failRoute('POST /twilio/voice/agent');
        return undefined;
      },
      'agentJoined',
      /agent webhook failed: 11200 HTTP retrieval failure on http:\/\/127\.0\.0\.1:\d+\/twilio\/voice\/agent\?…/,
      true,
    ],
    [
      'the number’s voice URL was changed outside Pulumi',
      async () => ({}),
      async (x) => {
        const account = createTwilioClient({
          accountSid: x.twilio.accountSid,
          username: x.twilio.accountSid,
          password: x.twilio.authToken,
          baseUrl: x.twilio.baseUrl,
        }).api.v2010.account;
        const [number] = await account.incomingPhoneNumbers.list({ phoneNumber: x.phoneNumber });
        await account.incomingPhoneNumbers(number.sid).update({ voiceUrl: 'https://example.com/someone-else' });
        return undefined;
      },
      'number',
      /drift: .*voice URL is https:\/\/example\.com\/someone-else, the stack sets http:\/\/127\.0\.0\.1:\d+\/twilio\/voice\/inbound/,
      false,
    ],
    [
      'the participants API token is wrong',
      async () => ({}),
      async () => ({ apiToken: 'not-the-token' }),
      'participantsApi',
      /participants API answered 401/,
      true,
    ],
    [
      'Twilio rejects the credentials',
      async () => ({}),
      async () => ({ authToken: wrongAuthToken }),
      'credentials',
      /401 \(20003 Authenticate\)/,
      false,
    ],
    [
      'the inbound webhook fails',
      async () => ({}),
      async (x) => {
        x.api.failRoute('POST /twilio/voice/inbound');
        return undefined;
      },
      'inbound',
      /inbound webhook failed: 11200 .*answered HTTP 500/,
      true,
    ],
    [
      'the test call comes from a number the account does not own',
      async () => ({}),
      async () => ({ from: '+15550009999' }),
      'dial',
      /21210 .*--from \+15550009999 must be a number of this account or a verified caller ID/,
      false,
    ],
  ])('when %s', (_name, options, arrange, step, cause, dials) => {
    let result: AcceptanceResult;
    beforeEach(async () => {
      s = await sandbox(await options());
      const given = await arrange(s);
      result = await runAcceptanceCall(sandboxTarget(s, given?.from), sandboxIo(s, given ?? {}), sandboxTimes(s));
    });

    it(`the run fails at ${step}, naming the cause`, () => {
      expect(result.ok).toBe(false);
      expect(result.failure?.step).toBe(step);
      expect(result.failure?.cause).toMatch(cause);
      expect(verdict(result)).toContain(`FAILED at "${result.failure?.title}" (${step})`);
      // Only steps before the failed one passed, in order; the failed one is reported once; then the hang-up.
      const order = (id: string) => ALL_STEPS.indexOf(id);
      const passed = result.steps.filter((x) => x.ok && x.id !== 'hangUp').map((x) => x.id);
      expect(passed.filter((id) => order(id) >= order(step))).toEqual([]);
      expect(passed).toEqual([...passed].sort((a, b) => order(a) - order(b)));
      expect(result.steps.filter((x) => !x.ok).map((x) => x.id)).toEqual([step]);
      expect(result.steps.some((x) => x.id === 'hangUp' && x.ok)).toBe(dials);
    });

    it(`${dials ? 'the test call was placed, and' : 'nothing was dialled, and'} no call it created is still up`, async () => {
      expect(callsPlaced(s!)).toBe(dials ? 1 : 0);
      expect(result.legs.every((l) => FINAL.has(l.status))).toBe(true);
      expect(await liveCalls(s!)).toEqual([]);
    });

    it('no secret is in what the run reports', () => {
      const text = JSON.stringify(result) + verdict(result);
      for (const secret of [s!.apiToken, s!.twilio.authToken, wrongAuthToken, 'not-the-token'])
        expect(text).not.toContain(secret);
      expect(text).not.toMatch(/callToken=|parentCallInfoToken/);
    });
  });

  it('when the run is aborted (Ctrl-C) once the agent joined, it stops, says so and hangs up the test call', async () => {
    s = await sandbox();
    const controller = new AbortController();
    const progress = (step: StepOutcome) => {
      if (step.id === 'agentJoined') controller.abort('SIGINT');
    };

    const result = await runAcceptanceCall(
      sandboxTarget(s),
      sandboxIo(s, {}, progress),
      sandboxTimes(s, { mediaHoldSeconds: 30 }),
      controller.signal,
    );

    expect(result.failure).toMatchObject({ step: 'agentMedia', cause: 'interrupted (SIGINT)' });
    expect(result.legs.map((l) => l.status)).toEqual(['completed', 'completed']);
    expect(await liveCalls(s)).toEqual([]);
  });
});
