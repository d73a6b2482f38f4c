/**
 * Webhook loading: where a leg's TwiML comes from and how it is fetched. Builds Twilio's standard voice request
 * parameters, requests the document (signed by the webhook client), checks its status, Content-Type and TwiML,
 * raises the error each failure is on Twilio (11200 retrieval, 11205 connection, 12300 content type, 12100/12200
 * TwiML) and then tries the fallback URL with `ErrorCode`/`ErrorUrl`, as Twilio's voice webhooks do. Also the
 * `app:` target of a participant and how its custom parameters reach the TwiML App's voice URL.
 */
import type { CallSession, TwimlSource } from './call-session';
import { CODES } from './errors';
import type { Timeline, WebhookPurpose } from './events';
import type { AccountState, ApplicationRecord, CallRecord, IncomingNumberRecord } from './state';
import { parseTwiml, TwimlError, type XmlElement } from './twiml-parser';
import type { WebhookClient } from './webhook-client';

const APP_TARGET = /^app:(AP[0-9a-fA-F]{32})(?:\?([\s\S]*))?$/;

/** Parses `app:APxxx?k=v` into the App SID and the raw custom-parameter query. */
export function parseAppTarget(to: string): { appSid: string; query: string } | undefined {
  const match = APP_TARGET.exec(to);
  return match ? { appSid: match[1], query: match[2] ?? '' } : undefined;
}

/**
 * Appends custom parameters to a voice URL as Twilio does: names and values kept as sent, characters a URL
 * cannot carry (spaces, non-ASCII) percent-encoded, existing escapes left alone, before any `#fragment`.
 */
export function appendCustomParameters(url: string, rawQuery: string): string {
  if (!rawQuery) return url;
  const encoded = rawQuery.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (c) =>
    encodeURIComponent(c),
  );
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : url.slice(hash);
  return base + (base.includes('?') ? '&' : '?') + encoded + fragment;
}

/** A webhook source: the URL, and the fallback URL tried when it fails (none when `fallbackUrl` is empty). */
export function urlSource(
  url: string,
  method: string,
  purpose: WebhookPurpose,
  fallbackUrl: string | null,
  fallbackMethod: string,
  fallbackPurpose: WebhookPurpose,
): TwimlSource {
  return {
    kind: 'url',
    url,
    method,
    purpose,
    ...(fallbackUrl && { fallback: { url: fallbackUrl, method: fallbackMethod, purpose: fallbackPurpose } }),
  };
}

/** A TwiML App's voice URL and fallback URL, each with an `app:` leg's custom parameters (if any) appended. */
export function appSource(app: ApplicationRecord, rawQuery = ''): TwimlSource {
  return urlSource(
    appendCustomParameters(app.voiceUrl ?? '', rawQuery),
    app.voiceMethod,
    'app-voice-url',
    app.voiceFallbackUrl ? appendCustomParameters(app.voiceFallbackUrl, rawQuery) : null,
    app.voiceFallbackMethod,
    'app-voice-fallback',
  );
}

/**
 * What an inbound call to `number` runs: its TwiML App's voice URL, else its own voice URL; nothing for a number
 * on a SIP trunk or with neither URL.
 */
export function inboundSource(
  number: IncomingNumberRecord,
  app: ApplicationRecord | undefined,
): TwimlSource | undefined {
  if (number.trunkSid) return undefined;
  if (app?.voiceUrl) return appSource(app);
  if (!number.voiceApplicationSid && number.voiceUrl)
    return urlSource(
      number.voiceUrl,
      number.voiceMethod,
      'voice-url',
      number.voiceFallbackUrl,
      number.voiceFallbackMethod,
      'voice-fallback',
    );
  return undefined;
}

/** A URL the running document gives, resolved against that document's own URL. */
export function resolveUrl(session: CallSession, url: string): string {
  return session.documentUrl ? new URL(url, session.documentUrl).toString() : url;
}

/** The `action` request of a verb: its URL resolved against the document, `POST` unless the verb says. */
export function actionSource(
  session: CallSession,
  url: string,
  method: string | undefined,
  params: Record<string, string>,
): TwimlSource {
  return { kind: 'url', url: resolveUrl(session, url), method: method ?? 'POST', purpose: 'action', params };
}

function countryOf(address: string): string {
  return address.startsWith('+1') ? 'US' : address.startsWith('+44') ? 'GB' : '';
}

/** Twilio's standard voice request parameters for a leg. */
export function callParams(accountSid: string, call: CallRecord): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    CallSid: call.sid,
    CallStatus: call.status,
    Called: call.to,
    Caller: call.from,
    Direction: call.direction,
    From: call.from,
    To: call.to,
    // Voice Webhooks, incoming call: Twilio adds the CallToken a forwarded call (or participant) may pass on.
    ...(call.callToken !== null && { CallToken: call.callToken }),
  };
  if (call.direction === 'inbound') {
    for (const [prefix, address] of [
      ['From', call.from],
      ['Caller', call.from],
      ['To', call.to],
      ['Called', call.to],
    ] as const) {
      Object.assign(params, {
        [`${prefix}City`]: '',
        [`${prefix}State`]: '',
        [`${prefix}Zip`]: '',
        [`${prefix}Country`]: countryOf(address),
      });
    }
  }
  if (call.applicationSid) params.ApplicationSid = call.applicationSid;
  if (call.parentCallSid) params.ParentCallSid = call.parentCallSid;
  return params;
}

/** Fetches the TwiML documents legs run, and the requests a leg makes after it ended. */
export class WebhookLoader {
  constructor(
    private readonly state: AccountState,
    private readonly webhooks: WebhookClient,
    private readonly timeline: Timeline,
  ) {}

  /** Fetches and checks a TwiML document, trying the fallback URL on failure; undefined when both fail. */
  async load(session: CallSession, source: TwimlSource): Promise<XmlElement | undefined> {
    const callSid = session.call.sid;
    if (source.kind === 'twiml') {
      try {
        return this.parse(session, source.xml, undefined);
      } catch (error) {
        return this.twimlFailure(session, error, undefined);
      }
    }
    const attempt = async (
      url: string,
      method: string,
      purpose: WebhookPurpose,
      extra: Record<string, string>,
    ): Promise<XmlElement | { code: number; url: string }> => {
      const response = await this.webhooks.send({
        purpose,
        url,
        method,
        params: { ...callParams(this.state.accountSid, session.call), ...source.params, ...extra },
        callSid,
      });
      if (response.status === null) {
        const code = response.error === 'timeout' ? CODES.httpConnectionFailure : CODES.httpRetrievalFailure;
        this.timeline.alert({
          code,
          message: `${method} ${url} failed: ${response.error}`,
          callSid,
          url,
          method,
        });
        return { code, url };
      }
      if (response.status < 200 || response.status >= 300) {
        this.timeline.alert({
          code: CODES.httpRetrievalFailure,
          message: `${method} ${url} answered HTTP ${response.status}`,
          callSid,
          url,
          method,
        });
        return { code: CODES.httpRetrievalFailure, url };
      }
      if (
        !/(^|\/)(xml|[\w.+-]+\+xml|html)(;|$)|^text\/(xml|html)|^application\/xml/i.test(response.contentType.trim())
      ) {
        this.timeline.alert({
          code: CODES.invalidContentType,
          message: `${url} answered Content-Type ${response.contentType || '(none)'}, not XML`,
          callSid,
          url,
        });
        return { code: CODES.invalidContentType, url };
      }
      try {
        return this.parse(session, response.body, response.requestedUrl);
      } catch (error) {
        if (!(error instanceof TwimlError)) throw error;
        this.timeline.alert({ code: error.code, message: error.message, callSid, url });
        return { code: error.code, url };
      }
    };
    const first = await attempt(source.url, source.method, source.purpose, {});
    if (!('code' in first)) return first;
    if (!source.fallback || session.ended) return undefined;
    const second = await attempt(source.fallback.url, source.fallback.method, source.fallback.purpose, {
      ErrorCode: String(first.code),
      ErrorUrl: first.url,
    });
    return 'code' in second ? undefined : second;
  }

  /** Requests a URL after the leg ended (its answer is not run), in order with the leg's other callbacks. */
  notifyAfterHangup(session: CallSession, source: TwimlSource): void {
    if (source.kind !== 'url') return;
    session.callbacks = session.callbacks.then(async () => {
      await this.webhooks.send({
        purpose: source.purpose,
        url: source.url,
        method: source.method,
        params: { ...callParams(this.state.accountSid, session.call), ...source.params },
        callSid: session.call.sid,
      });
    });
  }

  private parse(session: CallSession, xml: string, url: string | undefined): XmlElement {
    const document = parseTwiml(xml);
    for (const warning of document.warnings)
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: warning,
        callSid: session.call.sid,
        ...(url && { url }),
      });
    if (url) session.documentUrl = url;
    return document.response;
  }

  private twimlFailure(session: CallSession, error: unknown, url: string | undefined): undefined {
    if (!(error instanceof TwimlError)) throw error;
    this.timeline.alert({
      code: error.code,
      message: error.message,
      callSid: session.call.sid,
      ...(url && { url }),
    });
    return undefined;
  }
}
