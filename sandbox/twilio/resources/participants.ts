/**
 * Conference Participants: create (dials To into the conference by name or SID, label reserved at once),
 * list, fetch/update/delete by CallSid or label. Validation follows the reference (§2) and the error codes
 * Twilio uses: 21211 To, 21212/21210 From (a `CallToken` lends the incoming caller's ID), 16026 duplicate label,
 * 16020 full.
 */
import { callerIdAccepted } from '../call-token';
import { CODES, invalidParameter, notFound, TwilioApiError } from '../errors';
import type { ConferenceRecord, ParticipantRecord } from '../state';
import { rfc2822 } from '../time';
import { parseAppTarget } from '../webhook-loading';
import { conferenceBySid } from './conferences';
import {
  formBool,
  formList,
  formMethod,
  formString,
  formUrl,
  page,
  type RestContext,
  type RestHandler,
  type RestRequest,
} from './common';
import { CALL_EVENTS, CONFERENCE_EVENTS } from '../vocabulary';

/** A participant as the API returns it (`api.v2010.account.conference.participant`). */
export function participantJson(ctx: RestContext, p: ParticipantRecord): Record<string, unknown> {
  return {
    account_sid: ctx.state.accountSid,
    call_sid: p.callSid,
    label: p.label,
    call_sid_to_coach: p.callSidToCoach,
    coaching: p.coaching,
    conference_sid: p.conferenceSid,
    date_created: rfc2822(p.dateCreated),
    date_updated: rfc2822(p.dateUpdated),
    end_conference_on_exit: p.endConferenceOnExit,
    muted: p.muted,
    hold: p.hold,
    start_conference_on_enter: p.startConferenceOnEnter,
    status: p.status,
    queue_time: p.queueTime,
    uri: `${ctx.accountUri}/Conferences/${p.conferenceSid}/Participants/${p.callSid}.json`,
  };
}

const E164 = /^\+[1-9]\d{1,14}$/;
const CLIENT = /^client:[^\s?]{1,256}$/;
const SIP = /^sip:[^\s@]+@[^\s]+$/;

function checkTokens(name: string, values: string[], allowed: ReadonlySet<string>): string[] {
  const bad = values.filter((v) => !allowed.has(v));
  if (bad.length) throw invalidParameter(`${name} has unknown event(s): ${bad.join(', ')}`);
  return values;
}

/** Checks `To`: E.164, client:, sip: or app:AP... of an application of this account. */
function checkTo(ctx: RestContext, to: string): void {
  const app = parseAppTarget(to);
  if (app) {
    if (!ctx.state.applications.has(app.appSid))
      throw new TwilioApiError(400, CODES.invalidTo, `Invalid 'To' Phone Number: application ${app.appSid} not found`);
    return;
  }
  if (!E164.test(to) && !CLIENT.test(to) && !SIP.test(to))
    throw new TwilioApiError(400, CODES.invalidTo, `Invalid 'To' Phone Number: ${to}`);
}

/**
 * Checks `From`: a phone number must be the account's, verified, or the caller ID of the live incoming call whose
 * `CallToken` the create passes (call-token.ts); a phone `To` needs a phone `From`.
 */
function checkFrom(ctx: RestContext, from: string, to: string, callToken: string | undefined): void {
  if (E164.test(from)) {
    if (!callerIdAccepted(from, callToken, (n) => ctx.state.ownsCallerId(n), ctx.state.calls.values()))
      throw new TwilioApiError(
        400,
        CODES.unverifiedFrom,
        `The source phone number provided, ${from}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.`,
      );
    return;
  }
  if (E164.test(to) || /^\+/.test(from) || from === '')
    throw new TwilioApiError(400, CODES.invalidFrom, `Invalid 'From' Phone Number: ${from}`);
}

function checkLabel(label: string): void {
  if (label.length > 128 || label.includes('/') || /^CA[0-9a-fA-F]{32}$/.test(label))
    throw invalidParameter(`Invalid Label: at most 128 characters, no "/", and not a Call SID`);
}

/** The active conference a participants path names; create also accepts a FriendlyName. */
function conferenceFor(ctx: RestContext, req: RestRequest, create: boolean): ConferenceRecord {
  const key = req.pathParams.ConferenceSid;
  if (/^CF[0-9a-fA-F]{32}$/.test(key)) {
    const conference = conferenceBySid(ctx, req, 'ConferenceSid');
    if (create && conference.status === 'completed') throw notFound(req.path);
    return conference;
  }
  if (!create) throw notFound(req.path);
  return ctx.conferences.findOrCreate(key);
}

function participantFor(
  ctx: RestContext,
  req: RestRequest,
): { conference: ConferenceRecord; participant: ParticipantRecord } {
  const conference = conferenceFor(ctx, req, false);
  const participant = ctx.conferences.participant(conference, req.pathParams.CallSid);
  if (!participant) throw notFound(req.path);
  return { conference, participant };
}

/** Handlers by operationId. */
export const participantHandlers: Record<string, RestHandler> = {
  CreateParticipant(ctx, req) {
    const f = req.form;
    const to = formString(f, 'To') as string;
    const from = formString(f, 'From') as string;
    checkTo(ctx, to);
    checkFrom(ctx, from, to, formString(f, 'CallToken'));
    const label = formString(f, 'Label') ?? null;
    if (label !== null) checkLabel(label);
    const timeout = Number(formString(f, 'Timeout') ?? 60);
    if (timeout < 5 || timeout > 600) throw invalidParameter('Timeout must be between 5 and 600');
    const beep = formString(f, 'Beep') ?? 'true';
    if (!['true', 'false', 'onEnter', 'onExit'].includes(beep))
      throw invalidParameter('Beep must be true, false, onEnter or onExit');
    const jitter = formString(f, 'JitterBufferSize');
    if (jitter !== undefined && !['off', 'small', 'medium', 'large'].includes(jitter))
      throw invalidParameter('JitterBufferSize must be off, small, medium or large');
    const maxParticipants = formString(f, 'MaxParticipants');
    if (maxParticipants !== undefined && (Number(maxParticipants) < 2 || Number(maxParticipants) > 250))
      throw invalidParameter('MaxParticipants must be between 2 and 250');
    const callSidToCoach = formString(f, 'CallSidToCoach') ?? null;
    // Participant resource, Coaching: "If not present, defaults to `false` unless `call_sid_to_coach` is defined."
    const coaching = formBool(f, 'Coaching') ?? callSidToCoach !== null;
    if (coaching) {
      // A conference this create would start has nobody in it to coach: 16028, and no empty conference is left over.
      const key = req.pathParams.ConferenceSid;
      const existing = /^CF[0-9a-fA-F]{32}$/.test(key)
        ? conferenceFor(ctx, req, true)
        : ctx.state.activeConferenceByName(key);
      if (!existing)
        throw new TwilioApiError(
          400,
          CODES.whisperedNotPresent,
          `Participant to be whispered (${callSidToCoach}) is not present: conference ${key} is not active`,
        );
      ctx.conferences.assertCoachable(existing, callSidToCoach);
    }
    const conference = conferenceFor(ctx, req, true);
    const { created, dial } = ctx.engine.dialParticipant(conference, {
      from,
      to,
      timeoutSeconds: timeout,
      statusCallback: formUrl(f, 'StatusCallback') ?? null,
      statusCallbackMethod: formMethod(f, 'StatusCallbackMethod') ?? 'POST',
      statusCallbackEvents: checkTokens('StatusCallbackEvent', formList(f, 'StatusCallbackEvent'), CALL_EVENTS),
      settings: {
        label,
        startConferenceOnEnter: formBool(f, 'StartConferenceOnEnter') ?? true,
        endConferenceOnExit: formBool(f, 'EndConferenceOnExit') ?? false,
        muted: formBool(f, 'Muted') ?? false,
        beep,
        coaching,
        callSidToCoach,
        waitUrl: formUrl(f, 'WaitUrl') ?? null,
        statusCallback: formUrl(f, 'ConferenceStatusCallback') ?? null,
        statusCallbackMethod: formMethod(f, 'ConferenceStatusCallbackMethod') ?? 'POST',
        statusCallbackEvents: checkTokens(
          'ConferenceStatusCallbackEvent',
          formList(f, 'ConferenceStatusCallbackEvent'),
          CONFERENCE_EVENTS,
        ),
        ...(maxParticipants !== undefined && { maxParticipants: Number(maxParticipants) }),
      },
    });
    return { status: 201, body: participantJson(ctx, created), afterSend: dial };
  },
  ListParticipant(ctx, req) {
    const conference = conferenceFor(ctx, req, false);
    const filter = (name: string, value: boolean) =>
      req.query.get(name) === null || String(value) === req.query.get(name)?.toLowerCase();
    const participants = [...conference.participants.values()].filter(
      (p) => filter('Muted', p.muted) && filter('Hold', p.hold) && filter('Coaching', p.coaching),
    );
    return page(req, 'participants', participants, (p) => participantJson(ctx, p));
  },
  FetchParticipant(ctx, req) {
    return { status: 200, body: participantJson(ctx, participantFor(ctx, req).participant) };
  },
  UpdateParticipant(ctx, req) {
    const { conference, participant } = participantFor(ctx, req);
    const f = req.form;
    const callSidToCoach = formString(f, 'CallSidToCoach');
    // As on create, CallSidToCoach alone turns coaching on; the coached call is checked whenever coaching is set.
    const coaching = formBool(f, 'Coaching') ?? (callSidToCoach !== undefined ? true : undefined);
    if (coaching) ctx.conferences.assertCoachable(conference, callSidToCoach ?? participant.callSidToCoach);
    const changes: Parameters<typeof ctx.conferences.update>[2] = {};
    const hold = formBool(f, 'Hold');
    const muted = formBool(f, 'Muted');
    const endConferenceOnExit = formBool(f, 'EndConferenceOnExit');
    const holdUrl = formUrl(f, 'HoldUrl');
    const holdMethod = formMethod(f, 'HoldMethod');
    const waitUrl = formUrl(f, 'WaitUrl');
    formUrl(f, 'AnnounceUrl');
    formMethod(f, 'AnnounceMethod');
    if (hold !== undefined) changes.hold = hold;
    if (muted !== undefined) changes.muted = muted;
    if (endConferenceOnExit !== undefined) changes.endConferenceOnExit = endConferenceOnExit;
    if (holdUrl !== undefined) changes.holdUrl = holdUrl;
    if (holdMethod !== undefined) changes.holdMethod = holdMethod;
    if (waitUrl !== undefined) changes.waitUrl = waitUrl;
    if (coaching !== undefined) changes.coaching = coaching;
    if (callSidToCoach !== undefined) changes.callSidToCoach = callSidToCoach;
    ctx.conferences.update(conference, participant, changes);
    return { status: 200, body: participantJson(ctx, participant) };
  },
  DeleteParticipant(ctx, req) {
    const { participant } = participantFor(ctx, req);
    ctx.conferences.leave(participant.callSid, 'kicked');
    return { status: 204 };
  },
};
