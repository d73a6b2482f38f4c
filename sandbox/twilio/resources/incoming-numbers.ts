/**
 * IncomingPhoneNumbers: list (PhoneNumber filter, partial and `*` wildcards as Twilio matches), fetch, update.
 * Numbers are seeded with addIncomingNumber (real ones are bought elsewhere); a POST (purchase) and a DELETE
 * (release) work as on Twilio and are recorded, since the stack must never do either.
 */
import { invalidParameter, notFound, TwilioApiError } from '../errors';
import { newSid } from '../sids';
import type { IncomingNumberRecord, NumberCapabilities } from '../state';
import { rfc2822 } from '../time';
import { applyWebhookSettings, formString, page, type RestContext, type RestHandler, type RestRequest } from './common';

/** A number as the API returns it (`api.v2010.account.incoming_phone_number`). */
export function numberJson(ctx: RestContext, n: IncomingNumberRecord): Record<string, unknown> {
  return {
    account_sid: ctx.state.accountSid,
    address_sid: n.addressSid,
    address_requirements: 'none',
    api_version: n.apiVersion,
    beta: false,
    capabilities: { ...n.capabilities },
    date_created: rfc2822(n.dateCreated),
    date_updated: rfc2822(n.dateUpdated),
    friendly_name: n.friendlyName,
    identity_sid: n.identitySid,
    phone_number: n.phoneNumber,
    origin: 'twilio',
    sid: n.sid,
    sms_application_sid: n.smsApplicationSid,
    sms_fallback_method: n.smsFallbackMethod,
    sms_fallback_url: n.smsFallbackUrl,
    sms_method: n.smsMethod,
    sms_url: n.smsUrl,
    status_callback: n.statusCallback,
    status_callback_method: n.statusCallbackMethod,
    trunk_sid: n.trunkSid,
    uri: `${ctx.accountUri}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_receive_mode: n.voiceReceiveMode,
    voice_application_sid: n.voiceApplicationSid,
    voice_caller_id_lookup: n.voiceCallerIdLookup,
    voice_fallback_method: n.voiceFallbackMethod,
    voice_fallback_url: n.voiceFallbackUrl,
    voice_method: n.voiceMethod,
    voice_url: n.voiceUrl,
    emergency_status: n.emergencyStatus,
    emergency_address_sid: n.emergencyAddressSid,
    emergency_address_status: 'unregistered',
    bundle_sid: n.bundleSid,
    status: 'in-use',
    type: 'local',
  };
}

/** Voice settings a seeded number can start with. */
export interface NumberSeed {
  readonly friendlyName?: string;
  readonly voiceUrl?: string | null;
  readonly voiceMethod?: string;
  readonly voiceFallbackUrl?: string | null;
  readonly voiceApplicationSid?: string | null;
  /** What the number can do (default: voice, SMS and MMS, as most local US numbers). */
  readonly capabilities?: Partial<NumberCapabilities>;
}

/** A new number record (seeded or bought). */
export function createNumberRecord(phoneNumber: string, seed: NumberSeed = {}): IncomingNumberRecord {
  if (!/^\+[1-9]\d{1,14}$/.test(phoneNumber)) throw new Error(`${phoneNumber} is not an E.164 number`);
  const now = new Date();
  return {
    sid: newSid('PN'),
    phoneNumber,
    friendlyName: seed.friendlyName ?? phoneNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3'),
    apiVersion: '2010-04-01',
    voiceUrl: seed.voiceUrl ?? null,
    voiceMethod: seed.voiceMethod ?? 'POST',
    voiceFallbackUrl: seed.voiceFallbackUrl ?? null,
    voiceFallbackMethod: 'POST',
    voiceApplicationSid: seed.voiceApplicationSid ?? null,
    voiceCallerIdLookup: false,
    statusCallback: null,
    statusCallbackMethod: 'POST',
    smsUrl: null,
    smsMethod: 'POST',
    smsFallbackUrl: null,
    smsFallbackMethod: 'POST',
    smsApplicationSid: null,
    trunkSid: null,
    voiceReceiveMode: 'voice',
    capabilities: { voice: true, sms: true, mms: true, fax: false, ...seed.capabilities },
    emergencyStatus: 'Inactive',
    emergencyAddressSid: null,
    identitySid: null,
    addressSid: null,
    bundleSid: null,
    dateCreated: now,
    dateUpdated: now,
  };
}

/**
 * Error for an App SID that is not one of the account's. Twilio's pages: 21420 "ApplicationSid is not accessible"
 * (https://www.twilio.com/docs/errors/21420: "a VoiceApplicationSid or SmsApplicationSid for a new phone number
 * that is not controlled by your account") on a purchase; 22108 "Invalid Application SID"
 * (https://www.twilio.com/docs/api/errors/22108: "configure a phone number with an invalid Application SID ... does
 * not exist anymore or does not belong to your account") on an update. Which one Twilio answers on an update is
 * UNCONFIRMED.
 */
type UnknownAppCode = 21420 | 22108;

/** Applies an update form to the number, all or nothing: a refused field leaves the number as it was. */
function apply(ctx: RestContext, number: IncomingNumberRecord, req: RestRequest, unknownAppCode: UnknownAppCode): void {
  const n: IncomingNumberRecord = { ...number };
  const f = req.form;
  const set = <K extends keyof IncomingNumberRecord>(key: K, value: IncomingNumberRecord[K] | undefined) => {
    if (value !== undefined) n[key] = value;
  };
  const sidField = (name: string, prefix: string): string | null | undefined => {
    const value = formString(f, name);
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (!new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value))
      throw invalidParameter(`${name} is not a valid ${prefix} SID`);
    return value;
  };
  set('friendlyName', formString(f, 'FriendlyName'));
  applyWebhookSettings(n, f);
  // An empty value unbinds (null), as Twilio takes it.
  const appSid = sidField('VoiceApplicationSid', 'AP');
  if (appSid && !ctx.state.applications.has(appSid))
    throw new TwilioApiError(
      400,
      unknownAppCode,
      `VoiceApplicationSid ${appSid} is not an application of this account`,
    );
  const trunkSid = sidField('TrunkSid', 'TK');
  set('voiceApplicationSid', appSid);
  set('smsApplicationSid', sidField('SmsApplicationSid', 'AP'));
  set('trunkSid', trunkSid);
  // IncomingPhoneNumber resource, `voice_application_sid`: "Setting a voice_application_sid will automatically
  // delete your trunk_sid and vice versa."
  if (appSid) n.trunkSid = null;
  if (trunkSid) n.voiceApplicationSid = null;
  set('voiceReceiveMode', formString(f, 'VoiceReceiveMode'));
  set('identitySid', sidField('IdentitySid', 'RI'));
  set('addressSid', sidField('AddressSid', 'AD'));
  set('bundleSid', sidField('BundleSid', 'BU'));
  set('emergencyAddressSid', sidField('EmergencyAddressSid', 'AD'));
  set('emergencyStatus', formString(f, 'EmergencyStatus'));
  n.dateUpdated = new Date();
  Object.assign(number, n);
}

function find(ctx: RestContext, req: RestRequest): IncomingNumberRecord {
  const n = ctx.state.numbers.get(req.pathParams.Sid);
  if (!n) throw notFound(req.path);
  return n;
}

/** Twilio's PhoneNumber filter: digits match anywhere, `*` stands for any digit run. */
function matchesPhoneFilter(phoneNumber: string, filter: string): boolean {
  const pattern = filter
    .replace(/[^\d*]/g, '')
    .split('*')
    .join('\\d*');
  return new RegExp(pattern).test(phoneNumber.replace(/\D/g, ''));
}

/** Handlers by operationId. */
export const incomingNumberHandlers: Record<string, RestHandler> = {
  ListIncomingPhoneNumber(ctx, req) {
    const filter = req.query.get('PhoneNumber');
    const name = req.query.get('FriendlyName');
    const numbers = [...ctx.state.numbers.values()].filter(
      (n) =>
        (filter === null || matchesPhoneFilter(n.phoneNumber, filter)) && (name === null || n.friendlyName === name),
    );
    return page(req, 'incoming_phone_numbers', numbers, (n) => numberJson(ctx, n));
  },
  FetchIncomingPhoneNumber(ctx, req) {
    return { status: 200, body: numberJson(ctx, find(ctx, req)) };
  },
  UpdateIncomingPhoneNumber(ctx, req) {
    const n = find(ctx, req);
    apply(ctx, n, req, 22108);
    return { status: 200, body: numberJson(ctx, n) };
  },
  CreateIncomingPhoneNumber(ctx, req) {
    const requested = formString(req.form, 'PhoneNumber');
    const areaCode = formString(req.form, 'AreaCode');
    if (!requested && !areaCode) throw invalidParameter('PhoneNumber or AreaCode is required');
    const phoneNumber = requested ?? `+1${areaCode}555${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
    if (ctx.state.numberByE164(phoneNumber)) throw new TwilioApiError(400, 21422, `${phoneNumber} is not available`);
    const n = createNumberRecord(phoneNumber);
    apply(ctx, n, req, 21420);
    ctx.state.numbers.set(n.sid, n);
    ctx.state.purchasedNumbers.push({ ...n });
    return { status: 201, body: numberJson(ctx, n) };
  },
  DeleteIncomingPhoneNumber(ctx, req) {
    const n = find(ctx, req);
    ctx.state.numbers.delete(n.sid);
    ctx.state.releasedNumbers.push({ ...n });
    return { status: 204 };
  },
};
