/**
 * Fault injection for the REST API: a test scripts how the next N requests of an operation (the spec's
 * operationId, e.g. `CreateParticipant`) are answered: an error, a delay, or a connection reset.
 */
import { CODES } from './errors';

/** What one faulted request gets. `delayMs` alone delays and then answers normally. */
export interface FaultSpec {
  /** HTTP status of an injected error (with `code`, a Twilio error body). */
  readonly status?: number;
  readonly code?: number;
  readonly message?: string;
  /** Wait this long before answering (or before the injected error / reset). */
  readonly delayMs?: number;
  /** Destroy the socket instead of answering. */
  readonly reset?: boolean;
}

interface Rule {
  readonly operation: string;
  remaining: number;
  readonly fault: FaultSpec;
}

/** Scripts REST responses per operation; rules apply first-in, first-out. */
export class FaultInjector {
  private readonly rules: Rule[] = [];
  /** Faults applied so far, in order. */
  readonly applied: { operation: string; fault: FaultSpec }[] = [];

  /** The next `times` requests of `operation` get `fault`. */
  inject(operation: string, fault: FaultSpec, times = 1): this {
    this.rules.push({ operation, remaining: times, fault });
    return this;
  }

  /** 429 with Twilio error 20429 ("Too Many Requests"). */
  rateLimit(operation: string, times = 1): this {
    return this.inject(operation, { status: 429, code: CODES.tooManyRequests, message: 'Too Many Requests' }, times);
  }

  /** 500 with Twilio error 20500. */
  serverError(operation: string, times = 1): this {
    return this.inject(operation, { status: 500, code: CODES.internal, message: 'Internal Server Error' }, times);
  }

  /** 16030: the participant could not be added, retry later (Twilio answers it with 400). */
  participantAddFailure(times = 1): this {
    return this.inject(
      'CreateParticipant',
      { status: 400, code: CODES.participantAddFailed, message: 'Failed to add participant: please retry' },
      times,
    );
  }

  /** Delays the next `times` requests of `operation` by `delayMs`. */
  delay(operation: string, delayMs: number, times = 1): this {
    return this.inject(operation, { delayMs }, times);
  }

  /** Resets the connection of the next `times` requests of `operation`. */
  reset(operation: string, times = 1): this {
    return this.inject(operation, { reset: true }, times);
  }

  /** Takes the fault for this request, if one is scripted. */
  take(operation: string): FaultSpec | undefined {
    const rule = this.rules.find((r) => (r.operation === operation || r.operation === '*') && r.remaining > 0);
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules.splice(this.rules.indexOf(rule), 1);
    this.applied.push({ operation, fault: rule.fault });
    return rule.fault;
  }

  /** How many scripted faults are still pending. */
  get pending(): number {
    return this.rules.reduce((n, r) => n + r.remaining, 0);
  }

  /** Drops every pending fault. */
  clear(): void {
    this.rules.length = 0;
  }
}
