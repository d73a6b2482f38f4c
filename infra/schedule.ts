/**
 * EventBridge Scheduler schedule expressions, pure: `rate(value unit)` and `cron(minutes hours day-of-month month
 * day-of-week year)` checked as the Scheduler documents them (EventBridge Scheduler User Guide, "Schedule types on
 * EventBridge Scheduler"; CreateSchedule's ScheduleExpression; the EventBridge rules page for the singular/plural
 * rule), and what a recurring schedule means per day: how often it runs and the longest and shortest gaps between
 * two runs. One-time `at(...)` expressions are recognised and refused: nothing here wants to run once.
 *
 * - rate: a positive integer and `minute`/`minutes`, `hour`/`hours`, `day`/`days`; singular exactly when the value
 *   is 1 (`rate(1 hours)` and `rate(5 hour)` are invalid).
 * - cron: six fields separated by white space. Minutes 0-59 and hours 0-23 (`, - * /`), day-of-month 1-31
 *   (`, - * ? / L W`), month 1-12 or JAN-DEC (`, - * /`), day-of-week 1-7 or SUN-SAT (`, - * ? L #`), year
 *   1970-2199 (`, - * /`); exactly one of day-of-month and day-of-week is `?`.
 *
 * Times are evaluated in the schedule's time zone (UTC unless set); Scheduler runs a target within the minute of
 * its time ("60 second precision").
 */

/** A recurring schedule, parsed. */
export type RecurringSchedule =
  | { readonly kind: 'rate'; readonly expression: string; readonly everySeconds: number }
  | {
      readonly kind: 'cron';
      readonly expression: string;
      /** The minutes of the hour and the hours of the day it runs at, sorted. */
      readonly minutes: readonly number[];
      readonly hours: readonly number[];
      /** Whether it runs on every day (day-of-month, month, day-of-week and year fields leave no day out). */
      readonly everyDay: boolean;
    };

const DAY_SECONDS = 86_400;
const UNIT_SECONDS = { minute: 60, hour: 3600, day: DAY_SECONDS } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One cron field's rules: its range, names for its values, and the special forms it takes. */
interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special single-token forms (`?`, `L`, `W`, `#`) the field accepts besides lists, ranges and steps. */
  readonly special?: RegExp;
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  // `?`, `L` (the last day), `<day>W` (the weekday nearest that day).
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|([1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // `?`, `L` (the last day of the week), `<day>L` (the last such weekday of the month), `<day>#<n>` (the n-th).
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: WEEKDAYS,
    special: /^(\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/,
  },
  { name: 'year', min: 1970, max: 2199 },
];

/** A value of a field (a number or, where the field has names, a name), or undefined when it is neither. */
function fieldValue(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= rule.min && n <= rule.max ? n : undefined;
  }
  const index = rule.names?.indexOf(token.toUpperCase()) ?? -1;
  return index === -1 ? undefined : rule.min + index;
}

/** The values a field selects (none for a special form: `?`, `L`, `15W`, `6L`, `3#2`), or a problem. */
function expandField(text: string, rule: FieldRule): { values: number[] } | { problem: string } {
  const field = `in its ${rule.name} field`;
  if (rule.special?.test(text.toUpperCase())) return { values: [] };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, step, ...extra] = part.split('/');
    if (extra.length > 0 || range === '') return { problem: `has a malformed part "${part}" ${field}` };
    let from: number | undefined;
    let to: number | undefined;
    if (range === '*') [from, to] = [rule.min, rule.max];
    else if (range.includes('-')) {
      const [a, b, ...more] = range.split('-');
      from = fieldValue(a, rule);
      to = fieldValue(b ?? '', rule);
      if (more.length > 0 || from === undefined || to === undefined || from > to)
        return { problem: `has a range "${range}" ${field} outside ${rule.min}-${rule.max} or backwards` };
    } else {
      from = fieldValue(range, rule);
      if (from === undefined)
        return { problem: `has "${range}" ${field}, not a value from ${rule.min} to ${rule.max}` };
      // `<start>/<step>` runs from start to the end of the range.
      to = step === undefined ? from : rule.max;
    }
    let every = 1;
    if (step !== undefined) {
      if (!/^[1-9]\d*$/.test(step)) return { problem: `has a step "/${step}" ${field} that is not a positive integer` };
      every = Number(step);
    }
    for (let v = from; v <= to; v += every) values.add(v);
  }
  return { values: [...values].sort((a, b) => a - b) };
}

/** Parses a recurring schedule expression, or says what is wrong with it. */
export function parseSchedule(expression: string): { schedule: RecurringSchedule } | { problem: string } {
  const text = expression.trim();
  if (/^at\(/.test(text))
    return { problem: 'is a one-time schedule (at(...)); a recurring one is needed: rate(...) or cron(...)' };
  const rate = /^rate\(\s*(\S+)\s+(\S+)\s*\)$/.exec(text);
  if (rate) {
    const [, value, unit] = rate;
    if (!/^[1-9]\d*$/.test(value)) return { problem: `has a rate value "${value}" that is not a positive integer` };
    const singular = unit.replace(/s$/, '') as keyof typeof UNIT_SECONDS;
    if (!(singular in UNIT_SECONDS)) return { problem: `has a rate unit "${unit}": use minute(s), hour(s) or day(s)` };
    const n = Number(value);
    if ((n === 1) !== (unit === singular))
      return {
        problem: `must say rate(${n} ${n === 1 ? singular : `${singular}s`}): the unit is singular exactly when the value is 1`,
      };
    return { schedule: { kind: 'rate', expression: text, everySeconds: n * UNIT_SECONDS[singular] } };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (!cron) return { problem: 'must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)' };
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6)
    return {
      problem: `has ${fields.length} cron fields; six are needed: minutes hours day-of-month month day-of-week year`,
    };
  const expanded = [];
  for (const [i, field] of fields.entries()) {
    const result = expandField(field, FIELDS[i]);
    if ('problem' in result) return result;
    expanded.push(result);
  }
  // Minutes and hours have no special forms: they expand to plain values.
  const [minutes, hours] = expanded;
  const [, , dayOfMonth, month, dayOfWeek, year] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?'))
    return { problem: 'must have ? in exactly one of day-of-month and day-of-week' };
  const anyDay = (field: string) => field === '*' || field === '?';
  return {
    schedule: {
      kind: 'cron',
      expression: text,
      minutes: minutes.values,
      hours: hours.values,
      everyDay: anyDay(dayOfMonth) && anyDay(dayOfWeek) && month === '*' && year === '*',
    },
  };
}

/** The seconds of the day a cron schedule runs at, sorted. */
function cronTimes(schedule: Extract<RecurringSchedule, { kind: 'cron' }>): number[] {
  return schedule.hours.flatMap((h) => schedule.minutes.map((m) => h * 3600 + m * 60)).sort((a, b) => a - b);
}

/** The gaps between consecutive runs over a day (the last run of a day to the first of the next included). */
function gaps(schedule: RecurringSchedule): number[] {
  if (schedule.kind === 'rate') return [schedule.everySeconds];
  const times = cronTimes(schedule);
  return times.map((t, i) => (i + 1 < times.length ? times[i + 1] : times[0] + DAY_SECONDS) - t);
}

/**
 * The most runs in any 24 hours: a rate of N seconds runs ceil(86400 / N) times in some windows; a cron runs once
 * per minute and hour it names (on a day it runs at all).
 */
export function maxRunsPerDay(schedule: RecurringSchedule): number {
  if (schedule.kind === 'rate') return Math.ceil(DAY_SECONDS / schedule.everySeconds);
  return schedule.minutes.length * schedule.hours.length;
}

/** The longest time between two runs (on days it runs), in seconds. */
export function longestGapSeconds(schedule: RecurringSchedule): number {
  return Math.max(...gaps(schedule));
}

/** The shortest time between two runs, in seconds. */
export function shortestGapSeconds(schedule: RecurringSchedule): number {
  return Math.min(...gaps(schedule));
}
