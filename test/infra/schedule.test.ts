/**
 * EventBridge Scheduler expressions as the stack reads them (infra/schedule.ts): the rate and cron syntax the
 * Scheduler documents, as tables of accepted and refused expressions, and what a schedule means per day.
 */
import {
  longestGapSeconds,
  maxRunsPerDay,
  parseSchedule,
  type RecurringSchedule,
  shortestGapSeconds,
} from '../../infra/schedule';

/** The parsed schedule, failing the test with the problem when there is one. */
function parsed(expression: string): RecurringSchedule {
  const result = parseSchedule(expression);
  if ('problem' in result) throw new Error(`${expression}: ${result.problem}`);
  return result.schedule;
}

describe('parseSchedule, rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60],
    ['rate(15 minutes)', 900],
    ['rate(1 hour)', 3600],
    ['rate(12 hours)', 43_200],
    ['rate(1 day)', 86_400],
    ['rate(7 days)', 604_800],
    ['  rate( 5  minutes )  ', 300],
  ])('when the expression is "%s", it runs every %i s', (expression, seconds) => {
    // Act
    const schedule = parsed(expression);

    // Assert
    expect(schedule).toMatchObject({ kind: 'rate', everySeconds: seconds });
  });

  it.each([
    ['rate(1 minutes)', 'must say rate(1 minute): the unit is singular exactly when the value is 1'],
    ['rate(5 hour)', 'must say rate(5 hours): the unit is singular exactly when the value is 1'],
    ['rate(0 minutes)', 'has a rate value "0" that is not a positive integer'],
    ['rate(-5 minutes)', 'has a rate value "-5" that is not a positive integer'],
    ['rate(1.5 hours)', 'has a rate value "1.5" that is not a positive integer'],
    ['rate(05 minutes)', 'has a rate value "05" that is not a positive integer'],
    ['rate(30 seconds)', 'has a rate unit "seconds": use minute(s), hour(s) or day(s)'],
    ['rate(2 weeks)', 'has a rate unit "weeks": use minute(s), hour(s) or day(s)'],
    ['rate(15minutes)', 'must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)'],
    ['every 15 minutes', 'must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)'],
    ['at(2027-01-01T09:00:00)', 'is a one-time schedule (at(...)); a recurring one is needed: rate(...) or cron(...)'],
  ])('when the expression is "%s", it is refused: %s', (expression, problem) => {
    // Act / Assert
    expect(parseSchedule(expression)).toEqual({ problem });
  });
});

describe('parseSchedule, cron expressions', () => {
  it.each([
    ['cron(0/15 * * * ? *)', [0, 15, 30, 45], 24, true],
    ['cron(*/10 * * * ? *)', [0, 10, 20, 30, 40, 50], 24, true],
    ['cron(5 9,17 * * ? *)', [5], 2, true],
    ['cron(0 8-10 ? * * *)', [0], 3, true],
    ['cron(30 6 ? * MON-FRI *)', [30], 1, false],
    ['cron(0 9 ? * 6L *)', [0], 1, false],
    ['cron(0 9 ? * 3#2 *)', [0], 1, false],
    ['cron(0 12 L * ? *)', [0], 1, false],
    ['cron(0 12 15W * ? *)', [0], 1, false],
    ['cron(0 0 1 JAN-MAR ? *)', [0], 1, false],
    ['cron(0 0 * * ? 2027-2030)', [0], 1, false],
    ['cron(0 0 ? * sun *)', [0], 1, false],
  ])(
    'when the expression is "%s", it runs at minutes %j of %i hours, every day: %s',
    (expression, minutes, hours, everyDay) => {
      // Act
      const schedule = parsed(expression);

      // Assert
      expect(schedule).toMatchObject({ kind: 'cron', minutes, everyDay });
      expect(schedule.kind === 'cron' && schedule.hours.length).toBe(hours);
    },
  );

  it.each([
    ['cron(0 9 * * *)', 'has 5 cron fields; six are needed: minutes hours day-of-month month day-of-week year'],
    ['cron(0 9 * * ? * *)', 'has 7 cron fields; six are needed: minutes hours day-of-month month day-of-week year'],
    ['cron(60 * * * ? *)', 'has "60" in its minutes field, not a value from 0 to 59'],
    ['cron(0 24 * * ? *)', 'has "24" in its hours field, not a value from 0 to 23'],
    ['cron(0 9 0 * ? *)', 'has "0" in its day-of-month field, not a value from 1 to 31'],
    ['cron(0 9 ? 13 * *)', 'has "13" in its month field, not a value from 1 to 12'],
    ['cron(0 9 ? * 8 *)', 'has "8" in its day-of-week field, not a value from 1 to 7'],
    ['cron(0 9 * * ? 1969)', 'has "1969" in its year field, not a value from 1970 to 2199'],
    ['cron(0 9 ? * FRI-MON *)', 'has a range "FRI-MON" in its day-of-week field outside 1-7 or backwards'],
    ['cron(*/0 * * * ? *)', 'has a step "/0" in its minutes field that is not a positive integer'],
    ['cron(0,,5 * * * ? *)', 'has a malformed part "" in its minutes field'],
    ['cron(L * * * ? *)', 'has "L" in its minutes field, not a value from 0 to 59'],
    ['cron(0 9 * * MON *)', 'must have ? in exactly one of day-of-month and day-of-week'],
    ['cron(0 9 ? * ? *)', 'must have ? in exactly one of day-of-month and day-of-week'],
    ['cron(0 9 ? * 3#6 *)', 'has "3#6" in its day-of-week field, not a value from 1 to 7'],
  ])('when the expression is "%s", it is refused: %s', (expression, problem) => {
    // Act / Assert
    expect(parseSchedule(expression)).toEqual({ problem });
  });
});

describe('a schedule per day', () => {
  it.each([
    // expression, most runs in 24 h, longest gap, shortest gap (s)
    ['rate(15 minutes)', 96, 900, 900],
    ['rate(7 minutes)', 206, 420, 420],
    ['rate(1 hour)', 24, 3600, 3600],
    ['rate(2 days)', 1, 172_800, 172_800],
    ['cron(0/15 * * * ? *)', 96, 900, 900],
    ['cron(0 9,17 * * ? *)', 2, 57_600, 28_800],
    ['cron(0,5 * * * ? *)', 48, 3300, 300],
    ['cron(30 23 * * ? *)', 1, 86_400, 86_400],
  ])(
    'when the schedule is %s, it runs at most %i times a day, %i s apart at most and %i s at least',
    (expression, runs, longest, shortest) => {
      // Arrange
      const schedule = parsed(expression);

      // Act / Assert
      expect([maxRunsPerDay(schedule), longestGapSeconds(schedule), shortestGapSeconds(schedule)]).toEqual([
        runs,
        longest,
        shortest,
      ]);
    },
  );
});
