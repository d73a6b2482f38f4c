/**
 * Scripted delivery of status callbacks (conference events, call progress), for testing a receiver's idempotency:
 * a callback delivered twice (one `I-Twilio-Idempotency-Token`, as a retried delivery carries; Twilio's webhook
 * docs, "Webhooks security / idempotency", and reference §7), or delivered late so that the callbacks after it
 * overtake it. Twilio fires events in order but sends each as its own HTTP request; `SequenceNumber` is there for
 * the receiver to restore the order (Call resource status callbacks and TwiML <Conference> statusCallback,
 * `SequenceNumber`).
 */

/** The callbacks a script applies to. */
export type StatusCallbackPurpose = 'conference-status' | 'call-status';

/** What happens to one scripted delivery. */
export type DeliveryFault = { readonly kind: 'duplicate' } | { readonly kind: 'delay'; readonly delayMs: number };

interface Rule {
  readonly purpose: StatusCallbackPurpose;
  remaining: number;
  readonly fault: DeliveryFault;
}

/** Per-test script of callback deliveries; rules apply first-in, first-out. */
export class DeliveryScript {
  private readonly rules: Rule[] = [];

  /** The next `times` callbacks of `purpose` are delivered twice. */
  duplicate(purpose: StatusCallbackPurpose, times = 1): this {
    this.rules.push({ purpose, remaining: times, fault: { kind: 'duplicate' } });
    return this;
  }

  /** The next `times` callbacks of `purpose` are held `delayMs` (real ms) while later ones go ahead. */
  delay(purpose: StatusCallbackPurpose, delayMs: number, times = 1): this {
    this.rules.push({ purpose, remaining: times, fault: { kind: 'delay', delayMs } });
    return this;
  }

  /** The fault for this delivery, if one is scripted (consumed). */
  take(purpose: string): DeliveryFault | undefined {
    const rule = this.rules.find((r) => r.purpose === purpose && r.remaining > 0);
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules.splice(this.rules.indexOf(rule), 1);
    return rule.fault;
  }

  /** Drops every rule. */
  clear(): void {
    this.rules.length = 0;
  }
}
