/**
 * The canary's daily cap, enforced at run time without a database of its own: Twilio's call log is the record of
 * what was dialled (and billed). Before dialling, the canary counts the test calls placed from its caller ID to the
 * number in the last 24 hours (every container, manual invocation or retry included, and `npm run verify`'s, which
 * dials the same way) and skips the run at the cap. Pure.
 */
import type { CallLeg } from '../acceptance/records';

/** 24 hours, the window of the cap. */
export const DAY_MS = 86_400_000;

/** The Calls API direction of a call the API created (the test call; its arrival on the number is `inbound`). */
const API_CREATED = 'outbound-api';

/**
 * How many calls of the log to read: each test call also appears as its inbound leg (same `From` and `To`), and one
 * more than the cap is enough to know it is reached.
 */
export function callLogLimit(maxCallsPerDay: number): number {
  return 2 * (maxCallsPerDay + 1);
}

/** The test calls among `calls` (the log from the caller ID to the number) created in the 24 hours before `now`. */
export function testCallsInLastDay(calls: readonly CallLeg[], now: number): number {
  return calls.filter(
    (c) => c.direction === API_CREATED && c.dateCreated !== null && now - c.dateCreated.getTime() < DAY_MS,
  ).length;
}
