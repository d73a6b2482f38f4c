/**
 * Conference and participant operations over the Twilio REST API: adding the agent or a human, hold, mute,
 * removal. Each operation retries, with backoff inside the retry budget, one of two sets of failures (named in
 * `errors.ts`, stated per method below):
 * - {@link isTransientFailure}: Twilio did not act (429, 20429, 16030) or the request may not have reached it (a
 *   network failure). Every operation retries these.
 * - {@link isUnavailableFailure}: those and a Twilio 5xx, which may have acted. Only the reads (list, fetch) and
 *   the label-guarded create retry it: a repeated create meets 16026 instead of adding twice.
 */
import type { AgentContext } from './agent-context';
import { agentAddress } from './call-state';
import { isAgentLabel } from './agent-labels';
import {
  ApiError,
  isCallOver,
  isGone,
  isNetworkFailure,
  isTransientFailure,
  isTwilioFailure,
  isUnavailableFailure,
  mayHaveActed,
  TWILIO,
} from './errors';
import { isConferenceSid } from './identifiers';
import type { Logger } from './log';
import { maskPhone } from './log';
import { withRetry, type RetryOptions } from './retry';
import type { TwilioRestClient } from './twilio-client';

/** A participant as the API reports it. */
export interface ParticipantSummary {
  readonly callSid: string;
  readonly conferenceSid: string;
  readonly label: string | null;
  readonly status: string;
  readonly hold?: boolean;
  readonly muted?: boolean;
  /** Heard by one call only (`call_sid_to_coach`): a whispering supervisor. */
  readonly coaching?: boolean;
}

/** Changes to a live call: end it, or replace what it runs with TwiML or a URL's TwiML. */
export type CallChange =
  | { readonly status: 'completed' | 'canceled' }
  | { readonly twiml: string }
  | { readonly url: string };

/** Fields of a Participants API create that the stack sets. */
export interface AddParticipantRequest {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly timeout?: number;
  readonly muted?: boolean;
  readonly beep?: 'true' | 'false' | 'onEnter' | 'onExit';
  readonly startConferenceOnEnter?: boolean;
  readonly endConferenceOnExit?: boolean;
  readonly earlyMedia?: boolean;
  /** Heard only by the participant whose call is `callSidToCoach` (Twilio rejects a coach without one). */
  readonly coaching?: boolean;
  readonly callSidToCoach?: string;
  readonly jitterBufferSize?: 'off' | 'small' | 'medium' | 'large';
  readonly statusCallback?: string;
  readonly statusCallbackEvent?: readonly ('initiated' | 'ringing' | 'answered' | 'completed')[];
  /**
   * The inbound call's `CallToken`, so the new leg may present the caller's number as `From` (Twilio: Participant
   * resource, `CallToken`). A secret in logs: never logged.
   */
  readonly callToken?: string;
}

/** Fields of a Participants API update that the stack sets (Twilio's update takes no `Status`). */
export interface ParticipantChanges {
  readonly hold?: boolean;
  /** What a held participant hears instead of the conference (fetched with GET: Twilio's default, cacheable). */
  readonly holdUrl?: string;
  readonly muted?: boolean;
  readonly coaching?: boolean;
  readonly callSidToCoach?: string;
}

/** What adding the agent did: added now, or already present (a duplicate label: a repeated event). */
export type AgentAddOutcome =
  | { readonly added: true; readonly participant: ParticipantSummary; readonly queueTimeMs?: number }
  | { readonly added: false; readonly reason: 'already-present' };

/** Operations on one account's conferences. */
export class ConferenceOperations {
  constructor(
    private readonly client: TwilioRestClient,
    private readonly log: Logger,
    private readonly retry: Pick<RetryOptions, 'budgetMs' | 'sleep' | 'random' | 'baseDelayMs' | 'maxDelayMs'>,
  ) {}

  /**
   * Adds a participant. `conference` is a FriendlyName (Twilio creates the conference if none is active) or a
   * CF SID. Retries {@link isUnavailableFailure}: the label makes a repeated create safe, since a duplicate fails
   * with 16026 instead of adding twice; a 16026 after an attempt that {@link mayHaveActed} is that attempt's
   * participant, fetched by label (itself retried like a read).
   */
  async addParticipant(conference: string, request: AddParticipantRequest): Promise<ParticipantSummary> {
    return (await this.dialParticipant(conference, request)).participant;
  }

  /**
   * {@link addParticipant}, also answering how long Twilio queued the call before placing it (`queue_time`, ms;
   * undefined when Twilio did not say, e.g. for a participant found by label after a lost answer).
   */
  async dialParticipant(
    conference: string,
    request: AddParticipantRequest,
  ): Promise<{ participant: ParticipantSummary; queueTimeMs?: number }> {
    // Whether an earlier attempt may have added the participant: then a 16026 is that attempt's doing.
    let ambiguous = false;
    const create = () =>
      this.client.api.v2010.account.conferences(conference).participants.create({
        from: request.from,
        to: request.to,
        label: request.label,
        ...(request.timeout !== undefined && { timeout: request.timeout }),
        ...(request.muted !== undefined && { muted: request.muted }),
        ...(request.beep !== undefined && { beep: request.beep }),
        ...(request.startConferenceOnEnter !== undefined && { startConferenceOnEnter: request.startConferenceOnEnter }),
        ...(request.endConferenceOnExit !== undefined && { endConferenceOnExit: request.endConferenceOnExit }),
        ...(request.earlyMedia !== undefined && { earlyMedia: request.earlyMedia }),
        ...(request.coaching !== undefined && { coaching: request.coaching }),
        ...(request.callSidToCoach !== undefined && { callSidToCoach: request.callSidToCoach }),
        ...(request.jitterBufferSize !== undefined && { jitterBufferSize: request.jitterBufferSize }),
        ...(request.statusCallback !== undefined && {
          statusCallback: request.statusCallback,
          statusCallbackMethod: 'POST',
        }),
        ...(request.statusCallbackEvent !== undefined && { statusCallbackEvent: [...request.statusCallbackEvent] }),
        ...(request.callToken !== undefined && { callToken: request.callToken }),
      });
    let participant: Awaited<ReturnType<typeof create>>;
    try {
      participant = await this.withRetry('participant create', isUnavailableFailure, () =>
        create().catch((error: unknown) => {
          if (mayHaveActed(error)) ambiguous = true;
          throw error;
        }),
      );
    } catch (error) {
      // 16026 after an ambiguous attempt: that attempt added the participant and its answer was lost.
      if (ambiguous && isTwilioFailure(error) && error.code === TWILIO.duplicateLabel) {
        const found = await this.fetchByLabel(conference, request.label);
        this.log.info('participant create answer was lost; found it by label', {
          conferenceSid: found.conferenceSid,
          callSid: found.callSid,
          label: found.label,
        });
        return { participant: found };
      }
      throw error;
    }
    const summary = toSummary(participant);
    const queueTimeMs =
      participant.queueTime === undefined || participant.queueTime === null
        ? Number.NaN
        : Number(participant.queueTime);
    this.log.info('participant added', {
      conferenceSid: summary.conferenceSid,
      callSid: summary.callSid,
      label: summary.label,
      to: maskPhone(request.to.split('?')[0]),
    });
    return { participant: summary, ...(Number.isFinite(queueTimeMs) && { queueTimeMs }) };
  }

  /**
   * Adds the AI agent through its TwiML App, carrying `context` (retried as {@link addParticipant}); a duplicate
   * label means it is already there.
   */
  async addAgent(
    conference: string,
    appSid: string,
    context: AgentContext,
    request: Omit<AddParticipantRequest, 'to'>,
  ): Promise<AgentAddOutcome> {
    const to = agentAddress(appSid, context);
    try {
      return { added: true, ...(await this.dialParticipant(conference, { ...request, to })) };
    } catch (error) {
      if (isTwilioFailure(error) && error.code === TWILIO.duplicateLabel) {
        this.log.info('agent already in conference', { conference, label: request.label });
        return { added: false, reason: 'already-present' };
      }
      throw error;
    }
  }

  /** A participant of a conference (name or CF SID) by its label; retries {@link isUnavailableFailure}. */
  private async fetchByLabel(conference: string, label: string): Promise<ParticipantSummary> {
    const conferenceSid = await this.resolveConferenceSid(conference);
    const participant = await this.withRetry('participant fetch', isUnavailableFailure, () =>
      this.client.api.v2010.account.conferences(conferenceSid).participants(label).fetch(),
    );
    return toSummary(participant);
  }

  /**
   * Resolves a conference name or CF SID to the SID of the conference in progress (404 when none); the lookup by
   * name retries {@link isTransientFailure}.
   */
  async resolveConferenceSid(conference: string): Promise<string> {
    if (isConferenceSid(conference)) return conference;
    const conferences = await this.withRetry('conference lookup', isTransientFailure, () =>
      this.client.api.v2010.account.conferences.list({ friendlyName: conference, limit: 20 }),
    );
    // A conference waiting for its second participant is `init`; a finished one is `completed`.
    const active = conferences.find((c) => c.status === 'in-progress') ?? conferences.find((c) => c.status === 'init');
    if (!active) throw new ApiError(404, 'not_found', `No active conference named ${conference}`, 'conference');
    return active.sid;
  }

  /**
   * Who is in a conference (by CF SID) now, as Twilio lists them; one page of up to 250 (a conference's maximum).
   * Retries {@link isUnavailableFailure}.
   */
  async listParticipants(conferenceSid: string): Promise<ParticipantSummary[]> {
    const participants = await this.withRetry('participant list', isUnavailableFailure, () =>
      this.client.api.v2010.account.conferences(conferenceSid).participants.list({ pageSize: 250, limit: 250 }),
    );
    return participants.map(toSummary);
  }

  /** Holds/unholds, mutes/unmutes or (un)coaches a participant (by call SID or label); retries {@link isTransientFailure}. */
  async updateParticipant(
    conferenceSid: string,
    participant: string,
    changes: ParticipantChanges,
  ): Promise<ParticipantSummary> {
    const updated = await this.withRetry('participant update', isTransientFailure, () =>
      this.client.api.v2010.account
        .conferences(conferenceSid)
        .participants(participant)
        .update({
          ...(changes.hold !== undefined && { hold: changes.hold }),
          ...(changes.holdUrl !== undefined && { holdUrl: changes.holdUrl, holdMethod: 'GET' }),
          ...(changes.muted !== undefined && { muted: changes.muted }),
          ...(changes.coaching !== undefined && { coaching: changes.coaching }),
          ...(changes.callSidToCoach !== undefined && { callSidToCoach: changes.callSidToCoach }),
        }),
    );
    this.log.info('participant updated', { conferenceSid, participant, ...changes });
    return toSummary(updated);
  }

  /**
   * Changes a live call (any leg, by call SID); retries {@link isTransientFailure}. A call that already ended
   * ({@link isCallOver}: 21220, 20404) counts as done (`false`): ending or redirecting it has nothing left to do.
   */
  async updateCall(callSid: string, change: CallChange): Promise<boolean> {
    try {
      await this.withRetry('call update', isTransientFailure, () =>
        this.client.api.v2010.account
          .calls(callSid)
          .update(
            'status' in change
              ? { status: change.status }
              : 'twiml' in change
                ? { twiml: change.twiml }
                : { url: change.url, method: 'POST' },
          ),
      );
      this.log.info('call updated', { callSid, change: Object.keys(change)[0] });
      return true;
    } catch (error) {
      if (isCallOver(error)) return false;
      throw error;
    }
  }

  /**
   * Removes a participant (by call SID or label); retries {@link isTransientFailure}. `ignoreMissing` treats one
   * already gone ({@link isGone}) as removed (`false`).
   */
  async removeParticipant(conferenceSid: string, participant: string, ignoreMissing = false): Promise<boolean> {
    try {
      await this.withRetry('participant remove', isTransientFailure, () =>
        this.client.api.v2010.account.conferences(conferenceSid).participants(participant).remove(),
      );
      this.log.info('participant removed', { conferenceSid, participant });
      return true;
    } catch (error) {
      if (ignoreMissing && isGone(error)) return false;
      throw error;
    }
  }

  /**
   * Removes every AI agent of a conference: the participants whose label is `agentLabel` or one of its numbered
   * labels (`-2`, `-3`, … that the participants API gives further agents), read from one participant list and
   * removed by call SID (the list and each removal retried as {@link listParticipants} and
   * {@link removeParticipant}). Resolves with the call SIDs removed (one already gone counts as removed); a conference
   * that has ended ({@link isGone}) has none.
   */
  async removeAgents(conferenceSid: string, agentLabel: string): Promise<string[]> {
    let participants: ParticipantSummary[];
    try {
      participants = await this.listParticipants(conferenceSid);
    } catch (error) {
      // A conference that has ended has no agents left to remove.
      if (isGone(error)) return [];
      throw error;
    }
    const agents = participants.filter((p) => isAgentLabel(p.label, agentLabel));
    await Promise.all(agents.map((p) => this.removeParticipant(conferenceSid, p.callSid, true)));
    return agents.map((p) => p.callSid);
  }

  private withRetry<T>(
    what: string,
    shouldRetry: (error: unknown) => boolean,
    operation: () => Promise<T>,
  ): Promise<T> {
    return withRetry(operation, {
      ...this.retry,
      shouldRetry,
      onRetry: (error, attempt, delayMs) =>
        this.log.warn(`${what} retried`, {
          attempt,
          delayMs,
          twilioStatus: isTwilioFailure(error) ? error.status : undefined,
          twilioCode: isTwilioFailure(error) ? error.code : undefined,
          networkError: isNetworkFailure(error) ? (error as { code: string }).code : undefined,
        }),
    });
  }
}

function toSummary(p: {
  callSid: string;
  conferenceSid: string;
  label: string | null;
  status: string;
  hold?: boolean;
  muted?: boolean;
  coaching?: boolean;
}): ParticipantSummary {
  return {
    callSid: p.callSid,
    conferenceSid: p.conferenceSid,
    label: p.label,
    status: p.status,
    hold: p.hold,
    muted: p.muted,
    coaching: p.coaching,
  };
}
