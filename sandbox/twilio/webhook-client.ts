/**
 * Sends Twilio's webhooks: form-encoded, signed with `X-Twilio-Signature` by twilio's own signing code over the
 * exact URL requested (fragment excluded) plus the sorted POST parameters, with Twilio's time limits.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import type { DeliveryScript } from './delivery-script';
import type { Timeline, WebhookPurpose } from './events';
import { Cancelled, type Scheduler } from './time';

/** One webhook to send. */
export interface WebhookRequest {
  readonly purpose: WebhookPurpose;
  readonly url: string;
  readonly method?: string;
  readonly params: Record<string, string>;
  readonly callSid?: string;
  /** Sent as `I-Twilio-Idempotency-Token`; a fresh one per webhook unless given (a redelivery reuses it). */
  readonly idempotencyToken?: string;
}

/** What came back (status null: no HTTP answer at all). */
export interface WebhookResponse {
  readonly status: number | null;
  readonly body: string;
  readonly contentType: string;
  readonly ms: number;
  readonly error?: 'timeout' | 'connection' | string;
  /** The URL actually requested (GET puts the parameters into it). */
  readonly requestedUrl: string;
}

/** Time limits; Twilio waits 10 s to connect and 15 s in all for a voice webhook. */
export interface WebhookTimeouts {
  readonly connectMs: number;
  readonly totalMs: number;
}

/**
 * Twilio's per-URL overrides in the fragment (`#ct=1000&tt=...&rc=2&rp=5xx,ct`); the fragment is never signed.
 * "Webhooks (HTTP callbacks): Connection Overrides" (https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides):
 * `rc` retries, `rp` the retry policy (`ct` connect failures, `rt` read timeouts, `4xx`, `5xx`, `all`).
 */
function fragmentOverrides(url: string): { url: string; ct?: number; tt?: number; rc?: number; rp?: string[] } {
  const hash = url.indexOf('#');
  if (hash < 0) return { url };
  const options = new URLSearchParams(url.slice(hash + 1));
  const num = (name: string) => (options.has(name) ? Number(options.get(name)) : undefined);
  const rp = options.get('rp')?.split(',').filter(Boolean);
  return { url: url.slice(0, hash), ct: num('ct'), tt: num('tt'), rc: num('rc'), ...(rp && { rp }) };
}

/** Whether an answer is worth another attempt under retry policy `rp` (no policy: only when nothing answered). */
export function shouldRetry(response: Pick<WebhookResponse, 'status' | 'error'>, rp?: readonly string[]): boolean {
  if (!rp) return response.status === null;
  if (rp.includes('all')) return response.status === null || response.status >= 400;
  if (response.status === null) return rp.includes('ct') || (rp.includes('rt') && response.error === 'timeout');
  return (
    (rp.includes('4xx') && response.status >= 400 && response.status < 500) ||
    (rp.includes('5xx') && response.status >= 500)
  );
}

/** Sends signed webhooks and records each one on the timeline. */
export class WebhookClient {
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly held = new Set<Promise<void>>();
  /** Webhooks sent and not answered yet, whether or not their call has ended since. */
  private readonly sending = new Set<Promise<WebhookResponse>>();

  constructor(
    /** Read at each send: webhooks are signed with the primary token current at that moment. */
    private readonly account: { readonly authToken: string },
    private readonly timeline: Timeline,
    private readonly timeouts: WebhookTimeouts,
    private readonly scheduler?: Scheduler,
    private readonly deliveries?: DeliveryScript,
  ) {}

  /**
   * Delivers a status callback (conference event, call progress) under the delivery script: a duplicated one
   * arrives twice with one idempotency token; a delayed one is sent later in the background, so the callbacks
   * queued after it go first. `onAnswer` gets the (first) answer, whenever it comes.
   */
  async deliverCallback(request: WebhookRequest, onAnswer: (response: WebhookResponse) => void): Promise<void> {
    const fault = this.deliveries?.take(request.purpose);
    if (fault?.kind === 'delay' && this.scheduler) {
      const scheduler = this.scheduler;
      const later = scheduler
        .sleep(fault.delayMs)
        .then(async () => onAnswer(await this.send(request)))
        .catch((error: unknown) => {
          if (!(error instanceof Cancelled)) throw error;
        })
        .finally(() => this.held.delete(later));
      this.held.add(later);
      return;
    }
    const once = { ...request, idempotencyToken: request.idempotencyToken ?? randomUUID() };
    const response = await this.send(once);
    if (fault?.kind === 'duplicate') await this.send(once);
    onAnswer(response);
  }

  /**
   * Resolves when every held (delayed) callback has been delivered and every webhook sent has its answer: a hang-up
   * while a call's voice URL is being fetched does not abort the request (the engine drops the answer), so a
   * receiver stopped before that answer would cut the request off (a spurious 11200).
   */
  async settle(): Promise<void> {
    while (this.held.size || this.sending.size) await Promise.all([...this.held, ...this.sending]);
  }

  /** Sends one webhook and resolves with the answer; never rejects (failures come back as `error`). */
  send(request: WebhookRequest): Promise<WebhookResponse> {
    const sent = this.sendAndRecord(request).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
    return sent;
  }

  private async sendAndRecord(request: WebhookRequest): Promise<WebhookResponse> {
    const method = (request.method ?? 'POST').toUpperCase();
    const overrides = fragmentOverrides(request.url);
    let url = overrides.url;
    let body = '';
    if (method === 'GET') {
      const query = new URLSearchParams(request.params).toString();
      url = query ? url + (url.includes('?') ? '&' : '?') + query : url;
    } else {
      body = new URLSearchParams(request.params).toString();
    }
    const signature = getExpectedTwilioSignature(this.account.authToken, url, method === 'GET' ? {} : request.params);
    const idempotencyToken = request.idempotencyToken ?? randomUUID();
    const attempts = 1 + (overrides.rc ?? 0);
    let response: WebhookResponse | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      response = await this.once(method, url, body, signature, idempotencyToken, {
        connectMs: overrides.ct ?? this.timeouts.connectMs,
        totalMs: overrides.tt ?? this.timeouts.totalMs,
      });
      if (!shouldRetry(response, overrides.rp)) break;
    }
    const result = response!;
    this.timeline.webhooks.push({
      purpose: request.purpose,
      method,
      url,
      params: { ...request.params },
      signature,
      status: result.status,
      responseBody: result.body.slice(0, 4096),
      ms: result.ms,
      ...(result.error !== undefined && { error: result.error }),
      ...(request.callSid !== undefined && { callSid: request.callSid }),
      at: this.timeline.now(),
    });
    this.timeline.emit({
      type: 'webhook-request',
      purpose: request.purpose,
      url,
      method,
      status: result.status,
      ms: result.ms,
      ...(result.error !== undefined && { error: result.error }),
      ...(request.callSid !== undefined && { callSid: request.callSid }),
    });
    return result;
  }

  private once(
    method: string,
    url: string,
    body: string,
    signature: string,
    idempotencyToken: string,
    timeouts: WebhookTimeouts,
  ): Promise<WebhookResponse> {
    const started = Date.now();
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: Omit<WebhookResponse, 'ms' | 'requestedUrl'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(total);
        this.inFlight.delete(req);
        resolve({ ...r, ms: Date.now() - started, requestedUrl: url });
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ status: null, body: '', contentType: '', ms: 0, error: 'invalid-url', requestedUrl: url });
        return;
      }
      const transport = target.protocol === 'https:' ? https : http;
      const headers: Record<string, string> = {
        'X-Twilio-Signature': signature,
        'I-Twilio-Idempotency-Token': idempotencyToken,
        'User-Agent': 'TwilioProxy/1.1',
        Accept: '*/*',
        'Cache-Control': 'max-age=259200',
      };
      if (method !== 'GET') {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      // agent: false = one connection per request, closed afterwards: nothing lingers after stop().
      const req = transport.request(target, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          finish({
            status: res.statusCode ?? null,
            body: Buffer.concat(chunks).toString('utf8'),
            contentType: String(res.headers['content-type'] ?? ''),
          }),
        );
        res.on('error', () => finish({ status: null, body: '', contentType: '', error: 'connection' }));
      });
      this.inFlight.add(req);
      const total = setTimeout(() => {
        req.destroy();
        finish({ status: null, body: '', contentType: '', error: 'timeout' });
      }, timeouts.totalMs);
      req.setTimeout(timeouts.connectMs);
      req.on('timeout', () => {
        req.destroy();
        finish({ status: null, body: '', contentType: '', error: 'timeout' });
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        finish({
          status: null,
          body: '',
          contentType: '',
          error: e.code === 'ECONNREFUSED' ? 'connection' : `connection: ${e.code ?? e.message}`,
        }),
      );
      req.end(body);
    });
  }

  /** Aborts every request still in flight. */
  stop(): void {
    for (const req of this.inFlight) req.destroy();
    this.inFlight.clear();
  }
}
