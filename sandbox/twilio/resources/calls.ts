/**
 * Calls: create (a call to one of the account's own numbers reaches that number as an inbound call; `TimeLimit`
 * ends the call that long after it was answered), list (To, From, Status, ParentCallSid filters), fetch, update
 * (Status, Twiml, Url), delete.
 */
import { CODES, invalidParameter, notFound, TwilioApiError } from '../errors';
import type { CallRecord } from '../state';
import { rfc2822 } from '../time';
import {
  formList,
  formMethod,
  formString,
  formUrl,
  page,
  type RestContext,
  type RestHandler,
  type RestRequest,
} from './common';
import { CALL_EVENTS } from '../vocabulary';

/** A call as the API returns it (`api.v2010.account.call`). */
export function callJson(ctx: RestContext, c: CallRecord): Record<string, unknown> {
  const uri = `${ctx.accountUri}/Calls/${c.sid}`;
  const duration =
    c.startTime && c.endTime ? String(Math.round((c.endTime.getTime() - c.startTime.getTime()) / 1000)) : null;
  return {
    sid: c.sid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    parent_call_sid: c.parentCallSid,
    account_sid: ctx.state.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: c.phoneNumberSid,
    status: c.status,
    start_time: c.startTime ? rfc2822(c.startTime) : null,
    end_time: c.endTime ? rfc2822(c.endTime) : null,
    duration,
    price: null,
    price_unit: 'USD',
    direction: c.direction,
    answered_by: c.answeredBy,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: c.callerName,
    queue_time: c.queueTime,
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: {
      notifications: `${uri}/Notifications.json`,
      recordings: `${uri}/Recordings.json`,
      payments: `${uri}/Payments.json`,
      events: `${uri}/Events.json`,
      siprec: `${uri}/Siprec.json`,
      streams: `${uri}/Streams.json`,
      transcriptions: `${uri}/Transcriptions.json`,
      user_defined_message_subscriptions: `${uri}/UserDefinedMessageSubscriptions.json`,
      user_defined_messages: `${uri}/UserDefinedMessages.json`,
    },
  };
}

function find(ctx: RestContext, req: RestRequest): CallRecord {
  const call = ctx.state.calls.get(req.pathParams.Sid);
  if (!call) throw notFound(req.path);
  return call;
}

/** Handlers by operationId. */
export const callHandlers: Record<string, RestHandler> = {
  CreateCall(ctx, req) {
    const f = req.form;
    const to = formString(f, 'To') as string;
    const from = formString(f, 'From') as string;
    if (!/^\+[1-9]\d{1,14}$/.test(to) && !/^(client|sip):\S+$/.test(to))
      throw new TwilioApiError(400, CODES.invalidTo, `Invalid 'To' Phone Number: ${to}`);
    if (/^\+/.test(from) && !ctx.state.ownsCallerId(from))
      throw new TwilioApiError(
        400,
        CODES.unverifiedFrom,
        `The source phone number provided, ${from}, is not yet verified for your account.`,
      );
    if (!/^\+[1-9]\d{1,14}$/.test(from) && !/^client:\S+$/.test(from))
      throw new TwilioApiError(400, CODES.invalidFrom, `Invalid 'From' Phone Number: ${from}`);
    const url = formUrl(f, 'Url') ?? undefined;
    const twiml = formString(f, 'Twiml');
    const applicationSid = formString(f, 'ApplicationSid');
    if ([url, twiml, applicationSid].filter((v) => v !== undefined).length !== 1)
      throw new TwilioApiError(400, 21205, 'Exactly one of Url, Twiml or ApplicationSid is required');
    if (applicationSid && !ctx.state.applications.has(applicationSid))
      throw invalidParameter(`ApplicationSid ${applicationSid} not found`);
    const events = formList(f, 'StatusCallbackEvent');
    const bad = events.filter((e) => !CALL_EVENTS.has(e));
    if (bad.length) throw invalidParameter(`StatusCallbackEvent has unknown event(s): ${bad.join(', ')}`);
    const { created, dial } = ctx.engine.createCall({
      from,
      to,
      ...(url !== undefined && { url }),
      method: formMethod(f, 'Method') ?? 'POST',
      fallbackUrl: formUrl(f, 'FallbackUrl') ?? null,
      fallbackMethod: formMethod(f, 'FallbackMethod') ?? 'POST',
      ...(twiml !== undefined && { twiml }),
      ...(applicationSid !== undefined && { applicationSid }),
      timeoutSeconds: Number(formString(f, 'Timeout') ?? 60),
      ...(formString(f, 'TimeLimit') !== undefined && { timeLimitSeconds: Number(formString(f, 'TimeLimit')) }),
      statusCallback: formUrl(f, 'StatusCallback') ?? null,
      statusCallbackMethod: formMethod(f, 'StatusCallbackMethod') ?? 'POST',
      statusCallbackEvents: events,
    });
    return { status: 201, body: callJson(ctx, created), afterSend: dial };
  },
  ListCall(ctx, req) {
    const q = req.query;
    const match = (name: string, value: string | null) => q.get(name) === null || q.get(name) === value;
    const calls = [...ctx.state.calls.values()]
      .filter(
        (c) =>
          match('To', c.to) &&
          match('From', c.from) &&
          match('Status', c.status) &&
          match('ParentCallSid', c.parentCallSid),
      )
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    return page(req, 'calls', calls, (c) => callJson(ctx, c));
  },
  FetchCall(ctx, req) {
    return { status: 200, body: callJson(ctx, find(ctx, req)) };
  },
  UpdateCall(ctx, req) {
    const call = find(ctx, req);
    const f = req.form;
    const status = formString(f, 'Status');
    const twiml = formString(f, 'Twiml');
    const url = formUrl(f, 'Url') ?? undefined;
    const method = formMethod(f, 'Method');
    const fallbackUrl = formUrl(f, 'FallbackUrl') ?? undefined;
    const fallbackMethod = formMethod(f, 'FallbackMethod');
    if (twiml !== undefined || url !== undefined) {
      const outcome = ctx.engine.updateCall(call.sid, {
        ...(twiml !== undefined && { twiml }),
        ...(url !== undefined && { url }),
        ...(method && { method }),
        ...(fallbackUrl && { fallbackUrl }),
        ...(fallbackMethod && { fallbackMethod }),
      });
      if (outcome === 'not-in-progress')
        throw new TwilioApiError(400, 21220, 'Call is not in-progress. Cannot redirect.');
    }
    if (status !== undefined) {
      if (status === 'canceled' && !['queued', 'ringing'].includes(call.status) && ctx.engine.isActive(call.sid))
        return { status: 200, body: callJson(ctx, call) };
      ctx.engine.updateCall(call.sid, { status });
    }
    return { status: 200, body: callJson(ctx, call) };
  },
  DeleteCall(ctx, req) {
    const call = find(ctx, req);
    if (ctx.engine.isActive(call.sid)) throw new TwilioApiError(400, 20009, 'Cannot delete a call that is in progress');
    ctx.state.calls.delete(call.sid);
    return { status: 204 };
  },
};
