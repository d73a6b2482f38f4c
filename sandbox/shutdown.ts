/**
 * Ending a sandbox's calls before it stops (`npm start -- --serve` on Ctrl-C or SIGTERM), so that no webhook or
 * callback meets a stopped API and the Twilio Debugger stays quiet.
 */
import type { Sandbox } from './index';

const ENDED = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/**
 * Hangs up every call still up, callers first (a caller's hang-up ends their conference), then waits for the
 * webhooks in flight and the callbacks, so none reaches a stopped API. Returns how many callers were on a call.
 */
export async function hangUpLiveCalls(sandbox: Sandbox): Promise<number> {
  const live = () =>
    sandbox.twilio.events
      .filter((e) => e.type === 'call-created')
      .map((e) => sandbox.twilio.call(e.callSid))
      .filter((c) => c !== undefined && !ENDED.has(c.status));
  const callers = live().filter((c) => c!.direction === 'inbound').length;
  // A webhook already on its way gets its answer, and may start a leg (the agent's): repeat until all is quiet.
  for (let round = 0; round < 5; round++) {
    const calls = live().sort((a, b) => Number(b!.direction === 'inbound') - Number(a!.direction === 'inbound'));
    for (const call of calls) await sandbox.twilio.hangup(call!.sid).catch(() => undefined);
    await sandbox.api.idle();
    await sandbox.twilio.settle();
    await sandbox.api.idle();
    if (calls.length === 0) break;
  }
  return callers;
}
