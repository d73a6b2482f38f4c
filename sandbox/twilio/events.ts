/** The emulator's timeline: typed events for tests and the scenario runner, plus recorded requests and alerts. */
import { EventEmitter } from 'node:events';
import { newSid } from './sids';
import { debuggerLevel } from './errors';

/** Everything the emulator reports, in order. `at` is milliseconds since the emulator started. */
export type EmulatorEvent = { readonly at: number } & (
  | {
      type: 'rest-request';
      method: string;
      path: string;
      operationId: string | null;
      status: number;
      code?: number;
      /** From the request's arrival to its answer: what it caused was emitted within this time, before this event. */
      ms: number;
      /** Who sent it: the Account SID or API key SID that authenticated (null when none did); never the secret. */
      credentialSid: string | null;
    }
  | { type: 'call-created'; callSid: string; from: string; to: string; direction: string }
  | { type: 'call-status'; callSid: string; status: string }
  | {
      type: 'webhook-request';
      purpose: WebhookPurpose;
      url: string;
      method: string;
      status: number | null;
      ms: number;
      error?: string;
      callSid?: string;
    }
  | { type: 'twiml-executed'; callSid: string; verb: string; detail?: Record<string, unknown> }
  | { type: 'conference-created'; conferenceSid: string; friendlyName: string }
  | { type: 'conference-start'; conferenceSid: string; friendlyName: string }
  | { type: 'conference-end'; conferenceSid: string; friendlyName: string; reason: string }
  | { type: 'conference-join'; conferenceSid: string; friendlyName: string; callSid: string; label: string | null }
  | {
      type: 'conference-leave';
      conferenceSid: string;
      friendlyName: string;
      callSid: string;
      label: string | null;
      /** hangup, kicked, conference-ended, failed; `add-failed` for a REST participant that never connected. */
      reason: string;
      /** ParticipantCallStatus: the leg's call status as it left. */
      callStatus: string;
    }
  | {
      type: 'participant-update';
      conferenceSid: string;
      callSid: string;
      label: string | null;
      hold: boolean;
      muted: boolean;
      coaching: boolean;
      /** The call this participant is heard by alone, while coaching. */
      callSidToCoach: string | null;
    }
  | {
      /** A held participant's hold audio: playing (HoldUrl fetched and playable, or Twilio's default) or failed. */
      type: 'hold-audio';
      conferenceSid: string;
      callSid: string;
      label: string | null;
      url: string | null;
      status: 'fetching' | 'playing' | 'failed';
    }
  | {
      type: 'stream-started';
      callSid: string;
      streamSid: string;
      url: string;
      kind: 'stream' | 'conversation-relay';
      customParameters: Record<string, string>;
    }
  | { type: 'stream-message'; callSid: string; streamSid: string; direction: 'sent' | 'received'; event: string }
  | { type: 'stream-stopped'; callSid: string; streamSid: string; by: 'twilio' | 'agent' | 'error' }
  | { type: 'debugger-alert'; alert: DebuggerAlert }
);

/** The kind of a webhook the emulator calls. */
export type WebhookPurpose =
  | 'voice-url'
  | 'voice-fallback'
  | 'redirect'
  | 'action'
  | 'conference-status'
  | 'call-status'
  | 'app-voice-url'
  | 'app-voice-fallback'
  | 'call-update-url'
  | 'hold-url';

/** An entry of the Twilio Debugger: what went wrong, with Twilio's error code. */
export interface DebuggerAlert {
  /** The Monitor Alert SID (`NO…`) it is listed under. */
  readonly sid: string;
  readonly code: number;
  readonly level: 'error' | 'warning';
  readonly message: string;
  readonly callSid?: string;
  readonly url?: string;
  /** The method of the request that failed, when the alert is about one. */
  readonly method?: string;
  readonly at: number;
  /** When it was generated (wall clock). */
  readonly date: Date;
}

/** One REST request as received and answered (the Authorization header is never recorded). */
export interface RecordedRestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly form: Record<string, string | string[]>;
  readonly operationId: string | null;
  readonly status: number;
  readonly responseBody: unknown;
  readonly at: number;
}

/** One webhook the emulator sent, with what came back. */
export interface RecordedWebhook {
  readonly purpose: WebhookPurpose;
  readonly method: string;
  readonly url: string;
  readonly params: Record<string, string>;
  readonly signature: string;
  readonly status: number | null;
  readonly responseBody: string;
  readonly ms: number;
  readonly error?: string;
  readonly callSid?: string;
  readonly at: number;
}

type EventInput = EmulatorEvent extends infer E ? (E extends { at: number } ? Omit<E, 'at'> : never) : never;

/** Collects events and notifies listeners and waiters. */
export class Timeline {
  readonly events: EmulatorEvent[] = [];
  readonly requests: RecordedRestRequest[] = [];
  readonly webhooks: RecordedWebhook[] = [];
  readonly alerts: DebuggerAlert[] = [];
  private readonly emitter = new EventEmitter();
  private readonly started = Date.now();

  /** Milliseconds since the emulator started. */
  now(): number {
    return Date.now() - this.started;
  }

  /** Records and announces an event. */
  emit(input: EventInput): EmulatorEvent {
    const event = { ...input, at: this.now() } as EmulatorEvent;
    this.events.push(event);
    this.emitter.emit('event', event);
    return event;
  }

  /** Records a Debugger alert (and announces it as an event). */
  /** Records a Debugger alert at the level its code's page gives. */
  alert(alert: Omit<DebuggerAlert, 'at' | 'sid' | 'date' | 'level'>): DebuggerAlert {
    const recorded = {
      ...alert,
      level: debuggerLevel(alert.code),
      sid: newSid('NO'),
      at: this.now(),
      date: new Date(),
    };
    this.alerts.push(recorded);
    this.emit({ type: 'debugger-alert', alert: recorded });
    return recorded;
  }

  /** Subscribes to every event. */
  on(listener: (event: EmulatorEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Drops all listeners (on stop). */
  clear(): void {
    this.emitter.removeAllListeners();
  }
}
