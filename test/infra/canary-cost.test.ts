/**
 * The canary's monthly cost: infra/README.md's table is exactly what the price constants give (so neither can change
 * without the other), and the figures of the suggested schedule, worked out by hand from the published prices, are
 * what the module computes.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canaryCostTable, monthlyCost, unitPrice, usd } from '../../infra/canary-cost';
import { CANARY_MEMORY_MB, CANARY_TIMEOUT_SECONDS, SUGGESTED_CANARY_SCHEDULE } from '../../infra/canary-plan';
import { DEFAULT_TIMES, hangUpReserveSeconds, runBudgetSeconds } from '../../lambdas/acceptance/plan';

const README = path.resolve(__dirname, '..', '..', 'infra', 'README.md');

describe('the canary cost table of infra/README.md', () => {
  it('when the README is read, its "Canary" section holds exactly the table the price constants give', () => {
    // Arrange
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf('## Canary'), readme.indexOf('\n## ', readme.indexOf('## Canary') + 1));

    // Act
    const table = canaryCostTable();

    // Assert
    expect(section).toContain(`\n${table}\n`);
  });
});

describe('the canary section of infra/README.md', () => {
  it('when it states the function’s timeout, run budget and hang-up reserve, they are the plan’s', () => {
    // Arrange
    const readme = readFileSync(README, 'utf8');

    // Act
    const section = readme.slice(readme.indexOf('## Canary'), readme.indexOf('\n## ', readme.indexOf('## Canary') + 1));

    // Assert
    expect(section).toContain(
      `timeout ${CANARY_TIMEOUT_SECONDS} s (the run's budget of ${runBudgetSeconds(DEFAULT_TIMES)} s, after which its ` +
        `watchdog interrupts it, plus ${hangUpReserveSeconds(DEFAULT_TIMES)} s to hang up`,
    );
    expect(section).toContain(`${CANARY_MEMORY_MB} MB`);
  });
});

describe('monthlyCost', () => {
  it('when the schedule is the suggested rate(15 minutes), a 730-hour month is 2920 runs and about $100.56', () => {
    // Act
    const cost = monthlyCost(SUGGESTED_CANARY_SCHEDULE);

    // Assert: by hand. Twilio, stream: 0.014 + 0.0085 + 0.004 + 0.004 + 2 x 0.0018 = $0.0341 a run, a minute per leg.
    expect(cost.runs).toBe(2920);
    expect(cost.twilio.stream).toBeCloseTo(2920 * 0.0341, 6);
    // ConversationRelay instead of Media Streams: 0.0341 - 0.004 + 0.07 = $0.1001 a run.
    expect(cost.twilio['conversation-relay']).toBeCloseTo(2920 * 0.1001, 6);
    // 0.25 GB x 30 s x $0.0000133334 per GB-s; $0.20 per million requests; 2 metrics at $0.30 and an alarm at $0.10.
    expect(cost.lambdaDuration).toBeCloseTo(2920 * 7.5 * 0.0000133334, 8);
    expect(cost.lambdaRequests).toBeCloseTo(2920 * 0.2e-6, 10);
    expect(cost.scheduler).toBe(0);
    expect(cost.schedulerBeyondFree).toBeCloseTo(0.00292, 10);
    expect(cost.cloudWatch).toBeCloseTo(0.7, 10);
    expect(usd(cost.total)).toBe('$100.56');
  });

  it.each([
    ['rate(1 hour)', 730],
    ['rate(2 hours)', 365],
    ['cron(0 9,17 * * ? *)', 60.833],
  ])('when the schedule is %s, a month has %s runs', (schedule, runs) => {
    // Act / Assert
    expect(monthlyCost(schedule).runs).toBeCloseTo(runs, 2);
  });
});

describe('the table’s number formats', () => {
  it.each([
    [0, '$0'],
    [0.000584, '$0.0006'],
    [0.29200146, '$0.29'],
    [100.56458546, '$100.56'],
  ])('when a monthly figure is %d, it prints %s', (n, text) => {
    // Act / Assert
    expect(usd(n)).toBe(text);
  });

  it.each([
    [0.2, '$0.20'],
    [0.0000133334, '$0.0000133334'],
    [0.014 + 0.0085 + 0.004 + 0.004 + 0.0018 * 2 - 0.004 + 0.07, '$0.1001'],
  ])('when a unit price is %d, it prints %s', (n, text) => {
    // Act / Assert
    expect(unitPrice(n)).toBe(text);
  });
});
