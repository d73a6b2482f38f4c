/** The agent's label series: which labels are agents, and which free label an added agent takes. */
import { freeAgentLabels, isAgentLabel } from '../../lambdas/shared/agent-labels';

describe('isAgentLabel', () => {
  it.each<[string | null, boolean]>([
    ['ai-agent', true],
    ['ai-agent-2', true],
    ['ai-agent-10', true],
    ['ai-agent-250', true],
    ['ai-agent-1', false],
    ['ai-agent-0', false],
    ['ai-agent-02', false],
    ['ai-agent-', false],
    ['ai-agent-2b', false],
    ['ai-agent2', false],
    ['ai-agent-x', false],
    ['xai-agent', false],
    ['ai-agen', false],
    ['human', false],
    [null, false],
  ])('when the label is %j, it answers %s', (label, expected) => {
    expect(isAgentLabel(label, 'ai-agent')).toBe(expected);
  });

  it('when the agent label has regex characters, it matches them literally', () => {
    expect([isAgentLabel('bot.1-2', 'bot.1'), isAgentLabel('botx1-2', 'bot.1')]).toEqual([true, false]);
  });
});

describe('freeAgentLabels', () => {
  it.each<[string, (string | null)[], number, string[]]>([
    ['nobody holds one', ['caller'], 1, ['ai-agent']],
    ['the auto-added agent is in', ['caller', 'ai-agent'], 1, ['ai-agent-2']],
    ['the agent left and a second one stayed', ['caller', 'ai-agent-2'], 2, ['ai-agent', 'ai-agent-3']],
    ['two are in', ['caller', 'ai-agent', 'ai-agent-2', null], 3, ['ai-agent-3', 'ai-agent-4', 'ai-agent-5']],
  ])('when %s, it gives the first free labels of the series', (_situation, taken, count, expected) => {
    expect(freeAgentLabels('ai-agent', taken, count)).toEqual(expected);
  });

  it('when a numbered label would exceed Twilio’s 128 characters, it stops short of it', () => {
    // Arrange
    const long = 'a'.repeat(127);

    // Act
    const labels = freeAgentLabels(long, [long], 3);

    // Assert
    expect(labels).toEqual([]);
  });

  it('when every label a conference could hold is taken, it gives none rather than looping on', () => {
    const taken = ['ai-agent', ...Array.from({ length: 250 }, (_, i) => `ai-agent-${i + 2}`)];
    expect(freeAgentLabels('ai-agent', taken, 1)).toEqual([]);
  });
});
