/**
 * Conference and participant operations over the Twilio REST API: adding the agent or a human, hold, mute,
 * removal. Retries follow one rule: retry only what Twilio did not process (429, 20429) or asked to retry
 * (16030), and a network failure only when a label guards the create against a double add.
 */
import type { AgentContext } from './agent-context';
import { agentAddress } from './call-state';
import { isAgentLabel } from './agent-labels';
import {
  ApiError,
  isNetworkFailure,
  isRetryableTwilioFailure,
  isServerFailure,
  isTwilioFailure,
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
   * CF SID. The label makes a retried create safe: a duplicate fails with 16026 instead of adding twice, so a
   * lost answer (reset, timeout) or a Twilio 5xx is retried like a 429.
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
    // Whether an earlier attempt may have added the participant (its answer was lost or Twilio failed mid-way);
    // 429 and 16030 mean Twilio did nothing.
    let mayHaveActed = false;
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
      participant = await this.withRetry(
        'participant create',
        (error) => isRetryableTwilioFailure(error) || isNetworkFailure(error) || isServerFailure(error),
        () =>
          create().catch((error: unknown) => {
            if (isNetworkFailure(error) || (isServerFailure(error) && !isRetryableTwilioFailure(error)))
              mayHaveActed = true;
            throw error;
          }),
      );
    } catch (error) {
      // 16026 after an ambiguous attempt: that attempt added the participant and its answer was lost.
      if (mayHaveActed && isTwilioFailure(error) && error.code === TWILIO.duplicateLabel) {
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

  /** Adds the AI agent through its TwiML App, carrying `context`; a duplicate label means it is already there. */
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

  /** A participant of a conference (name or CF SID) by its label. */
  private async fetchByLabel(conference: string, label: string): Promise<ParticipantSummary> {
    const conferenceSid = await this.resolveConferenceSid(conference);
    const participant = await this.withRetry(
      'participant fetch',
      (e) => isRetryableTwilioFailure(e) || isNetworkFailure(e) || isServerFailure(e),
      () => this.client.api.v2010.account.conferences(conferenceSid).participants(label).fetch(),
    );
    return toSummary(participant);
  }

  /** Resolves a conference name or CF SID to the SID of the conference in progress (404 when none). */
  async resolveConferenceSid(conference: string): Promise<string> {
    if (isConferenceSid(conference)) return conference;
    const conferences = await this.withRetry(
      'conference lookup',
      (e) => isRetryableTwilioFailure(e) || isNetworkFailure(e),
      () => this.client.api.v2010.account.conferences.list({ friendlyName: conference, limit: 20 }),
    );
    // A conference waiting for its second participant is `init`; a finished one is `completed`.
    const active = conferences.find((c) => c.status === 'in-progress') ?? conferences.find((c) => c.status === 'init');
    if (!active) throw new ApiError(404, 'not_found', `No active conference named ${conference}`, 'conference');
    return active.sid;
  }

  /** Who is in a conference (by CF SID) now, as Twilio lists them; one page of up to 250 (a conference's maximum). */
  async listParticipants(conferenceSid: string): Promise<ParticipantSummary[]> {
    const participants = await this.withRetry(
      'participant list',
      (e) => isRetryableTwilioFailure(e) || isNetworkFailure(e) || isServerFailure(e),
      () => this.client.api.v2010.account.conferences(conferenceSid).participants.list({ pageSize: 250, limit: 250 }),
    );
    return participants.map(toSummary);
  }

  /** Holds/unholds, mutes/unmutes or (un)coaches a participant (by call SID or label). */
  async updateParticipant(
    conferenceSid: string,
    participant: string,
    changes: ParticipantChanges,
  ): Promise<ParticipantSummary> {
    const updated = await this.withRetry(
      'participant update',
      (e) => isRetryableTwilioFailure(e) || isNetworkFailure(e),
      () =>
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
   * Changes a live call (any leg, by call SID). A call that already ended answers 21220 or 20404: that counts as
   * done (`false`), since ending or redirecting a finished call has nothing left to do.
   */
  async updateCall(callSid: string, change: CallChange): Promise<boolean> {
    try {
      await this.withRetry(
        'call update',
        (e) => isRetryableTwilioFailure(e) || isNetworkFailure(e),
        () =>
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
      if (
        isTwilioFailure(error) &&
        (error.code === TWILIO.callNotInProgress || error.code === TWILIO.notFound || error.status === 404)
      )
        return false;
      throw error;
    }
  }

  /** Removes a participant (by call SID or label); `ignoreMissing` treats one already gone as removed. */
  async removeParticipant(conferenceSid: string, participant: string, ignoreMissing = false): Promise<boolean> {
    try {
      await this.withRetry(
        'participant remove',
        (e) => isRetryableTwilioFailure(e) || isNetworkFailure(e),
        () => this.client.api.v2010.account.conferences(conferenceSid).participants(participant).remove(),
      );
      this.log.info('participant removed', { conferenceSid, participant });
      return true;
    } catch (error) {
      if (ignoreMissing && isTwilioFailure(error) && (error.code === TWILIO.notFound || error.status === 404))
        return false;
      throw error;
    }
  }

  /**
   * Removes every AI agent of a conference: the participants whose label is `agentLabel` or one of its numbered
   * labels (`-2`, `-3`, … that the participants API gives further agents), read from one participant list and
   * removed by call SID. Resolves with the call SIDs removed (one already gone counts as removed).
   */
  async removeAgents(conferenceSid: string, agentLabel: string): Promise<string[]> {
    let participants: ParticipantSummary[];
    try {
      participants = await this.listParticipants(conferenceSid);
    } catch (error) {
      // A conference that has ended has no agents left to remove.
      if (isTwilioFailure(error) && (error.code === TWILIO.notFound || error.status === 404)) return [];
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
