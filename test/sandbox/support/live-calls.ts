/**
 * Which calls of a sandbox are still up, for tests that require every call they caused to have ended. A call's
 * final statuses are Twilio's (Call resource, "Call Status values"): completed, busy, failed, no-answer, canceled.
 */
import type { Sandbox } from '../../../sandbox';

/** Twilio's final call statuses. */
export const FINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/** Every call of the emulator that is still up once the sandbox has settled (its webhooks answered). */
export async function liveCalls(s: Sandbox): Promise<string[]> {
  await s.api.idle();
  await s.twilio.settle();
  return s.twilio.events
    .filter((e) => e.type === 'call-created')
    .map((e) => (e as { callSid: string }).callSid)
    .filter((sid) => !FINAL.has(s.twilio.call(sid)!.status));
}

/** Calls Twilio accepted to place through the Calls API (a refused create dials nobody). */
export const callsPlaced = (s: Sandbox) =>
  s.twilio.requests.filter((r) => r.operationId === 'CreateCall' && r.status === 201).length;
