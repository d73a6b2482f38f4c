/**
 * What the canary costs a month, computed from price constants only: Twilio's per-run price (the acceptance call's
 * own estimate, lambdas/acceptance/prices.ts) and the AWS prices below, so infra/README.md's table ("Canary") is
 * this module's output and cannot drift from them (test/infra/canary-cost.test.ts). Pure.
 *
 * The AWS figures are US East (N. Virginia) list prices as published on the cited pages; like the Twilio ones they
 * were not re-read from this machine (no internet): check them against `source` before quoting them.
 */
import { type AgentMode, DEFAULT_TIMES, estimateCost } from '../lambdas/acceptance/plan';
import { CANARY_MEMORY_MB, SUGGESTED_CANARY_SCHEDULE } from './canary-plan';
import { maxRunsPerDay, parseSchedule } from './schedule';

/** One AWS price, with where it is published. */
export interface AwsPrice {
  readonly what: string;
  readonly usd: number;
  readonly per: string;
  readonly source: string;
}

/** The AWS prices the canary pays. */
export const AWS_PRICES = {
  lambdaArmGbSecond: {
    what: 'Lambda duration, Arm (arm64)',
    usd: 0.0000133334,
    per: 'GB-second',
    // The same page and figure bench/src/model/sources.ts quotes.
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  lambdaRequest: {
    what: 'Lambda requests',
    usd: 0.2 / 1_000_000,
    per: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  schedulerInvocation: {
    what: 'EventBridge Scheduler invocations beyond the free 14 million a month',
    usd: 1 / 1_000_000,
    per: 'invocation',
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  customMetric: {
    what: 'CloudWatch custom metric (EMF), first 10,000',
    usd: 0.3,
    per: 'metric-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  standardAlarm: {
    what: 'CloudWatch standard-resolution alarm',
    usd: 0.1,
    per: 'alarm-month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
} as const satisfies Record<string, AwsPrice>;

/** EventBridge Scheduler's free invocations a month (reference: Scheduler pricing). */
export const SCHEDULER_FREE_INVOCATIONS = 14_000_000;

/** AWS prices a month as 730 hours (Lambda pricing). */
export const HOURS_PER_MONTH = 730;

/**
 * How long a passing run keeps the function busy (an assumption: checks, dial, ring, answer, the agent's join, the
 * 5 s hold, the hang-up). A failing run can last up to the timeout; few do.
 */
export const PASSING_RUN_SECONDS = 30;

/** The metrics a month bills: CanarySuccess and CanaryTimeToAgent (CanarySkipped only in a month it is written). */
const METRICS_BILLED = 2;

/** One month of a schedule, per item, in USD. */
export interface MonthlyCost {
  readonly schedule: string;
  readonly runs: number;
  readonly twilio: Readonly<Record<AgentMode, number>>;
  readonly lambdaDuration: number;
  readonly lambdaRequests: number;
  /** Within the free tier: 0; `schedulerBeyondFree` is what the same runs cost once it is used up. */
  readonly scheduler: number;
  readonly schedulerBeyondFree: number;
  readonly cloudWatch: number;
  /** With the stream agent mode (the default). */
  readonly total: number;
}

/** What a month of `schedule` costs (every run passing, the alarm on). */
export function monthlyCost(schedule: string): MonthlyCost {
  const parsed = parseSchedule(schedule);
  if ('problem' in parsed) throw new Error(`${schedule} ${parsed.problem}`);
  const runs = (maxRunsPerDay(parsed.schedule) * HOURS_PER_MONTH) / 24;
  const twilio = {
    stream: runs * estimateCost('stream', DEFAULT_TIMES).passingUsd,
    'conversation-relay': runs * estimateCost('conversation-relay', DEFAULT_TIMES).passingUsd,
  };
  const lambdaDuration = runs * (CANARY_MEMORY_MB / 1024) * PASSING_RUN_SECONDS * AWS_PRICES.lambdaArmGbSecond.usd;
  const lambdaRequests = runs * AWS_PRICES.lambdaRequest.usd;
  const schedulerBeyondFree = runs * AWS_PRICES.schedulerInvocation.usd;
  const cloudWatch = METRICS_BILLED * AWS_PRICES.customMetric.usd + AWS_PRICES.standardAlarm.usd;
  return {
    schedule,
    runs,
    twilio,
    lambdaDuration,
    lambdaRequests,
    scheduler: 0,
    schedulerBeyondFree,
    cloudWatch,
    total: twilio.stream + lambdaDuration + lambdaRequests + cloudWatch,
  };
}

/** The schedules the table compares: the suggested one first. */
export const COST_TABLE_SCHEDULES = [SUGGESTED_CANARY_SCHEDULE, 'rate(30 minutes)', 'rate(1 hour)'] as const;

/** Dollars as the table prints them: cents, or four decimals below a cent. */
export function usd(n: number): string {
  if (n === 0) return '$0';
  return n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

/** A unit price as published: at least cents, every significant decimal ($0.20, $0.0000133334). */
export function unitPrice(n: number): string {
  // Sums of prices carry binary noise (0.1001 as 0.10010000000000001): ten significant digits are the price's.
  const clean = Number(n.toPrecision(10));
  const decimals = (String(clean).split('.')[1] ?? '').length;
  return `$${clean.toFixed(Math.max(2, decimals))}`;
}

/** infra/README.md's cost table of the canary (its "Canary" section holds exactly this). */
export function canaryCostTable(): string {
  const costs = COST_TABLE_SCHEDULES.map(monthlyCost);
  const stream = estimateCost('stream', DEFAULT_TIMES).passingUsd;
  const relay = estimateCost('conversation-relay', DEFAULT_TIMES).passingUsd;
  const p = AWS_PRICES;
  const row = (what: string, cell: (c: MonthlyCost) => string, price: string) =>
    `| ${what} | ${costs.map(cell).join(' | ')} | ${price} |`;
  return [
    `| A month (${HOURS_PER_MONTH} h), every run passing | ${costs.map((c) => `\`${c.schedule}\``).join(' | ')} | Price |`,
    `| --- | ${costs.map(() => '---:').join(' | ')} | --- |`,
    row('Runs (test calls)', (c) => String(c.runs), ''),
    row(
      'Twilio, `agentMode` stream',
      (c) => usd(c.twilio.stream),
      `${unitPrice(stream)} a passing run: the test call, its arrival on the number, the agent leg, Media Streams, 2 conference participants, each a billed minute (lambdas/acceptance/prices.ts)`,
    ),
    row(
      'Twilio, `agentMode` conversation-relay (instead)',
      (c) => usd(c.twilio['conversation-relay']),
      `${unitPrice(relay)} a passing run: ConversationRelay instead of Media Streams`,
    ),
    row(
      `Lambda duration (${CANARY_MEMORY_MB} MB arm64, ${PASSING_RUN_SECONDS} s a run)`,
      (c) => usd(c.lambdaDuration),
      `${unitPrice(p.lambdaArmGbSecond.usd)} per GB-s, ${p.lambdaArmGbSecond.source}`,
    ),
    row(
      'Lambda requests',
      (c) => usd(c.lambdaRequests),
      `${unitPrice(p.lambdaRequest.usd * 1_000_000)} per million, ${p.lambdaRequest.source}`,
    ),
    row(
      'EventBridge Scheduler',
      (c) => `${usd(c.scheduler)} (${usd(c.schedulerBeyondFree)} beyond the free tier)`,
      `${SCHEDULER_FREE_INVOCATIONS / 1_000_000} million invocations a month free, then ${unitPrice(p.schedulerInvocation.usd * 1_000_000)} per million, ${p.schedulerInvocation.source}`,
    ),
    row(
      'CloudWatch: 2 metrics, 1 alarm',
      (c) => usd(c.cloudWatch),
      `${unitPrice(p.customMetric.usd)} per metric, ${unitPrice(p.standardAlarm.usd)} per alarm, ${p.customMetric.source}`,
    ),
    row('**Total** (stream)', (c) => `**${usd(c.total)}**`, 'without free tiers of Lambda and CloudWatch'),
  ].join('\n');
}
