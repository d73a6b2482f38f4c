/** Dates as Twilio prints them, Twilio's (scaled) clock, and timers the emulator can cancel all at once on stop(). */

/** RFC 2822 date as Twilio's REST API prints it: `Tue, 24 Nov 2026 02:00:00 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/**
 * Twilio's clock in Twilio ms: real time run at `timeScale` (real ms per Twilio ms), the rate every Twilio wait of the
 * emulator is slept at, so what is measured on it and what is waited on it agree.
 */
export function scaledClock(timeScale: number, realNow: () => number = () => performance.now()): () => number {
  return () => realNow() / timeScale;
}

/** Thrown into a pending sleep when its signal aborts or the scheduler stops. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/** Tracks every timer so stop() leaves no open handle behind (jest detects them). */
export class Scheduler {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  /** Resolves after `ms`; rejects with Cancelled when `signal` aborts or the scheduler stops. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stopped || signal?.aborted) return reject(new Cancelled());
      const onAbort = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        reject(new Cancelled());
      };
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      this.timers.set(timer, onAbort);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Whether stop() ran. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Cancels every pending timer. */
  stop(): void {
    this.stopped = true;
    for (const cancel of [...this.timers.values()]) cancel();
    this.timers.clear();
  }
}
