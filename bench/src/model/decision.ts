/**
 * The function-layout decision of the bench report, worked out from the model's own figures: which layout (split or
 * combined) gets the first caller after idle to the agent sooner, at every modelled memory size, in the best and the
 * worst case, and at what monthly cost. Pure: the report renders it from the layout rows it prints beside it, so the
 * text cannot disagree with the table.
 */
import type { FunctionLayout as ConfigLayout } from '../../../infra/layout';
import type { LayoutRow } from './plan';

/** The model's layout that stands for each `functionLayout` setting (plan.ts LAYOUTS). */
export const MODEL_LAYOUT_OF: Readonly<Record<ConfigLayout, string>> = {
  combined: 'one-function',
  split: 'three-functions',
};
/** The combined function loading its handler modules at init, and the provisioned variants: side notes. */
const EAGER_LAYOUT = 'one-function-eager';

/** Split against combined on the first call after idle, at one memory size, in one case. */
export interface LayoutRace {
  readonly memoryMb: number;
  /** best: the agent leg's status callbacks come after its agent webhook; worst: one comes just ahead of it. */
  readonly case: 'best' | 'worst';
  /** Nominal time to agent, ms. */
  readonly timeToAgentMs: Readonly<Record<ConfigLayout, number>>;
  readonly coldStarts: Readonly<Record<ConfigLayout, number>>;
}

export interface LayoutDecision {
  /** The layout faster in every race at no higher monthly cost; undefined when neither is. */
  readonly winner?: ConfigLayout;
  readonly races: readonly LayoutRace[];
  /** Monthly cost of each layout, by memory size. */
  readonly monthlyUsd: readonly { readonly memoryMb: number; readonly usd: Readonly<Record<ConfigLayout, number>> }[];
}

const LAYOUT_NAMES: readonly ConfigLayout[] = ['combined', 'split'];
const other = (l: ConfigLayout): ConfigLayout => (l === 'combined' ? 'split' : 'combined');

function rowOf(rows: readonly LayoutRow[], layout: string, memoryMb: number): LayoutRow | undefined {
  return rows.find((r) => r.layout === layout && r.memoryMb === memoryMb);
}

function memorySizes(rows: readonly LayoutRow[]): number[] {
  return [...new Set(rows.map((r) => r.memoryMb))].sort((a, b) => a - b);
}

/** Compares split and combined on every memory size the rows carry; throws when a row of either is missing. */
export function decideLayout(rows: readonly LayoutRow[]): LayoutDecision {
  const races: LayoutRace[] = [];
  const monthlyUsd: LayoutDecision['monthlyUsd'][number][] = [];
  for (const memoryMb of memorySizes(rows)) {
    const of = Object.fromEntries(
      LAYOUT_NAMES.map((l) => {
        const row = rowOf(rows, MODEL_LAYOUT_OF[l], memoryMb);
        if (!row) throw new Error(`the model has no ${MODEL_LAYOUT_OF[l]} row at ${memoryMb} MB`);
        return [l, row];
      }),
    ) as Record<ConfigLayout, LayoutRow>;
    const race = (c: LayoutRace['case']): LayoutRace => {
      const call = (l: ConfigLayout) => (c === 'best' ? of[l].firstAfterIdle : of[l].firstAfterIdleWorst);
      return {
        memoryMb,
        case: c,
        timeToAgentMs: { combined: call('combined').timeToAgentMs.value, split: call('split').timeToAgentMs.value },
        coldStarts: { combined: call('combined').coldStarts, split: call('split').coldStarts },
      };
    };
    races.push(race('best'), race('worst'));
    monthlyUsd.push({ memoryMb, usd: { combined: of.combined.monthlyUsd, split: of.split.monthlyUsd } });
  }
  const winner = LAYOUT_NAMES.find(
    (l) =>
      races.every((r) => r.timeToAgentMs[l] < r.timeToAgentMs[other(l)]) &&
      monthlyUsd.every((m) => m.usd[l] <= m.usd[other(l)]),
  );
  return { ...(winner && { winner }), races, monthlyUsd };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const usd = (x: number) => `$${x.toFixed(2)}`;
const capitalised = (l: ConfigLayout) => `${l[0].toUpperCase()}${l.slice(1)}`;
const coldStarts = (n: number) => `${n} cold start${n === 1 ? '' : 's'}`;

/** "120 ms sooner", "40 ms later", "no sooner": `savedMs` is how much earlier the alternative reaches the agent. */
function sooner(savedMs: number): string {
  const ms = Math.round(savedMs);
  return ms > 0 ? `${ms} ms sooner` : ms < 0 ? `${-ms} ms later` : 'no sooner';
}

/** The races at one memory size, `first` layout's figures against the other's. */
function racesAt(d: LayoutDecision, memoryMb: number, first: ConfigLayout): string {
  const second = other(first);
  const [best, worst] = (['best', 'worst'] as const).map(
    (c) => d.races.find((r) => r.memoryMb === memoryMb && r.case === c) as LayoutRace,
  );
  return (
    `${memoryMb} MB: ${sec(best.timeToAgentMs[first])} against ${sec(best.timeToAgentMs[second])} ` +
    `(${coldStarts(best.coldStarts[first])} against ${best.coldStarts[second]}), worst case ` +
    `${sec(worst.timeToAgentMs[first])} against ${sec(worst.timeToAgentMs[second])} ` +
    `(${coldStarts(worst.coldStarts[first])} against ${worst.coldStarts[second]})`
  );
}

function costText(d: LayoutDecision): string {
  if (d.monthlyUsd.every((m) => m.usd.combined === 0 && m.usd.split === 0)) return 'Neither costs anything a month.';
  return `Monthly cost, combined against split: ${d.monthlyUsd
    .map((m) => `${m.memoryMb} MB ${usd(m.usd.combined)} against ${usd(m.usd.split)}`)
    .join('; ')}.`;
}

/** Side notes at the largest memory size: loading the handler modules at init, and the fastest provisioned layout. */
function sideNotes(rows: readonly LayoutRow[], deployed: ConfigLayout): string[] {
  const memoryMb = Math.max(...rows.map((r) => r.memoryMb));
  const first = (r: LayoutRow) => r.firstAfterIdle.timeToAgentMs.value;
  const notes: string[] = [];
  const combined = rowOf(rows, MODEL_LAYOUT_OF.combined, memoryMb);
  const eager = rowOf(rows, EAGER_LAYOUT, memoryMb);
  if (combined && eager)
    notes.push(
      `Loading the combined function's three handler modules at init instead of on each one's first request: ` +
        `${sec(first(eager))} at ${memoryMb} MB, ${sooner(first(combined) - first(eager))} than loading them lazily.`,
    );
  const base = rowOf(rows, MODEL_LAYOUT_OF[deployed], memoryMb) as LayoutRow;
  const provisioned = rows.filter((r) => r.memoryMb === memoryMb && r.monthlyUsd > 0);
  if (provisioned.length > 0) {
    const fastest = provisioned.reduce((a, b) => (first(b) < first(a) ? b : a));
    notes.push(
      `The fastest with provisioned concurrency, ${fastest.label}: ${sec(first(fastest))}, ` +
        `${sooner(first(base) - first(fastest))} than the default layout, for ${usd(fastest.monthlyUsd)} a month per ` +
        `stack at ${memoryMb} MB, and only for as many callers at once as it provisions.`,
    );
  }
  return notes;
}

/**
 * The decision as the report prints it: the winner (if any) with the figures of every race, the cost, whether the
 * stack's default (`deployed`) agrees, and the side notes.
 */
export function layoutDecisionText(rows: readonly LayoutRow[], deployed: ConfigLayout): string {
  const d = decideLayout(rows);
  const sizes = memorySizes(rows);
  const worstCase =
    'The worst case is an agent leg status callback arriving just ahead of its agent webhook and holding the ' +
    'environment that would have served it; Twilio does not say how often.';
  const head = d.winner
    ? `**${capitalised(d.winner)}** (\`functionLayout: ${d.winner}\`) gets the first caller after idle to the agent ` +
      `sooner at every memory size modelled, in the best and the worst case (nominal time to agent, ${d.winner} ` +
      `against ${other(d.winner)}): ${sizes.map((m) => racesAt(d, m, d.winner as ConfigLayout)).join('; ')}. ` +
      `${costText(d)} ` +
      (d.winner === deployed
        ? "It is the stack's default."
        : `**The stack's default is ${deployed}: set functionLayout's default to ${d.winner} in infra/config-schema.ts.**`)
    : 'Neither layout gets the first caller after idle to the agent sooner at every memory size in both cases at no ' +
      `higher cost (nominal time to agent, combined against split): ${sizes.map((m) => racesAt(d, m, 'combined')).join('; ')}. ` +
      `${costText(d)} The model does not decide; the stack's default (${deployed}) rests on other grounds.`;
  return [head, worstCase, ...sideNotes(rows, deployed)].join(' ');
}
