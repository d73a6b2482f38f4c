/**
 * {@link TwilioRecords} over the project's one Twilio client (lambdas/shared/twilio-client.ts): the SDK's own
 * resource classes for Calls, Conferences, Participants, IncomingPhoneNumbers, Applications and Monitor Alerts,
 * pointed at Twilio or, with `baseUrl`, at the sandbox's emulator.
 */
// The stack's one definition of "the account owns this number" (the phone number provider and setup use it too).
import { findIncomingNumber } from '../../infra/twilio/number-lookup';
import { createTwilioClient, type TwilioClientOptions } from '../shared/twilio-client';
import type { AlertInfo, CallLeg, TwilioRecords } from './records';
import { TwilioRequestError } from './records';

/** Twilio's answer as a {@link TwilioRequestError} (RestException: status, code; network failures: status 0). */
export function toRequestError(error: unknown): TwilioRequestError {
  if (error instanceof TwilioRequestError) return error;
  const e = error as { status?: unknown; code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (typeof e.status === 'number')
    return new TwilioRequestError(message, e.status, typeof e.code === 'number' ? e.code : undefined);
  return new TwilioRequestError(`${message}${typeof e.code === 'string' ? ` (${e.code})` : ''}`, 0);
}

async function request<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toRequestError(error);
  }
}

const date = (value: Date | null | undefined): Date | null =>
  value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;

function leg(call: {
  sid: string;
  from: string;
  to: string;
  direction: string;
  status: string;
  parentCallSid: string;
  dateCreated: Date;
  startTime: Date;
  endTime: Date;
}): CallLeg {
  return {
    sid: call.sid,
    from: call.from,
    to: call.to,
    direction: call.direction,
    status: call.status,
    parentCallSid: call.parentCallSid ?? null,
    dateCreated: date(call.dateCreated),
    startTime: date(call.startTime),
    endTime: date(call.endTime),
  };
}

/** Twilio's records through a REST client with these credentials (and base URL, for the sandbox). */
export function twilioRecords(options: TwilioClientOptions): TwilioRecords {
  // The acceptance call runs outside any webhook: a slower answer is fine, a hung one is not.
  const client = createTwilioClient({ timeoutMs: 15_000, ...options });
  const account = () => client.api.v2010.account;
  return {
    findNumber: (phoneNumber) =>
      request(async () => {
        const n = await findIncomingNumber(client, phoneNumber);
        if (!n) return undefined;
        return {
          sid: n.sid,
          phoneNumber: n.phoneNumber,
          voiceUrl: n.voiceUrl || null,
          voiceMethod: n.voiceMethod || null,
          voiceFallbackUrl: n.voiceFallbackUrl || null,
          voiceApplicationSid: n.voiceApplicationSid || null,
          trunkSid: n.trunkSid || null,
        };
      }),
    fetchApp: (sid) =>
      request(async () => {
        try {
          const app = await account().applications(sid).fetch();
          return { sid: app.sid, voiceUrl: app.voiceUrl || null, voiceFallbackUrl: app.voiceFallbackUrl || null };
        } catch (error) {
          if ((error as { status?: number }).status === 404) return undefined;
          throw error;
        }
      }),
    createCall: (r) =>
      request(async () =>
        leg(
          await account().calls.create({
            to: r.to,
            from: r.from,
            twiml: r.twiml,
            timeLimit: r.timeLimitSeconds,
            timeout: r.timeoutSeconds,
          }),
        ),
      ),
    fetchCall: (sid) => request(async () => leg(await account().calls(sid).fetch())),
    listCalls: ({ to, from, limit = 20 }) =>
      request(async () => (await account().calls.list({ to, from, limit })).map(leg)),
    findConferences: (friendlyName) =>
      request(async () =>
        (await account().conferences.list({ friendlyName, limit: 20 })).map((c) => ({
          sid: c.sid,
          friendlyName: c.friendlyName,
          status: c.status,
          dateCreated: date(c.dateCreated),
        })),
      ),
    listParticipants: (conferenceSid) =>
      request(async () =>
        (await account().conferences(conferenceSid).participants.list({ limit: 100 })).map((p) => ({
          callSid: p.callSid,
          label: p.label ?? null,
          status: p.status,
          dateCreated: date(p.dateCreated),
        })),
      ),
    hangUp: (sid) => request(async () => leg(await account().calls(sid).update({ status: 'completed' }))),
    listAlerts: (since) =>
      request(async () =>
        (await client.monitor.v1.alerts.list({ startDate: since, limit: 1000 })).map(
          (a): AlertInfo => ({
            sid: a.sid,
            errorCode: a.errorCode,
            logLevel: a.logLevel,
            alertText: a.alertText ?? '',
            resourceSid: a.resourceSid ?? null,
            requestUrl: a.requestUrl ?? null,
            dateGenerated: date(a.dateGenerated),
            moreInfo: a.moreInfo ?? null,
          }),
        ),
      ),
  };
}
