/** The acceptance call's plan and hops, pure: the test call's TwiML and request, its cost, its time budget. */
import { parseTwiml } from '../../sandbox/twilio/twiml-parser';
import {
  type AcceptanceTarget,
  DEFAULT_TIMES,
  estimateCost,
  testCallRequest,
  testCallTwiml,
  timesProblem,
} from '../../lambdas/acceptance/plan';
import { TWILIO_US_PRICES } from '../../lambdas/acceptance/prices';
import { hops, type Observations } from '../../lambdas/acceptance/timeline';
import type { CallLeg } from '../../lambdas/acceptance/records';

const TARGET: AcceptanceTarget = {
  stack: 'dev <&> "prod"',
  phoneNumber: '+15550001111',
  from: '+15550002222',
  apiBaseUrl: 'https://api.example.com',
  webhooks: { inbound: 'https://i', agent: 'https://a', agentFallback: 'https://f' },
  conferencePrefix: 'conf-',
  callerLabel: 'caller',
  agentLabel: 'ai-agent',
  agentMode: 'stream',
};

describe('the test call', () => {
  it('when built, its TwiML is valid, speaks, then keeps the line open as long as the TimeLimit, and dials nothing', () => {
    const twiml = testCallTwiml(TARGET.stack, 60);

    const document = parseTwiml(twiml);

    expect(document.warnings).toEqual([]);
    expect(document.response.children.map((v) => v.name)).toEqual(['Say', 'Pause']);
    expect(document.response.children[0].text).toContain('dev <&> "prod"');
    expect(document.response.children[1].attributes.length).toBe('60');
    expect(twiml).not.toMatch(/<Dial|<Redirect|<Enqueue/);
  });

  it('when requested, it goes from the team’s number to the stack’s, with the hard TimeLimit and the ring timeout', () => {
    const request = testCallRequest(TARGET, { ...DEFAULT_TIMES, timeLimitSeconds: 45, ringTimeoutSeconds: 15 });

    expect(request).toMatchObject({
      to: '+15550001111',
      from: '+15550002222',
      timeLimitSeconds: 45,
      timeoutSeconds: 15,
    });
    expect(request.twiml).toContain('<Pause length="45"/>');
  });

  it.each([
    [{ timeLimitSeconds: 60, agentDeadlineSeconds: 30, mediaHoldSeconds: 5 }, undefined],
    [{ timeLimitSeconds: 40, agentDeadlineSeconds: 30, mediaHoldSeconds: 5 }, undefined],
    [{ timeLimitSeconds: 39, agentDeadlineSeconds: 30, mediaHoldSeconds: 5 }, /must leave room .* \(40 s\)/],
  ])('when the budget is %j, its problem is %p', (times, expected) => {
    const problem = timesProblem({ ...DEFAULT_TIMES, ...times });

    if (expected) expect(problem).toMatch(expected);
    else expect(problem).toBeUndefined();
  });
});

describe('estimateCost', () => {
  it.each([
    ['stream', 60, 1, TWILIO_US_PRICES.mediaStreams],
    ['conversation-relay', 60, 1, TWILIO_US_PRICES.conversationRelay],
    ['stream', 61, 2, TWILIO_US_PRICES.mediaStreams],
    ['stream', 300, 5, TWILIO_US_PRICES.mediaStreams],
  ] as const)(
    'when the agent mode is %s and the TimeLimit %p s, each leg is billed at most %p minute(s)',
    (mode, limit, minutes, media) => {
      const cost = estimateCost(mode, { ...DEFAULT_TIMES, timeLimitSeconds: limit });

      // Test call, its inbound leg, the agent leg, the agent's media, and two conference participants.
      const perMinute =
        TWILIO_US_PRICES.outboundCall.usdPerMinute +
        TWILIO_US_PRICES.inboundLocal.usdPerMinute +
        TWILIO_US_PRICES.agentLeg.usdPerMinute +
        media.usdPerMinute +
        2 * TWILIO_US_PRICES.conferenceParticipant.usdPerMinute;
      expect(cost.lines.map((l) => l.price)).toContain(media);
      expect(cost.maxMinutesPerLeg).toBe(minutes);
      expect(cost.maxUsd).toBeCloseTo(perMinute * minutes, 10);
      expect(cost.passingUsd).toBeCloseTo(perMinute, 10);
    },
  );

  it('every price names the page it comes from', () => {
    for (const price of Object.values(TWILIO_US_PRICES))
      expect(price.source).toMatch(/^https:\/\/(www|support)\.twilio\.com\//);
  });
});

describe('hops', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0) + ms);
  const leg = (changes: Partial<CallLeg>): CallLeg => ({
    sid: 'CA1',
    from: '+1',
    to: '+1',
    direction: 'outbound-api',
    status: 'in-progress',
    parentCallSid: null,
    dateCreated: null,
    startTime: null,
    endTime: null,
    ...changes,
  });

  it('when the agent connected, the rows follow the call in order with Twilio’s seconds and the run’s milliseconds', () => {
    const obs: Observations = {
      outbound: leg({ dateCreated: at(0), startTime: at(1000) }),
      inbound: leg({ direction: 'inbound', dateCreated: at(0), startTime: at(1000) }),
      conference: { sid: 'CF1', friendlyName: 'conf-CA2', status: 'in-progress', dateCreated: at(1000) },
      caller: { callSid: 'CA2', label: 'caller', status: 'connected', dateCreated: at(1000) },
      agent: { callSid: 'CA3', label: 'ai-agent', status: 'connected', dateCreated: at(2000) },
      agentCall: leg({ sid: 'CA3', startTime: at(3000) }),
      seenMs: { created: 120, answered: 900, agentConnected: 3100, mediaHeld: 8200 },
    };

    const { rows, timeToAgent } = hops(obs);

    expect(rows.map((r) => [r.milestone, r.twilioSeconds, r.seenMs])).toEqual([
      ['created', 0, 120],
      ['answered', 1, 900],
      ['inboundLeg', 0, null],
      ['inboundAnswered', 1, null],
      ['conference', 1, null],
      ['callerJoined', 1, null],
      ['agentAdded', 2, null],
      ['agentAnswered', 3, null],
      ['agentConnected', null, 3100],
      ['mediaHeld', null, 8200],
    ]);
    expect(timeToAgent).toEqual({ twilioSeconds: 3, seenMs: 3100 });
  });

  it('when the call never got far, only what happened is listed and there is no time to agent', () => {
    const { rows, timeToAgent } = hops({ outbound: leg({ dateCreated: at(0) }), seenMs: { created: 80 } });

    expect(rows.map((r) => r.milestone)).toEqual(['created']);
    expect(timeToAgent).toEqual({ twilioSeconds: null, seenMs: null });
  });
});
