/**
 * Scripted outcomes for the legs Twilio dials: a test says how a destination answers (per destination, for the
 * next N legs or for good) and which creates Twilio refuses outright. Destinations are matched without their
 * query string, so `app:AP…?k=v` legs match `app:AP…`; `*` matches every destination.
 *
 * The outcomes are the final call statuses of the Call resource ("Call resource: call status values",
 * https://www.twilio.com/docs/voice/api/call-resource#call-status-values): `busy` (a busy signal), `no-answer`
 * (rang out after `Timeout`), `failed` (could not be completed as dialled).
 */

/** How a dialled destination responds. */
export type LegOutcome = 'answer' | 'busy' | 'no-answer' | 'failed';

/** A REST create Twilio refuses (e.g. 21212 invalid From, 21210 unverified caller id, 21215 geo permissions). */
export interface CreateRejection {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

interface Rule<T> {
  readonly to: string;
  remaining: number;
  readonly value: T;
}

const OUTCOMES: readonly LegOutcome[] = ['answer', 'busy', 'no-answer', 'failed'];

/** The part of a `To` a rule matches: the address without its query string (`app:AP…?k=v` → `app:AP…`). */
export function destinationOf(to: string): string {
  const query = to.indexOf('?');
  return query < 0 ? to : to.slice(0, query);
}

/** Takes the first rule for `to`; counted rules (nextLeg) win over standing ones (leg without times). */
function takeRule<T>(rules: Rule<T>[], to: string): T | undefined {
  const destination = destinationOf(to);
  const matches = (r: Rule<T>) => r.remaining > 0 && (r.to === destination || r.to === '*');
  const rule = rules.find((r) => matches(r) && Number.isFinite(r.remaining)) ?? rules.find(matches);
  if (!rule) return undefined;
  rule.remaining -= 1;
  if (rule.remaining === 0) rules.splice(rules.indexOf(rule), 1);
  return rule.value;
}

/** Per-test script of leg outcomes and create refusals. */
export class LegScript {
  private readonly outcomes: Rule<LegOutcome>[] = [];
  private readonly rejections: Rule<CreateRejection>[] = [];

  /** Legs to `to` get `outcome`: the next `times` legs, or every leg from now on (the default). */
  leg(to: string, outcome: LegOutcome, times = Number.POSITIVE_INFINITY): this {
    if (!OUTCOMES.includes(outcome)) throw new Error(`unknown leg outcome ${String(outcome)}`);
    if (times === Number.POSITIVE_INFINITY)
      for (const rule of this.outcomes.filter((r) => r.to === to && !Number.isFinite(r.remaining)))
        this.outcomes.splice(this.outcomes.indexOf(rule), 1);
    this.outcomes.push({ to, remaining: times, value: outcome });
    return this;
  }

  /** The next leg to `to` gets `outcome` (e.g. `nextLeg('app:AP…', 'busy')`). */
  nextLeg(to: string, outcome: LegOutcome): this {
    return this.leg(to, outcome, 1);
  }

  /** The next `times` REST creates (Participants or Calls) to `to` are refused with Twilio error `code`. */
  rejectCreate(to: string, code: number, options: { status?: number; message?: string; times?: number } = {}): this {
    this.rejections.push({
      to,
      remaining: options.times ?? 1,
      value: { status: options.status ?? 400, code, message: options.message ?? `Call to ${to} refused (${code})` },
    });
    return this;
  }

  /** The scripted outcome of a leg to `to` (consumed), or undefined when the destination answers as usual. */
  takeOutcome(to: string): LegOutcome | undefined {
    return takeRule(this.outcomes, to);
  }

  /** The scripted refusal of a create to `to` (consumed), if any. */
  takeRejection(to: string): CreateRejection | undefined {
    return takeRule(this.rejections, to);
  }

  /** Drops every rule. */
  clear(): void {
    this.outcomes.length = 0;
    this.rejections.length = 0;
  }
}
