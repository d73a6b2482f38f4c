/**
 * The supervisor routes' request parsing and pure rules, as tables: what a body becomes, what is refused and why,
 * whom a whisper can reach in a live participant list, and the participant fields of each mode.
 */
import { readDialConfig } from '../../lambdas/shared/config';
import type { ParticipantSummary } from '../../lambdas/shared/conference-ops';
import { ApiError } from '../../lambdas/shared/errors';
import { parseAddSupervisorCommand, parseSupervisorModeCommand } from '../../lambdas/participants/requests';
import { coachedParticipant, modeChanges } from '../../lambdas/participants/supervisors';

const dial = readDialConfig({
  TWIML_APP_SID: `AP${'a'.repeat(32)}`,
  AGENT_FROM_NUMBER: '+15550001111',
  AGENT_LABEL: 'bot',
  ALLOWED_DIAL_TARGETS: '+1555*,client:*',
});
const SID = (n: number) => `CA${String(n).padStart(32, '0')}`;

/** The ApiError a parse throws, as `status code field`. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code} ${error.field}`;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('parseAddSupervisorCommand', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'a target only: listens as "supervisor" from the stack number',
      { target: '+15550003333' },
      { mode: 'listen', label: 'supervisor', from: '+15550001111', target: { kind: 'phone', address: '+15550003333' } },
    ],
    [
      'whisper to "agent": coaches the configured agent label',
      { target: 'client:sup', mode: 'whisper', coach: 'agent' },
      { mode: 'whisper', coach: 'bot', target: { kind: 'client', address: 'client:sup' } },
    ],
    [
      'whisper to "human": coaches the participant labelled human',
      { target: 'client:sup', mode: 'whisper', coach: 'human' },
      { coach: 'human' },
    ],
    ['whisper to a call SID', { target: 'client:sup', mode: 'whisper', coach: SID(7) }, { coach: SID(7) }],
    [
      'barge with a label and timeout',
      { target: 'client:sup', mode: 'barge', label: 'lead', timeout: 30 },
      { mode: 'barge', label: 'lead', timeout: 30 },
    ],
  ])('when the body is %s, it parses', (_what, body, expected) => {
    // Act
    const command = parseAddSupervisorCommand(body, dial);

    // Assert
    expect(command).toMatchObject({ kind: 'add-supervisor', ...expected });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no target', { mode: 'listen' }, '400 invalid_request target'],
    ['a target off the allow-list', { target: '+4420000000' }, '403 target_not_allowed target'],
    ['a URL as target', { target: 'https://evil.example.com' }, '400 invalid_request target'],
    ['an unknown mode', { target: 'client:sup', mode: 'shout' }, '400 invalid_request mode'],
    ['whisper without coach', { target: 'client:sup', mode: 'whisper' }, '400 invalid_request coach'],
    ['a coach for listening', { target: 'client:sup', coach: 'agent' }, '400 invalid_request coach'],
    ['a coach for barging', { target: 'client:sup', mode: 'barge', coach: 'agent' }, '400 invalid_request coach'],
    ['whisper to the caller', { target: 'client:sup', mode: 'whisper', coach: 'caller' }, '400 invalid_request coach'],
    [
      'whisper to themself',
      { target: 'client:sup', mode: 'whisper', coach: 'supervisor' },
      '400 invalid_request coach',
    ],
    ['a coach with a slash', { target: 'client:sup', mode: 'whisper', coach: '../x' }, '400 invalid_request coach'],
    ['a coach that is not a string', { target: 'client:sup', mode: 'whisper', coach: 1 }, '400 invalid_request coach'],
    ['the agent label as label', { target: 'client:sup', label: 'bot' }, '400 invalid_request label'],
    ['the caller label as label', { target: 'client:sup', label: 'caller' }, '400 invalid_request label'],
    ['an unknown field', { target: 'client:sup', whisper: true }, '400 invalid_request whisper'],
    ['a timeout of 2 s', { target: 'client:sup', timeout: 2 }, '400 invalid_request timeout'],
  ])('when the body has %s, it is refused with %s', (_what, body, expected) => {
    // Act / Assert
    expect(refusal(() => parseAddSupervisorCommand(body, dial))).toBe(expected);
  });
});

describe('parseSupervisorModeCommand', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['listen', { mode: 'listen' }, { mode: 'listen' }],
    ['barge', { mode: 'barge' }, { mode: 'barge' }],
    ['whisper to the agent', { mode: 'whisper', coach: 'agent' }, { mode: 'whisper', coach: 'bot' }],
  ])('when the body asks to %s, it parses', (_what, body, expected) => {
    // Act / Assert
    expect(parseSupervisorModeCommand(body, dial, 'supervisor')).toEqual({ kind: 'supervisor-mode', ...expected });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['no mode', {}, 'supervisor', '400 invalid_request mode'],
    ['a target', { mode: 'listen', target: 'client:x' }, 'supervisor', '400 invalid_request target'],
    ['the caller as the supervisor', { mode: 'barge' }, 'caller', '400 invalid_request participant'],
    ['the agent as the supervisor', { mode: 'listen' }, 'bot', '400 invalid_request participant'],
    [
      'a whisper to the path participant itself',
      { mode: 'whisper', coach: 'lead' },
      'lead',
      '400 invalid_request coach',
    ],
  ])('when the request has %s, it is refused with %s', (_what, body, participant, expected) => {
    // Act / Assert
    expect(refusal(() => parseSupervisorModeCommand(body, dial, participant))).toBe(expected);
  });
});

describe('coachedParticipant', () => {
  const participant = (label: string, n: number, extra: Partial<ParticipantSummary> = {}): ParticipantSummary => ({
    callSid: SID(n),
    conferenceSid: `CF${'5'.repeat(32)}`,
    label,
    status: 'connected',
    hold: false,
    muted: false,
    ...extra,
  });
  const live = [
    participant('caller', 1, { hold: true }),
    participant('bot', 2),
    participant('human', 3, { status: 'ringing' }),
  ];

  it.each([
    ['the agent by label', 'bot', SID(2)],
    ['the agent by call SID', SID(2), SID(2)],
  ])('when the coach is %s, it is that connected participant', (_what, coach, callSid) => {
    // Act / Assert
    expect(coachedParticipant(live, coach).callSid).toBe(callSid);
  });

  it.each([
    ['nobody in the list', 'alice', 'coached_participant_missing', 'alice'],
    ['a human still ringing', 'human', 'coached_participant_missing', 'ringing'],
    ['a held participant', 'caller', 'coached_participant_on_hold', 'on hold'],
  ])('when the coach names %s, it answers 409 %s naming them', (_what, coach, code, named) => {
    // Act
    const error = (() => {
      try {
        coachedParticipant(live, coach);
      } catch (e) {
        return e as ApiError;
      }
    })();

    // Assert
    expect(error).toMatchObject({ status: 409, code, field: 'coach' });
    expect(error?.message).toContain(coach);
    expect(error?.message).toContain(named);
  });
});

describe('modeChanges', () => {
  it.each([
    ['listen', undefined, { muted: true, coaching: false }],
    ['barge', undefined, { muted: false, coaching: false }],
    ['whisper', { callSid: SID(2) }, { muted: false, coaching: true, callSidToCoach: SID(2) }],
  ] as const)('when the mode is %s, the participant is set to %j', (mode, coached, expected) => {
    // Act / Assert
    expect(modeChanges(mode, coached)).toEqual(expected);
  });
});
