/** Conferences: list (FriendlyName, Status, DateCreated filters), fetch, and update Status=completed. */
import { notFound } from '../errors';
import type { ConferenceRecord } from '../state';
import { rfc2822 } from '../time';
import { formString, page, type RestContext, type RestHandler, type RestRequest } from './common';

/** A conference as the API returns it (`api.v2010.account.conference`). */
export function conferenceJson(ctx: RestContext, c: ConferenceRecord): Record<string, unknown> {
  const uri = `${ctx.accountUri}/Conferences/${c.sid}`;
  return {
    account_sid: ctx.state.accountSid,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.dateUpdated),
    api_version: '2010-04-01',
    friendly_name: c.friendlyName,
    region: c.region,
    sid: c.sid,
    status: c.status,
    uri: `${uri}.json`,
    subresource_uris: { participants: `${uri}/Participants.json`, recordings: `${uri}/Recordings.json` },
    reason_conference_ended: c.reasonConferenceEnded,
    call_sid_ending_conference: c.callSidEndingConference,
  };
}

/** The conference a fetch/update path names: a CF SID (Twilio requires the SID there). */
export function conferenceBySid(ctx: RestContext, req: RestRequest, param: string): ConferenceRecord {
  const conference = ctx.state.conferences.get(req.pathParams[param]);
  if (!conference) throw notFound(req.path);
  return conference;
}

function dateFilter(query: URLSearchParams, name: string, date: Date): boolean {
  const day = date.toISOString().slice(0, 10);
  const eq = query.get(name);
  const before = query.get(`${name}<`);
  const after = query.get(`${name}>`);
  return (eq === null || day === eq) && (before === null || day <= before) && (after === null || day >= after);
}

/** Handlers by operationId. */
export const conferenceHandlers: Record<string, RestHandler> = {
  ListConference(ctx, req) {
    const name = req.query.get('FriendlyName');
    const status = req.query.get('Status');
    const conferences = [...ctx.state.conferences.values()]
      .filter((c) => (name === null || c.friendlyName === name) && (status === null || c.status === status))
      .filter(
        (c) =>
          dateFilter(req.query, 'DateCreated', c.dateCreated) && dateFilter(req.query, 'DateUpdated', c.dateUpdated),
      )
      // Newest first, as Twilio lists them.
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    return page(req, 'conferences', conferences, (c) => conferenceJson(ctx, c));
  },
  FetchConference(ctx, req) {
    return { status: 200, body: conferenceJson(ctx, conferenceBySid(ctx, req, 'Sid')) };
  },
  UpdateConference(ctx, req) {
    const conference = conferenceBySid(ctx, req, 'Sid');
    if (formString(req.form, 'Status') === 'completed') ctx.conferences.end(conference, 'conference-ended-via-api');
    return { status: 200, body: conferenceJson(ctx, conference) };
  },
};
