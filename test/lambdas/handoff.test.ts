/** The handoff an agent asks for (ConversationRelay HandoffData): the pure parser and resolver, in tables. */
import { type HandoffParse, parseHandoffData, resolveHandoff } from '../../lambdas/events/handoff';
import { onHandoffFailed } from '../../lambdas/events/policy';

describe('parseHandoffData', () => {
  it.each<[string, string | undefined, HandoffParse]>([
    ['no HandoffData', undefined, { kind: 'none' }],
    ['an empty HandoffData', '', { kind: 'none' }],
    ['only spaces', '   ', { kind: 'none' }],
    [
      'a queue, cold by default',
      '{"reason":"billing dispute","queue":"billing"}',
      {
        kind: 'handoff',
        request: { reason: 'billing dispute', type: 'cold', destination: { kind: 'queue', name: 'billing' } },
      },
    ],
    [
      'a phone target, warm',
      '{"reason":"asked for a person","target":"+15551230000","type":"warm"}',
      {
        kind: 'handoff',
        request: {
          reason: 'asked for a person',
          type: 'warm',
          destination: { kind: 'target', address: '+15551230000' },
        },
      },
    ],
    [
      'a client: target with members the stack does not know (ignored)',
      '{"reason":"r","target":"client:alice","type":"cold","summary":"wants a refund","priority":2}',
      {
        kind: 'handoff',
        request: { reason: 'r', type: 'cold', destination: { kind: 'target', address: 'client:alice' } },
      },
    ],
    [
      'a sip: target',
      '{"reason":"r","target":"sip:desk@pbx.example.com"}',
      {
        kind: 'handoff',
        request: { reason: 'r', type: 'cold', destination: { kind: 'target', address: 'sip:desk@pbx.example.com' } },
      },
    ],
  ])('when the agent sends %s, reads it as expected', (_case, raw, expected) => {
    expect(parseHandoffData(raw)).toEqual(expected);
  });

  it.each([
    ['text that is not JSON', 'transfer me please', 'not JSON'],
    ['truncated JSON', '{"reason":"r","queue":"bil', 'not JSON'],
    ['a JSON string', '"billing"', 'not a JSON object'],
    ['a JSON array', '[{"queue":"billing"}]', 'not a JSON object'],
    ['null', 'null', 'not a JSON object'],
    ['no reason', '{"queue":"billing"}', 'reason missing or not a string'],
    ['a blank reason', '{"reason":"  ","queue":"billing"}', 'reason missing or not a string'],
    ['a numeric reason', '{"reason":42,"queue":"billing"}', 'reason missing or not a string'],
    [
      'a reason of 201 characters',
      JSON.stringify({ reason: 'x'.repeat(201), queue: 'billing' }),
      'reason longer than 200',
    ],
    ['neither queue nor target', '{"reason":"r"}', 'give exactly one of queue and target'],
    ['both queue and target', '{"reason":"r","queue":"billing","target":"+15551230000"}', 'give exactly one'],
    ['a queue name with a slash', '{"reason":"r","queue":"../billing"}', 'queue is not a queue name'],
    ['a numeric queue', '{"reason":"r","queue":7}', 'queue is not a queue name'],
    ['a target that is no dial target', '{"reason":"r","target":"Bob at the desk"}', 'target is not an E.164 number'],
    ['a local number', '{"reason":"r","target":"0155512300"}', 'target is not an E.164 number'],
    ['an unknown type', '{"reason":"r","queue":"billing","type":"hot"}', 'type is neither'],
    ['over 4 KiB', JSON.stringify({ reason: 'r', queue: 'billing', pad: 'x'.repeat(4096) }), 'longer than 4096 bytes'],
  ])('when the agent sends %s, refuses it saying why', (_case, raw, problem) => {
    const parsed = parseHandoffData(raw);

    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.problem).toContain(problem);
  });

  it('never repeats the agent data in a problem (it may hold personal data)', () => {
    const parsed = parseHandoffData('{"reason":"caller +15557654321 is angry","target":"Bob Smith"}');

    expect(parsed.kind === 'invalid' && parsed.problem).not.toMatch(/Bob|\+1555|angry/);
  });
});

describe('resolveHandoff', () => {
  const queues = new Map([
    ['billing', '+15551230000'],
    ['support', 'client:support'],
  ]);
  const allowed = ['+1555*', 'client:*'];
  const request = (destination: { kind: 'queue'; name: string } | { kind: 'target'; address: string }) => ({
    reason: 'r',
    type: 'cold' as const,
    destination,
  });

  it.each([
    ['a configured queue', request({ kind: 'queue', name: 'billing' }), { ok: true, target: '+15551230000' }],
    ['another configured queue', request({ kind: 'queue', name: 'support' }), { ok: true, target: 'client:support' }],
    ['an unknown queue', request({ kind: 'queue', name: 'sales' }), { ok: false, problem: 'unknown queue' }],
    [
      'a target on the allow-list',
      request({ kind: 'target', address: '+15559990000' }),
      { ok: true, target: '+15559990000' },
    ],
    [
      'a target off the allow-list',
      request({ kind: 'target', address: '+4420700000' }),
      { ok: false, problem: 'target not on the dial allow-list' },
    ],
  ])('when the handoff names %s, resolves it as expected', (_case, handoff, expected) => {
    expect(resolveHandoff(handoff, queues, allowed)).toEqual(expected);
  });
});

describe('onHandoffFailed', () => {
  const base = { agentRetries: 1, fallbackMessage: 'Sorry.' };

  it.each([
    ['a fallback target', { ...base, fallbackTarget: '+15550009999' }, [{ do: 'dial-fallback' }], 'target'],
    ['no fallback target', base, [{ do: 'end-call', with: 'message' }], 'message'],
    [
      'a voicemail URL and no target',
      { ...base, fallbackVoicemailUrl: 'https://vm.example.com' },
      [{ do: 'end-call', with: 'voicemail' }],
      'voicemail',
    ],
  ])(
    'with %s, takes the fallback (never the agent again) and counts a failed transfer',
    (_c, config, actions, kind) => {
      const decision = onHandoffFailed(config);

      expect(decision.actions).toEqual(actions);
      expect(decision.metrics).toEqual([
        { name: 'TransferOutcomes', value: 1, dimensions: { Outcome: 'failed' } },
        { name: 'Fallbacks', value: 1, dimensions: { Kind: kind } },
      ]);
    },
  );
});
