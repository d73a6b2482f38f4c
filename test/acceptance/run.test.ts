/**
 * The acceptance call's run on scripted ports and a fake clock: what the sandbox cannot stage on demand (a stack
 * that never adds the agent, an agent leg replaced between two reads, records that fail mid-run). The real
 * exchanges are in test/sandbox/acceptance-call.test.ts.
 */
import { DEFAULT_TIMES, type AcceptanceTarget } from '../../lambdas/acceptance/plan';
import {
  type CallLeg,
  type Clock,
  type ParticipantInfo,
  TwilioRequestError,
  type TwilioRecords,
} from '../../lambdas/acceptance/records';
import { runAcceptanceCall } from '../../lambdas/acceptance/run';

const NUMBER = '+15550001111';
const TARGET: AcceptanceTarget = {
  stack: 'dev',
  phoneNumber: NUMBER,
  from: NUMBER,
  apiBaseUrl: 'https://api.example.com',
  webhooks: {
    inbound: 'https://api.example.com/twilio/voice/inbound',
    agent: 'https://api.example.com/twilio/voice/agent',
    agentFallback: 'https://api.example.com/twilio/voice/agent-fallback',
  },
  conferencePrefix: 'conf-',
  callerLabel: 'caller',
  agentLabel: 'ai-agent',
  agentMode: 'stream',
};
const TIMES = { ...DEFAULT_TIMES, agentDeadlineSeconds: 10, mediaHoldSeconds: 5, pollMs: 500, alertWaitSeconds: 0 };

/** A clock that moves only when the run sleeps. */
function fakeClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

/**
 * A Twilio account holding one call to the stack's number: the test call, its inbound leg, the caller's conference;
 * `agents(read)` says which agent participants the n-th participants read shows.
 */
function scriptedTwilio(agents: (read: number) => ParticipantInfo[]) {
  const legs = new Map<string, CallLeg>();
  const leg = (sid: string, direction: string): CallLeg => ({
    sid,
    from: NUMBER,
    to: NUMBER,
    direction,
    status: 'in-progress',
    parentCallSid: null,
    dateCreated: new Date(0),
    startTime: new Date(0),
    endTime: null,
  });
  let reads = 0;
  const hungUp: string[] = [];
  const twilio: TwilioRecords = {
    findNumber: async () => ({
      sid: 'PN1',
      phoneNumber: NUMBER,
      voiceUrl: TARGET.webhooks.inbound,
      voiceMethod: 'POST',
      voiceFallbackUrl: null,
      voiceApplicationSid: null,
      trunkSid: null,
    }),
    fetchApp: async () => undefined,
    createCall: async () => {
      legs.set('CAout', leg('CAout', 'outbound-api'));
      legs.set('CAin', leg('CAin', 'inbound'));
      return legs.get('CAout')!;
    },
    fetchCall: async (sid) => legs.get(sid) ?? leg(sid, 'outbound-api'),
    listCalls: async () => [...legs.values()],
    findConferences: async (name) => [
      { sid: 'CF1', friendlyName: name, status: 'in-progress', dateCreated: new Date(0) },
    ],
    listParticipants: async () => [
      { callSid: 'CAin', label: 'caller', status: 'connected', dateCreated: new Date(0) },
      ...agents(reads++),
    ],
    hangUp: async (sid) => {
      hungUp.push(sid);
      for (const s of legs.keys()) legs.set(s, { ...legs.get(s)!, status: 'completed' });
      return legs.get(sid)!;
    },
    listAlerts: async () => [],
  };
  return { twilio, hungUp };
}

const api = { list: async () => ({ status: 200, labels: ['caller', 'ai-agent'] }) };
const agent = (callSid: string): ParticipantInfo => ({
  callSid,
  label: 'ai-agent',
  status: 'connected',
  dateCreated: new Date(0),
});

describe('runAcceptanceCall on scripted records', () => {
  it('when the agent stays connected through the hold, the run passes on the fake clock', async () => {
    const { twilio, hungUp } = scriptedTwilio(() => [agent('CAagent')]);

    const result = await runAcceptanceCall(TARGET, { twilio, api, clock: fakeClock() }, TIMES);

    expect(result.ok).toBe(true);
    expect(result.steps.find((s) => s.id === 'agentMedia')?.detail).toMatch(/stayed connected for 5\.0 s/);
    expect(hungUp).toEqual(['CAout']);
  });

  it('when the stack never adds the agent, the run fails at agentJoined once the deadline passed, and hangs up', async () => {
    const { twilio, hungUp } = scriptedTwilio(() => []);

    const result = await runAcceptanceCall(TARGET, { twilio, api, clock: fakeClock() }, TIMES);

    expect(result.failure).toMatchObject({
      step: 'agentJoined',
      cause:
        'no progress within 10 s of the dial: still waiting for: the AI agent joins the conference; Twilio logged no alert about it',
    });
    expect(hungUp).toEqual(['CAout']);
    expect(result.legs.map((l) => l.status)).toEqual(['completed', 'completed']);
  });

  it('when another agent leg replaces the first between two reads, the run fails at agentMedia: the first one dropped', async () => {
    const { twilio } = scriptedTwilio((read) => [agent(read < 3 ? 'CAfirst' : 'CAsecond')]);

    const result = await runAcceptanceCall(TARGET, { twilio, api, clock: fakeClock() }, TIMES);

    expect(result.failure?.step).toBe('agentMedia');
    expect(result.failure?.cause).toMatch(/the agent leg CAfirst was replaced by CAsecond after 1\.5 s/);
  });

  it('when the agent leaves before the hold is over, the run fails at agentMedia, saying after how long', async () => {
    const { twilio } = scriptedTwilio((read) => (read < 4 ? [agent('CAagent')] : []));

    const result = await runAcceptanceCall(TARGET, { twilio, api, clock: fakeClock() }, TIMES);

    expect(result.failure?.step).toBe('agentMedia');
    expect(result.failure?.cause).toMatch(
      /the agent leg CAagent left the conference after 2\.0 s, before the 5 s hold/,
    );
  });

  it('when Twilio stops answering mid-run, the run fails at the step it was on and still hangs up', async () => {
    const scripted = scriptedTwilio(() => [agent('CAagent')]);
    const twilio: TwilioRecords = {
      ...scripted.twilio,
      findConferences: async () => {
        throw new TwilioRequestError('Service Unavailable', 503, 20503);
      },
    };

    const result = await runAcceptanceCall(TARGET, { twilio, api, clock: fakeClock() }, TIMES);

    expect(result.failure).toMatchObject({ step: 'inbound' });
    expect(result.failure?.cause).toMatch(/^unexpected error: Service Unavailable/);
    expect(scripted.hungUp).toEqual(['CAout']);
  });
});
