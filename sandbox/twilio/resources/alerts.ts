/**
 * Monitor v1 Alerts: the Debugger's log as the REST API lists it (Twilio docs "Monitor Alert resource",
 * https://www.twilio.com/docs/usage/monitor-alert; OpenAPI `twilio_monitor_v1.json`, ListAlert / FetchAlert).
 *
 * Followed from those sources: the list filters are only `LogLevel`, `StartDate` and `EndDate` (GMT, `YYYY-MM-DD` or
 * `YYYY-MM-DDThh:mm:ssZ`, "on or after" / "on or before"); a caller who wants one call's alerts matches
 * `resource_sid` itself. Request and response details (`request_variables`, `response_body`, headers) are only on
 * a single-alert fetch (the `monitor.v1.alert-instance` schema). Pages use the v1 envelope (`meta` with absolute
 * `next_page_url`). Dates are ISO 8601.
 *
 * Assumed where the sources are silent (UNCONFIRMED, build so that either answer works): newest first; a date-only
 * `EndDate` covers that whole day; `alert_text` is Twilio's URL-encoded `Msg=…&ErrorCode=…&url=…&LogLevel=…`
 * string (alerts seen in the Console read like that, but the docs only say "the text of the alert"); an alert is
 * listed as soon as it is generated (Twilio states no delay).
 */
import { invalidParameter, notFound } from '../errors';
import type { DebuggerAlert } from '../events';
import type { RestContext, RestHandler, RestRequest } from './common';

const HOST = 'https://monitor.twilio.com';
const LOG_LEVELS = new Set(['error', 'warning', 'notice', 'debug']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** ISO 8601 to the second, as Monitor prints dates: `2026-12-01T10:00:00Z`. */
function iso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Twilio's `alert_text`: the alert's fields URL-encoded (see the assumption above). */
export function alertText(alert: DebuggerAlert): string {
  const fields = new URLSearchParams({ Msg: alert.message, ErrorCode: String(alert.code) });
  if (alert.url) fields.set('url', alert.url);
  fields.set('LogLevel', alert.level.toUpperCase());
  return fields.toString();
}

/** An alert as the list returns it (`monitor.v1.alert`). */
export function alertJson(ctx: RestContext, alert: DebuggerAlert): Record<string, unknown> {
  const date = iso(alert.date);
  return {
    account_sid: ctx.state.accountSid,
    alert_text: alertText(alert),
    api_version: '2010-04-01',
    date_created: date,
    date_generated: date,
    date_updated: date,
    error_code: String(alert.code),
    log_level: alert.level,
    more_info: `https://www.twilio.com/docs/errors/${alert.code}`,
    request_method: alert.method ?? null,
    request_url: alert.url ?? null,
    resource_sid: alert.callSid ?? null,
    sid: alert.sid,
    url: `${HOST}/v1/Alerts/${alert.sid}`,
    service_sid: null,
  };
}

/** A `StartDate`/`EndDate` bound in ms, or undefined when absent; 20001 when malformed. */
function bound(req: RestRequest, name: 'StartDate' | 'EndDate'): number | undefined {
  const value = req.query.get(name);
  if (value === null) return undefined;
  if (DATE.test(value)) {
    const day = Date.parse(`${value}T00:00:00Z`);
    return name === 'StartDate' ? day : day + 86_400_000 - 1;
  }
  if (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw invalidParameter(`Invalid value for ${name}: ${value} is not YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ`);
}

/** Handlers by operationId. */
export const alertHandlers: Record<string, RestHandler> = {
  ListAlert(ctx, req) {
    const level = req.query.get('LogLevel');
    if (level !== null && !LOG_LEVELS.has(level))
      throw invalidParameter(`Invalid value for LogLevel: ${level} is not one of error, warning, notice, debug`);
    const start = bound(req, 'StartDate');
    const end = bound(req, 'EndDate');
    // Monitor compares whole seconds: an alert generated at 10:00:00.700 is "on or after" 10:00:00.
    const second = (a: DebuggerAlert) => Math.floor(a.date.getTime() / 1000) * 1000;
    const alerts = ctx.alerts
      .filter((a) => level === null || a.level === level)
      .filter((a) => (start === undefined || second(a) >= start) && (end === undefined || second(a) <= end))
      .slice()
      .reverse();
    const pageSize = Number(req.query.get('PageSize') ?? 50);
    const page = Number(req.query.get('Page') ?? 0);
    const filters = new URLSearchParams(
      [...req.query].filter(([k]) => k !== 'Page' && k !== 'PageSize' && k !== 'PageToken'),
    );
    const pageUrl = (n: number) => {
      const q = new URLSearchParams(filters);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(n));
      if (n > 0) q.set('PageToken', `PA${n * pageSize}`);
      return `${HOST}${req.path}?${q.toString()}`;
    };
    const slice = alerts.slice(page * pageSize, (page + 1) * pageSize);
    return {
      status: 200,
      body: {
        alerts: slice.map((a) => alertJson(ctx, a)),
        meta: {
          first_page_url: pageUrl(0),
          key: 'alerts',
          next_page_url: (page + 1) * pageSize < alerts.length ? pageUrl(page + 1) : null,
          page,
          page_size: pageSize,
          previous_page_url: page > 0 ? pageUrl(page - 1) : null,
          url: pageUrl(page),
        },
      },
    };
  },
  FetchAlert(ctx, req) {
    const alert = ctx.alerts.find((a) => a.sid === req.pathParams.Sid);
    if (!alert) throw notFound(req.path);
    return {
      status: 200,
      body: {
        ...alertJson(ctx, alert),
        // The emulator keeps no copy of the exchange that failed; the fields exist on a fetch, empty.
        request_variables: null,
        response_body: null,
        response_headers: null,
        request_headers: null,
      },
    };
  },
};
