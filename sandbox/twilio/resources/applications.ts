/** Applications (TwiML Apps): create, list (FriendlyName filter), fetch, update, delete. */
import { invalidParameter, notFound } from '../errors';
import { newSid } from '../sids';
import type { ApplicationRecord } from '../state';
import { rfc2822 } from '../time';
import {
  applyWebhookSettings,
  formBool,
  formString,
  formUrl,
  page,
  type RestContext,
  type RestHandler,
  type RestRequest,
} from './common';

/** An application as the API returns it (`api.v2010.account.application`). */
export function applicationJson(ctx: RestContext, app: ApplicationRecord): Record<string, unknown> {
  return {
    account_sid: ctx.state.accountSid,
    api_version: app.apiVersion,
    date_created: rfc2822(app.dateCreated),
    date_updated: rfc2822(app.dateUpdated),
    friendly_name: app.friendlyName,
    message_status_callback: app.messageStatusCallback,
    sid: app.sid,
    sms_fallback_method: app.smsFallbackMethod,
    sms_fallback_url: app.smsFallbackUrl,
    sms_method: app.smsMethod,
    sms_status_callback: app.smsStatusCallback,
    sms_url: app.smsUrl,
    status_callback: app.statusCallback,
    status_callback_method: app.statusCallbackMethod,
    uri: `${ctx.accountUri}/Applications/${app.sid}.json`,
    voice_caller_id_lookup: app.voiceCallerIdLookup,
    voice_fallback_method: app.voiceFallbackMethod,
    voice_fallback_url: app.voiceFallbackUrl,
    voice_method: app.voiceMethod,
    voice_url: app.voiceUrl,
    public_application_connect_enabled: app.publicApplicationConnectEnabled,
  };
}

function apply(app: ApplicationRecord, req: RestRequest): void {
  const f = req.form;
  const friendlyName = formString(f, 'FriendlyName');
  if (friendlyName !== undefined) {
    if (friendlyName.length > 64) throw invalidParameter('FriendlyName must be at most 64 characters');
    app.friendlyName = friendlyName;
  }
  const set = <K extends keyof ApplicationRecord>(key: K, value: ApplicationRecord[K] | undefined) => {
    if (value !== undefined) app[key] = value;
  };
  applyWebhookSettings(app, f);
  set('smsStatusCallback', formUrl(f, 'SmsStatusCallback'));
  set('messageStatusCallback', formUrl(f, 'MessageStatusCallback'));
  set('publicApplicationConnectEnabled', formBool(f, 'PublicApplicationConnectEnabled'));
  app.dateUpdated = new Date();
}

function find(ctx: RestContext, req: RestRequest): ApplicationRecord {
  const app = ctx.state.applications.get(req.pathParams.Sid);
  if (!app) throw notFound(req.path);
  return app;
}

/** Handlers by operationId. */
export const applicationHandlers: Record<string, RestHandler> = {
  CreateApplication(ctx, req) {
    const now = new Date();
    const app: ApplicationRecord = {
      sid: newSid('AP'),
      friendlyName: '',
      apiVersion: '2010-04-01',
      voiceUrl: null,
      voiceMethod: 'POST',
      voiceFallbackUrl: null,
      voiceFallbackMethod: 'POST',
      statusCallback: null,
      statusCallbackMethod: 'POST',
      voiceCallerIdLookup: false,
      smsUrl: null,
      smsMethod: 'POST',
      smsFallbackUrl: null,
      smsFallbackMethod: 'POST',
      smsStatusCallback: null,
      messageStatusCallback: null,
      publicApplicationConnectEnabled: false,
      dateCreated: now,
      dateUpdated: now,
    };
    apply(app, req);
    app.dateUpdated = now;
    ctx.state.applications.set(app.sid, app);
    return { status: 201, body: applicationJson(ctx, app) };
  },
  ListApplication(ctx, req) {
    const name = req.query.get('FriendlyName');
    const apps = [...ctx.state.applications.values()].filter((a) => name === null || a.friendlyName === name);
    return page(req, 'applications', apps, (a) => applicationJson(ctx, a));
  },
  FetchApplication(ctx, req) {
    return { status: 200, body: applicationJson(ctx, find(ctx, req)) };
  },
  UpdateApplication(ctx, req) {
    const app = find(ctx, req);
    apply(app, req);
    return { status: 200, body: applicationJson(ctx, app) };
  },
  DeleteApplication(ctx, req) {
    find(ctx, req);
    ctx.state.applications.delete(req.pathParams.Sid);
    return { status: 204 };
  },
};
