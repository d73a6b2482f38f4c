/**
 * The function-layout decision of the bench report: worked out from the layout rows, so flipping the figures flips
 * it. The rows below are hand-made; the committed bench/results.json is rendered as it stands and with its split and
 * combined figures swapped.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decideLayout, layoutDecisionText } from '../../bench/src/model/decision';
import { modelMarkdown } from '../../bench/src/model/markdown';
import type { LayoutRow, ModelResults, SingleCall } from '../../bench/src/model/plan';

/** A single call with only what the decision reads: the nominal time to agent and the cold starts. */
function call(timeToAgentMs: number, coldStarts: number): SingleCall {
  const spread = { low: timeToAgentMs, value: timeToAgentMs, high: timeToAgentMs };
  return {
    layout: '',
    memoryMb: 0,
    scenario: 'first-after-idle',
    timeToAgentMs: spread,
    ourStackMs: spread,
    coldStartMs: spread,
    joinToAgentMs: spread,
    coldStarts,
  };
}

/** [best ms, best cold starts, worst ms, worst cold starts] */
type Figures = readonly [number, number, number, number];

function row(layout: string, memoryMb: number, [best, bestColds, worst, worstColds]: Figures, monthlyUsd = 0) {
  return {
    layout,
    label: `label of ${layout}`,
    memoryMb,
    warm: call(900, 0),
    firstAfterIdle: call(best, bestColds),
    firstAfterIdleWorst: call(worst, worstColds),
    burst100At30: undefined,
    monthlyUsd,
  } as unknown as LayoutRow;
}

/** Split and combined rows at 256 and 512 MB. */
function rows(split: readonly [Figures, Figures], combined: readonly [Figures, Figures]): LayoutRow[] {
  return [256, 512].flatMap((memoryMb, i) => [
    row('three-functions', memoryMb, split[i]),
    row('one-function', memoryMb, combined[i]),
  ]);
}

const SLOW: readonly [Figures, Figures] = [
  [1800, 3, 1800, 3],
  [1700, 3, 1700, 3],
];
const FAST: readonly [Figures, Figures] = [
  [1500, 1, 1650, 2],
  [1400, 1, 1600, 2],
];

describe('decideLayout: split against combined on the first call after idle', () => {
  it.each([
    ['combined is faster everywhere', 'combined', rows(SLOW, FAST)],
    ['the same figures are swapped', 'split', rows(FAST, SLOW)],
    [
      'combined is faster in the best case but slower in the worst case at 512 MB',
      'none',
      rows(SLOW, [FAST[0], [1400, 1, 1750, 2]]),
    ],
    ['both take the same time', 'none', rows(SLOW, SLOW)],
  ])('when %s, the winner is %s', (_, winner, layoutRows) => {
    // Act
    const decision = decideLayout(layoutRows);

    // Assert
    expect(decision.winner ?? 'none').toBe(winner);
  });

  it('when combined is faster but costs more a month, neither wins', () => {
    // Arrange
    const layoutRows = [
      ...rows(SLOW, FAST).filter((r) => r.layout !== 'one-function' || r.memoryMb !== 512),
      row('one-function', 512, FAST[1], 4.38),
    ];

    // Act / Assert
    expect(decideLayout(layoutRows).winner).toBeUndefined();
  });

  it('when a memory size lacks the split row, it names the missing row', () => {
    // Arrange
    const layoutRows = rows(SLOW, FAST).filter((r) => r.layout !== 'three-functions' || r.memoryMb !== 512);

    // Act / Assert
    expect(() => decideLayout(layoutRows)).toThrow('no three-functions row at 512 MB');
  });
});

describe('layoutDecisionText', () => {
  it('when combined wins and is the default, it names it with the figures of every race and says it is the default', () => {
    // Act
    const text = layoutDecisionText(rows(SLOW, FAST), 'combined');

    // Assert
    expect(text).toContain('**Combined** (`functionLayout: combined`)');
    expect(text).toContain(
      '256 MB: 1.50 s against 1.80 s (1 cold start against 3), worst case 1.65 s against 1.80 s (2 cold starts against 3); ' +
        '512 MB: 1.40 s against 1.70 s (1 cold start against 3), worst case 1.60 s against 1.70 s (2 cold starts against 3)',
    );
    expect(text).toContain('Neither costs anything a month.');
    expect(text).toContain("It is the stack's default.");
    expect(text).not.toContain('**Split**');
  });

  it('when the figures are swapped, it names split and asks for the default to change', () => {
    // Act
    const text = layoutDecisionText(rows(FAST, SLOW), 'combined');

    // Assert
    expect(text).toContain('**Split** (`functionLayout: split`)');
    expect(text).toContain('256 MB: 1.50 s against 1.80 s (1 cold start against 3)');
    expect(text).toContain("**The stack's default is combined: set functionLayout's default to split");
    expect(text).not.toContain('**Combined**');
  });

  it('when neither wins, it says the model does not decide and gives the figures combined first', () => {
    // Act
    const text = layoutDecisionText(rows(SLOW, [FAST[0], [1400, 1, 1750, 2]]), 'combined');

    // Assert
    expect(text).toMatch(/^Neither layout/);
    expect(text).toContain('512 MB: 1.40 s against 1.70 s (1 cold start against 3), worst case 1.75 s against 1.70 s');
    expect(text).toContain("The model does not decide; the stack's default (combined)");
  });

  it.each([
    // eager ms, the note: 1400 - 1360 = 40 ms sooner; 1400 - 1450 = -50
    [1360, '1.36 s at 512 MB, 40 ms sooner than loading them lazily'],
    [1450, '1.45 s at 512 MB, 50 ms later than loading them lazily'],
  ])('when the eager combined function takes %i ms, the note says "%s"', (eagerMs, note) => {
    // Arrange
    const layoutRows = [...rows(SLOW, FAST), row('one-function-eager', 512, [eagerMs, 1, 1600, 2])];

    // Act / Assert
    expect(layoutDecisionText(layoutRows, 'combined')).toContain(note);
  });

  it('when provisioned layouts are modelled, it notes the fastest against the default with its price', () => {
    // Arrange: at 512 MB the default (combined) takes 1400 ms; the two provisioned rows 1250 and 1300 ms.
    const layoutRows = [
      ...rows(SLOW, FAST),
      row('one-function-pc1', 512, [1300, 0, 1450, 1], 4.38),
      row('three-functions-pc1', 512, [1250, 0, 1250, 0], 13.14),
    ];

    // Act / Assert
    expect(layoutDecisionText(layoutRows, 'combined')).toContain(
      'label of three-functions-pc1: 1.25 s, 150 ms sooner than the default layout, for $13.14 a month',
    );
  });
});

describe('the report rendered from the committed bench/results.json', () => {
  const committed = JSON.parse(readFileSync(path.join(__dirname, '../../bench/results.json'), 'utf8')) as {
    model: ModelResults;
  };
  const decisionLine = (m: ModelResults) =>
    modelMarkdown(m)
      .split('\n')
      .find((l) => l.startsWith('**Layout decision.**')) as string;

  it('when the model is rendered, its decision agrees with its own rows: combined, faster in every race', () => {
    // Arrange: the committed rows themselves, read directly.
    const first = (layout: string, memoryMb: number) =>
      committed.model.layouts.find((r) => r.layout === layout && r.memoryMb === memoryMb) as LayoutRow;
    const combinedFaster = committed.model.memoryMb.every(
      (m) =>
        first('one-function', m).firstAfterIdle.timeToAgentMs.value <
          first('three-functions', m).firstAfterIdle.timeToAgentMs.value &&
        first('one-function', m).firstAfterIdleWorst.timeToAgentMs.value <
          first('three-functions', m).firstAfterIdleWorst.timeToAgentMs.value,
    );

    // Act
    const line = decisionLine(committed.model);

    // Assert
    expect(combinedFaster).toBe(true);
    expect(line).toContain('**Combined** (`functionLayout: combined`)');
  });

  it('when the committed split and combined rows swap figures, the rendered decision names split', () => {
    // Arrange
    const swap: Record<string, string> = { 'one-function': 'three-functions', 'three-functions': 'one-function' };
    const swapped: ModelResults = {
      ...committed.model,
      layouts: committed.model.layouts.map((r) => (swap[r.layout] ? { ...r, layout: swap[r.layout] } : r)),
    };

    // Act
    const line = decisionLine(swapped);

    // Assert
    expect(line).toContain('**Split** (`functionLayout: split`)');
    expect(line).toContain("**The stack's default is combined");
  });
});
