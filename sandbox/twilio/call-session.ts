/**
 * One running call leg as the voice engine's modules share it: the Call resource it reports, whether it was
 * answered or ended, the TwiML waiting to replace the current document, and the signals that cancel its verb or
 * outlive it. The lifecycle (leg-lifecycle.ts), the webhook loader (webhook-loading.ts) and the TwiML interpreter
 * (twiml-interpreter.ts) each read and update it; none of them owns another's fields.
 */
import type { LeaveReason } from './conference';
import type { WebhookPurpose } from './events';
import type { CallRecord } from './state';

/** Where a document comes from: a webhook (with a fallback) or inline TwiML. */
export type TwimlSource =
  | {
      kind: 'url';
      url: string;
      method: string;
      purpose: WebhookPurpose;
      params?: Record<string, string>;
      fallback?: { url: string; method: string; purpose: WebhookPurpose };
    }
  | { kind: 'twiml'; xml: string };

/** One running call leg. */
export class CallSession {
  ended = false;
  verb = new AbortController();
  pending?: TwimlSource;
  documentUrl?: string;
  answered = false;
  callbacks: Promise<void> = Promise.resolve();
  readonly done: Promise<void>;
  resolveDone!: () => void;
  /** Custom parameters of an `app:` leg, as sent (raw query string). */
  appQuery?: string;
  /** Why the leg leaves its conference when it ends (a REST hang-up counts as a kick). */
  leaveReason: LeaveReason = 'hangup';
  /** Aborted when the leg ends (timers that live as long as the call: `TimeLimit`). */
  readonly lifetime = new AbortController();
  /** Resolves when the leg is answered (its first TwiML document ran). */
  readonly answeredOnce: Promise<void>;
  resolveAnswered!: () => void;
  /**
   * The other leg of a call the account placed to one of its own numbers: the API-created leg and the inbound leg
   * it caused end together.
   */
  linkedSid?: string;

  constructor(readonly call: CallRecord) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.answeredOnce = new Promise((resolve) => (this.resolveAnswered = resolve));
  }
}
