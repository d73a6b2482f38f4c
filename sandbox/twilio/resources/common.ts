/** What every REST resource handler gets and returns, plus form reading and Twilio's list envelope. */
import type { ConferenceManager } from '../conference';
import type { DebuggerAlert } from '../events';
import { invalidParameter } from '../errors';
import type { FormBody } from '../spec';
import type { AccountState, WebhookSettings } from '../state';
import type { VoiceEngine } from '../voice-engine';

/** The account and engines a handler works on. */
export interface RestContext {
  readonly state: AccountState;
  readonly conferences: ConferenceManager;
  readonly engine: VoiceEngine;
  /** `/2010-04-01/Accounts/AC...`: the prefix of every `uri` field. */
  readonly accountUri: string;
  /** The Debugger's alerts so far (Monitor v1 Alerts lists them). */
  readonly alerts: readonly DebuggerAlert[];
}

/** A validated request. */
export interface RestRequest {
  readonly operationId: string;
  readonly pathParams: Record<string, string>;
  readonly form: FormBody;
  readonly query: URLSearchParams;
  /** The request path without the query string. */
  readonly path: string;
}

/** A handler's answer: status and JSON body (none for 204). */
export interface RestResponse {
  readonly status: number;
  readonly body?: unknown;
  /** Work that starts only once the answer has been sent (a created leg is dialled after its create answer). */
  readonly afterSend?: () => void;
}

/** A handler for one spec operation. */
export type RestHandler = (ctx: RestContext, req: RestRequest) => RestResponse | Promise<RestResponse>;

/** A single form value (the last one when repeated). */
export function formString(form: FormBody, name: string): string | undefined {
  const value = form[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** A form value split into a list: repeated fields and space-separated values both count. */
export function formList(form: FormBody, name: string): string[] {
  const value = form[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
}

/** A boolean form value (the spec check already rejected non-booleans). */
export function formBool(form: FormBody, name: string): boolean | undefined {
  const value = formString(form, name);
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

/** An HTTP method form value, upper-cased; Twilio accepts only GET and POST for callbacks. */
export function formMethod(form: FormBody, name: string): string | undefined {
  const value = formString(form, name);
  if (value === undefined) return undefined;
  const method = value.toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw invalidParameter(`${name} must be GET or POST`);
  return method;
}

/** A URL form value: empty clears it; anything else must be an absolute http(s) URL. */
export function formUrl(form: FormBody, name: string): string | null | undefined {
  const value = formString(form, name);
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (!/^https?:\/\/[^\s]+$/i.test(value))
    throw invalidParameter(`${name} must be an absolute http(s) URL, got ${value}`);
  return value;
}

/** Twilio's list envelope (`page`, `page_size`, `first_page_uri`, `next_page_uri`, ... and the plural key). */
export function page<T>(req: RestRequest, key: string, items: T[], serialize: (item: T) => unknown): RestResponse {
  const pageSize = Number(req.query.get('PageSize') ?? 50);
  const pageNumber = Number(req.query.get('Page') ?? 0);
  const start = pageNumber * pageSize;
  const slice = items.slice(start, start + pageSize);
  const filters = new URLSearchParams(
    [...req.query].filter(([k]) => k !== 'Page' && k !== 'PageSize' && k !== 'PageToken'),
  );
  const uriFor = (n: number) => {
    const q = new URLSearchParams(filters);
    q.set('PageSize', String(pageSize));
    q.set('Page', String(n));
    if (n > 0) q.set('PageToken', `PT${n * pageSize}`);
    return `${req.path}?${q.toString()}`;
  };
  const hasNext = start + pageSize < items.length;
  return {
    status: 200,
    body: {
      [key]: slice.map(serialize),
      end: start + Math.max(slice.length, 1) - 1,
      first_page_uri: uriFor(0),
      next_page_uri: hasNext ? uriFor(pageNumber + 1) : null,
      page: pageNumber,
      page_size: pageSize,
      previous_page_uri: pageNumber > 0 ? uriFor(pageNumber - 1) : null,
      start,
      uri: `${req.path}?${req.query.toString()}`,
    },
  };
}

/** Copies the webhook settings present in a create/update form onto the record. */
export function applyWebhookSettings(record: WebhookSettings, form: FormBody): void {
  const set = <K extends keyof WebhookSettings>(key: K, value: WebhookSettings[K] | undefined) => {
    if (value !== undefined) record[key] = value;
  };
  set('apiVersion', formString(form, 'ApiVersion'));
  set('voiceUrl', formUrl(form, 'VoiceUrl'));
  set('voiceMethod', formMethod(form, 'VoiceMethod'));
  set('voiceFallbackUrl', formUrl(form, 'VoiceFallbackUrl'));
  set('voiceFallbackMethod', formMethod(form, 'VoiceFallbackMethod'));
  set('statusCallback', formUrl(form, 'StatusCallback'));
  set('statusCallbackMethod', formMethod(form, 'StatusCallbackMethod'));
  set('voiceCallerIdLookup', formBool(form, 'VoiceCallerIdLookup'));
  set('smsUrl', formUrl(form, 'SmsUrl'));
  set('smsMethod', formMethod(form, 'SmsMethod'));
  set('smsFallbackUrl', formUrl(form, 'SmsFallbackUrl'));
  set('smsFallbackMethod', formMethod(form, 'SmsFallbackMethod'));
}
