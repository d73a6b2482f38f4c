/**
 * Twilio's calls-per-second (CPS) queue for calls created through the REST API. Twilio glossary "CPS"
 * (https://www.twilio.com/docs/glossary/cps): "By default each account is granted 1 CPS for Programmable Voice
 * API calls ... Inbound calls and <Dial> calls are not limited by CPS." Changelog 2020-02-25 "Outbound Call Queue
 * Insights" (https://www.twilio.com/en-us/changelog/outbound-call-queue-insights-in-programmable-voice-rest-api):
 * "Outbound calls made using the REST API are throttled and queued to never exceed the CPS threshold"; the
 * create answer's `queue_time` is "the estimated call queuing time in milliseconds".
 */

/** Twilio's default rate for API-created calls. */
export const DEFAULT_CALLS_PER_SECOND = 1;

/** One account's dial queue: each API-created call takes the next free slot, 1/cps seconds after the previous. */
export class CallRateQueue {
  private nextSlotAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;

  /**
   * @param callsPerSecond slots per second; `Infinity` places every call at once (no queue).
   * @param options.clock Twilio's clock, in Twilio ms: arrivals are read from it and the waits `reserve()` returns
   *   are on it, so a caller that sleeps them at its time scale runs arrivals and waits on one clock.
   */
  constructor(
    readonly callsPerSecond: number,
    options: { readonly clock: () => number },
  ) {
    if (!(callsPerSecond > 0)) throw new Error('callsPerSecond must be a positive number (Infinity for no limit)');
    this.now = options.clock;
  }

  /** Takes the next slot and returns how long this call waits in the queue before it is placed, in Twilio ms. */
  reserve(): number {
    if (this.callsPerSecond === Number.POSITIVE_INFINITY) return 0;
    const now = this.now();
    const slot = Math.max(now, this.nextSlotAt);
    this.nextSlotAt = slot + 1000 / this.callsPerSecond;
    return Math.round(slot - now);
  }
}
