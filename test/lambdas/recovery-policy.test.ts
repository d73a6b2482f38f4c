import type { RecoveryConfig } from '../../lambdas/shared/config';
import type { LegState } from '../../lambdas/shared/call-state';
import {
  type CallStatus,
  type LiveConference,
  nextStep,
  onCallerLeft,
  onCreateFailed,
  onHumanLeft,
  onLegStatus,
  roleOf,
} from '../../lambdas/events/policy';
import { sid } from './support/events';

const agentLeg = (attempt = 1, extra: Partial<LegState> = {}): LegState => ({
  leg: 'agent',
  attempt,
  conferenceSid: sid('CF', 5),
  callerCallSid: sid('CA', 1),
  callerJoinedAt: 1_000_000,
  attended: false,
  context: { caller: '+15557654321' },
  ...extra,
});
const fallbackLeg = (extra: Partial<LegState> = {}): LegState => ({ ...agentLeg(2), leg: 'fallback', ...extra });

const alone: LiveConference = { callerPresent: true, callerOnHold: false, agents: 0, fallbacks: 0, humans: 0 };
const withHuman: LiveConference = { ...alone, humans: 1 };
const withAgent: LiveConference = { ...alone, agents: 1 };
const callerGone: LiveConference = { ...alone, callerPresent: false };

const retryOnce: RecoveryConfig = { agentRetries: 1, fallbackMessage: 'Sorry.' };
const withTarget: RecoveryConfig = { ...retryOnce, fallbackTarget: '+15550009999' };
const withVoicemail: RecoveryConfig = { ...retryOnce, fallbackVoicemailUrl: 'https://example.com/voicemail' };

describe('nextStep (the recovery ladder)', () => {
  it.each([
    ['agent attempt 1 busy, 1 retry allowed', 'agent', 1, 'busy', retryOnce, { do: 'dial-agent', attempt: 2 }],
    ['agent attempt 1 dropped, 1 retry allowed', 'agent', 1, 'dropped', retryOnce, { do: 'dial-agent', attempt: 2 }],
    ['agent attempt 2 failed, target set', 'agent', 2, 'failed', withTarget, { do: 'dial-fallback' }],
    ['agent attempt 2 failed, no target', 'agent', 2, 'failed', retryOnce, { do: 'end-call', with: 'message' }],
    ['agent create rejected (retries left)', 'agent', 1, 'rejected', withTarget, { do: 'dial-fallback' }],
    [
      'agent create unavailable (retries left)',
      'agent',
      1,
      'unavailable',
      retryOnce,
      { do: 'end-call', with: 'message' },
    ],
    [
      'fallback no-answer, voicemail set',
      'fallback',
      2,
      'no-answer',
      withVoicemail,
      { do: 'end-call', with: 'voicemail' },
    ],
    [
      'fallback busy, target set (no second target)',
      'fallback',
      2,
      'busy',
      withTarget,
      { do: 'end-call', with: 'message' },
    ],
    [
      'no retries configured',
      'agent',
      1,
      'no-answer',
      { ...retryOnce, agentRetries: 0 },
      { do: 'end-call', with: 'message' },
    ],
  ] as const)('when %s, takes %j', (_situation, leg, attempt, cause, config, expected) => {
    expect(nextStep(leg, attempt, cause, config)).toEqual(expected);
  });
});

describe('onLegStatus', () => {
  describe.each(['initiated', 'ringing', 'in-progress'] as const)('when a leg reports %s', (status) => {
    it('and the caller has left, hangs the leg up (no leg into an empty conference)', () => {
      const decision = onLegStatus(agentLeg(), status, callerGone, retryOnce);

      expect(decision.actions).toEqual([
        { do: 'hang-up-leg', status: status === 'in-progress' ? 'completed' : 'canceled' },
      ]);
    });

    it('and the conference has ended, hangs the leg up', () => {
      expect(onLegStatus(fallbackLeg(), status, 'ended', retryOnce).actions).toHaveLength(1);
    });
  });

  it('when the agent answers with the caller there, reports time to agent from the two Twilio timestamps', () => {
    const decision = onLegStatus(agentLeg(), 'in-progress', alone, retryOnce, 1_004_000);

    expect(decision).toMatchObject({ actions: [], metrics: [{ name: 'TimeToAgent', value: 4000 }] });
  });

  it('when the fallback target answers, reports a transfer answered and does nothing else', () => {
    expect(onLegStatus(fallbackLeg(), 'in-progress', alone, retryOnce)).toMatchObject({
      actions: [],
      metrics: [{ name: 'TransferOutcomes', dimensions: { Outcome: 'answered' } }],
    });
  });

  describe.each([
    ['busy', 'busy'],
    ['failed', 'failed'],
    ['no-answer', 'no-answer'],
    ['completed (answered, then dropped)', 'completed'],
  ] as const)('when the agent leg ends %s with the caller alone', (_name, status: CallStatus) => {
    const cause = status === 'completed' ? 'dropped' : status;

    it('dials the agent again (attempt 2) and reports the failure and the retry', () => {
      const decision = onLegStatus(agentLeg(1), status, alone, retryOnce);

      expect(decision.actions).toEqual([{ do: 'dial-agent', attempt: 2 }]);
      expect(decision.metrics).toEqual([
        { name: 'AgentJoinFailures', value: 1, dimensions: { Cause: cause } },
        { name: 'Fallbacks', value: 1, dimensions: { Kind: 'retry' } },
      ]);
    });

    it('on the last attempt with a fallback target, dials the target', () => {
      expect(onLegStatus(agentLeg(2), status, alone, withTarget).actions).toEqual([{ do: 'dial-fallback' }]);
    });

    it('on the last attempt without a target, ends the call with the message and counts it unattended unless someone talked', () => {
      const decision = onLegStatus(agentLeg(2), status, alone, retryOnce);

      expect(decision.actions).toEqual([{ do: 'end-call', with: 'message' }]);
      expect(decision.metrics.map((m) => m.name)).toEqual(
        status === 'completed'
          ? ['AgentJoinFailures', 'Fallbacks']
          : ['AgentJoinFailures', 'Fallbacks', 'CallsEndedUnattended'],
      );
    });
  });

  it('when the caller is on hold and alone as the agent drops, unholds them before the retry', () => {
    const decision = onLegStatus(agentLeg(1), 'completed', { ...alone, callerOnHold: true }, retryOnce);

    expect(decision.actions).toEqual([{ do: 'unhold-caller' }, { do: 'dial-agent', attempt: 2 }]);
  });

  it.each([
    ['a human (a transfer) is with the caller', withHuman],
    ['a newer agent leg is on its way (a late or repeated callback)', withAgent],
  ])('when the agent leg ends but %s, does nothing', (_name, live) => {
    expect(onLegStatus(agentLeg(1), 'completed', live, retryOnce)).toMatchObject({ actions: [], metrics: [] });
  });

  it('when an agent leg that never answered ends while someone is with the caller, only reports the failure', () => {
    expect(onLegStatus(agentLeg(1), 'busy', withHuman, retryOnce)).toMatchObject({
      actions: [],
      metrics: [{ name: 'AgentJoinFailures', dimensions: { Cause: 'busy' } }],
    });
  });

  it.each([
    ['never answered', 'canceled', false, 1],
    ['answered earlier on this call', 'canceled', true, 0],
    ['answered itself', 'completed', false, 0],
  ] as const)(
    'when the leg ends after the caller left and it %s, counts the call unattended %i time(s)',
    (_n, status, attended, count) => {
      const decision = onLegStatus(agentLeg(1, { attended }), status, callerGone, retryOnce);

      expect(decision.actions).toEqual([]);
      expect(decision.metrics.filter((m) => m.name === 'CallsEndedUnattended')).toHaveLength(count);
    },
  );

  it('when the fallback target who answered hangs up, ends the call (the conversation is over)', () => {
    expect(onLegStatus(fallbackLeg(), 'completed', alone, withTarget).actions).toEqual([{ do: 'hang-up-caller' }]);
  });

  it('when the fallback target does not answer, plays the message and reports the transfer outcome', () => {
    const decision = onLegStatus(fallbackLeg(), 'no-answer', alone, withTarget);

    expect(decision.actions).toEqual([{ do: 'end-call', with: 'message' }]);
    expect(decision.metrics[0]).toEqual({ name: 'TransferOutcomes', value: 1, dimensions: { Outcome: 'no-answer' } });
  });

  it('when the same final callback arrives twice after a retry was dialled, the second changes nothing', () => {
    const first = onLegStatus(agentLeg(1), 'busy', alone, retryOnce);
    const repeated = onLegStatus(agentLeg(1), 'busy', withAgent, retryOnce);

    expect(first.actions).toEqual([{ do: 'dial-agent', attempt: 2 }]);
    expect(repeated.actions).toEqual([]);
  });
});

describe('onCreateFailed', () => {
  it('when the agent create is rejected for good (21212), skips the retries and ends the call with the message', () => {
    const decision = onCreateFailed(agentLeg(1), 'rejected', retryOnce);

    expect(decision.actions).toEqual([{ do: 'end-call', with: 'message' }]);
    expect(decision.metrics).toEqual([
      { name: 'AgentJoinFailures', value: 1, dimensions: { Cause: 'rejected' } },
      { name: 'Fallbacks', value: 1, dimensions: { Kind: 'message' } },
      { name: 'CallsEndedUnattended', value: 1 },
    ]);
  });

  it('when the conference ended before the create, does nothing but count the call unattended', () => {
    expect(onCreateFailed(agentLeg(1), 'conference-ended', withTarget)).toEqual({
      actions: [],
      metrics: [{ name: 'CallsEndedUnattended', value: 1 }],
      reason: expect.any(String),
    });
  });
});

describe('onHumanLeft (transfers)', () => {
  it.each([
    ['participant_add_failed', undefined, 'failed'],
    ['participant_hung_up', 'no-answer', 'no-answer'],
    ['participant_hung_up', 'busy', 'busy'],
  ])(
    'when a warm transfer target never answers (%s, %s), unholds the caller back to the agent',
    (reason, status, outcome) => {
      const decision = onHumanLeft(reason, status, { ...withAgent, callerOnHold: true });

      expect(decision.actions).toEqual([{ do: 'unhold-caller' }]);
      expect(decision.metrics).toEqual([{ name: 'TransferOutcomes', value: 1, dimensions: { Outcome: outcome } }]);
    },
  );

  it('when a cold transfer target never answers and the agent is already gone, brings the agent back', () => {
    const decision = onHumanLeft('participant_add_failed', 'no-answer', alone);

    expect(decision.actions).toEqual([{ do: 'dial-agent', attempt: 1 }]);
  });

  it('when the human the caller talked to hangs up and nobody else is there, ends the call', () => {
    expect(onHumanLeft('participant_hung_up', 'completed', alone).actions).toEqual([{ do: 'hang-up-caller' }]);
  });

  it('when another human is still with the caller on hold, keeps the hold (the transfer goes on)', () => {
    expect(onHumanLeft('participant_hung_up', 'completed', { ...withHuman, callerOnHold: true }).actions).toEqual([]);
  });

  it('when the caller has left, does nothing', () => {
    expect(onHumanLeft('participant_add_failed', 'busy', 'ended').actions).toEqual([]);
  });
});

describe('onCallerLeft and roleOf', () => {
  it.each([
    [true, []],
    [false, [{ do: 'remove-stack-legs' }]],
  ])('when the caller leaves and their exit ends the conference is %s, acts %j', (ends, actions) => {
    expect(onCallerLeft(ends).actions).toEqual(actions);
  });

  it.each([
    ['caller', {}, 'caller'],
    ['ai-agent', {}, 'agent'],
    ['fallback', {}, 'fallback'],
    ['human', {}, 'human'],
    ['supervisor', {}, 'human'],
    ['supervisor', { muted: true }, 'supervisor'],
    ['supervisor', { muted: false, coaching: true }, 'supervisor'],
    ['supervisor', { muted: false, coaching: false }, 'human'],
    ['human', { muted: true }, 'supervisor'],
    ['caller', { muted: true }, 'caller'],
    ['ai-agent', { coaching: true }, 'agent'],
    ['ai-agent-2', {}, 'agent'],
    ['ai-agent-1', {}, 'human'],
  ])('labels %s heard as %j as %s', (label, heard, role) => {
    expect(roleOf(label, { caller: 'caller', agent: 'ai-agent' }, heard)).toBe(role);
  });
});
