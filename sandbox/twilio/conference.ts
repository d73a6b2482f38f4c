/**
 * Conferences: created on first use by FriendlyName, started when two participants are in (one of them with
 * startConferenceOnEnter), ended by an endConferenceOnExit participant leaving, by the last one leaving, or
 * by the API. Status callbacks go out signed, one at a time and in order per conference, each awaited.
 */
import { CODES, TwilioApiError } from './errors';
import type { Timeline } from './events';
import { newSid } from './sids';
import type { AccountState, CallStatus, ConferenceRecord, ParticipantRecord } from './state';
import { rfc2822 } from './time';
import { holdAudioOutcome } from './hold-audio';
import type { WebhookClient } from './webhook-client';

/** Why a participant left. */
export type LeaveReason = 'hangup' | 'kicked' | 'conference-ended' | 'failed';

/** What the voice engine does when the conference drops one of its legs. */
export interface LegHandle {
  /** The participant is gone from the conference (already removed); stop the leg's conference part. */
  onRemoved(reason: LeaveReason): void;
}

/** Conference settings a joining participant brings (TwiML attributes or REST create fields). */
export interface JoinSettings {
  readonly label: string | null;
  readonly startConferenceOnEnter: boolean;
  readonly endConferenceOnExit: boolean;
  readonly muted: boolean;
  readonly beep: string;
  readonly coaching?: boolean;
  readonly callSidToCoach?: string | null;
  readonly waitUrl?: string | null;
  readonly statusCallback?: string | null;
  readonly statusCallbackMethod?: string;
  readonly statusCallbackEvents?: readonly string[];
  readonly maxParticipants?: number;
}

const EVENT_CATEGORY: Record<string, string> = {
  'conference-start': 'start',
  'conference-end': 'end',
  'participant-join': 'join',
  'participant-leave': 'leave',
  'participant-mute': 'mute',
  'participant-unmute': 'mute',
  'participant-hold': 'hold',
  'participant-unhold': 'hold',
  'participant-modify': 'modify',
};

const LEFT_REASON: Record<LeaveReason, string> = {
  hangup: 'participant_hung_up',
  kicked: 'participant_updated_via_api',
  'conference-ended': 'conference_ended',
  failed: 'participant_call_failed',
};

/** Owns every conference of the account and its status callbacks. */
export class ConferenceManager {
  private readonly legs = new Map<string, LegHandle>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly holdFetches = new Set<Promise<void>>();

  constructor(
    private readonly state: AccountState,
    private readonly timeline: Timeline,
    private readonly webhooks: WebhookClient,
  ) {}

  /** The active conference with this name, created (status `init`) when there is none. */
  findOrCreate(friendlyName: string): ConferenceRecord {
    const existing = this.state.activeConferenceByName(friendlyName);
    if (existing) return existing;
    const now = new Date();
    const conference: ConferenceRecord = {
      sid: newSid('CF'),
      friendlyName,
      status: 'init',
      region: 'us1',
      dateCreated: now,
      dateUpdated: now,
      reasonConferenceEnded: null,
      callSidEndingConference: null,
      statusCallback: null,
      statusCallbackMethod: 'POST',
      statusCallbackEvents: new Set(),
      maxParticipants: 250,
      sequence: 0,
      participants: new Map(),
    };
    this.state.conferences.set(conference.sid, conference);
    this.timeline.emit({ type: 'conference-created', conferenceSid: conference.sid, friendlyName });
    return conference;
  }

  /** A participant by call SID or label (only active conferences have participants). */
  participant(conference: ConferenceRecord, key: string): ParticipantRecord | undefined {
    return conference.participants.get(key) ?? [...conference.participants.values()].find((p) => p.label === key);
  }

  /** The conference a call is in (or is being dialled into). */
  conferenceOfCall(callSid: string): ConferenceRecord | undefined {
    return [...this.state.conferences.values()].find((c) => c.participants.has(callSid));
  }

  /** Throws 16026 when the label is taken by an active participant, 16020 when the conference is full. */
  assertCanAdd(conference: ConferenceRecord, label: string | null): void {
    if (label !== null && [...conference.participants.values()].some((p) => p.label === label)) {
      throw new TwilioApiError(
        400,
        CODES.duplicateLabel,
        `Participant with label ${label} already exists in conference ${conference.sid}`,
      );
    }
    if (conference.participants.size >= conference.maxParticipants)
      throw new TwilioApiError(400, CODES.conferenceFull, `Conference ${conference.sid} is full`);
  }

  /**
   * Checks that `callSidToCoach` can be coached: error 16028 ("Participant to be whispered is not present in the
   * conference": "not yet connected to the conference or no longer connected") when it is not a connected
   * participant of this conference, 16027 ("Participant to be whispered is on hold") when it is held. Twilio's HTTP
   * status for these is not documented: 400 here, as for its other refused parameters.
   */
  assertCoachable(conference: ConferenceRecord, callSidToCoach: string | null): void {
    // Participant resource, Coaching: "If `true`, `call_sid_to_coach` must be defined."
    if (!callSidToCoach) throw new TwilioApiError(400, CODES.invalidParameter, 'Coaching requires CallSidToCoach');
    const coached = conference.participants.get(callSidToCoach);
    if (coached?.status !== 'connected')
      throw new TwilioApiError(
        400,
        CODES.whisperedNotPresent,
        `Participant to be whispered (${callSidToCoach}) is not present in conference ${conference.sid}`,
      );
    if (coached.hold)
      throw new TwilioApiError(
        400,
        CODES.whisperedOnHold,
        `Participant to be whispered (${callSidToCoach}) is on hold`,
      );
  }

  /** Reserves a participant for a leg being dialled by the REST API (status `queued`): its label is taken now. */
  reserve(conference: ConferenceRecord, callSid: string, settings: JoinSettings, leg: LegHandle): ParticipantRecord {
    this.assertCanAdd(conference, settings.label);
    const participant = this.newParticipant(conference, callSid, settings, 'queued');
    conference.participants.set(callSid, participant);
    this.legs.set(callSid, leg);
    this.adoptCallback(conference, settings);
    return participant;
  }

  /** Sets a reserved participant's status while its leg rings. */
  setStatus(callSid: string, status: ParticipantRecord['status']): void {
    const participant = this.conferenceOfCall(callSid)?.participants.get(callSid);
    if (participant) {
      participant.status = status;
      participant.dateUpdated = new Date();
    }
  }

  /**
   * Puts a call into the conference (a reserved participant connects, or a TwiML leg joins), sends
   * participant-join and starts the conference when it has two participants. Returns undefined when the
   * conference ended meanwhile.
   */
  join(
    conference: ConferenceRecord,
    callSid: string,
    settings: JoinSettings,
    leg: LegHandle,
  ): ParticipantRecord | undefined {
    if (conference.status === 'completed') return undefined;
    let participant = conference.participants.get(callSid);
    if (!participant) {
      this.assertCanAdd(conference, settings.label);
      participant = this.newParticipant(conference, callSid, settings, 'connected');
      conference.participants.set(callSid, participant);
      this.adoptCallback(conference, settings);
    }
    participant.status = 'connected';
    participant.dateUpdated = new Date();
    this.legs.set(callSid, leg);
    this.timeline.emit({
      type: 'conference-join',
      conferenceSid: conference.sid,
      friendlyName: conference.friendlyName,
      callSid,
      label: participant.label,
    });
    this.notify(conference, 'participant-join', participant);
    const connected = [...conference.participants.values()].filter((p) => p.status === 'connected');
    // Reference §3: the conference starts only when 2 participants are in, one of them allowed to start it.
    if (conference.status === 'init' && connected.length >= 2 && connected.some((p) => p.startConferenceOnEnter)) {
      conference.status = 'in-progress';
      conference.dateUpdated = new Date();
      this.timeline.emit({
        type: 'conference-start',
        conferenceSid: conference.sid,
        friendlyName: conference.friendlyName,
      });
      this.notify(conference, 'conference-start');
    }
    return participant;
  }

  /**
   * Removes a participant (hung up, kicked, failed to connect); may end the conference. `callStatus` is the
   * leg's final call status when the leg ended (busy, no-answer, failed, canceled for a leg that never connected).
   */
  leave(callSid: string, reason: LeaveReason, callStatus?: CallStatus): void {
    const conference = this.conferenceOfCall(callSid);
    const participant = conference?.participants.get(callSid);
    if (!conference || !participant) return;
    conference.participants.delete(callSid);
    const wasConnected = participant.status === 'connected';
    participant.status = wasConnected && reason !== 'failed' ? 'complete' : 'failed';
    const leg = this.legs.get(callSid);
    this.legs.delete(callSid);
    // Changelog 2023-10-25 (https://www.twilio.com/en-us/changelog/participantcallstatus-and-reasonparticipantleft-attributes-added):
    // participant-leave carries ReasonParticipantLeft and ParticipantCallStatus, also for a participant "added using
    // the /Participants API but [that] failed to answer": reason participant_add_failed, with the leg's call status.
    const leftReason = wasConnected ? LEFT_REASON[reason] : 'participant_add_failed';
    const participantCallStatus = wasConnected ? 'completed' : (callStatus ?? 'canceled');
    this.timeline.emit({
      type: 'conference-leave',
      conferenceSid: conference.sid,
      friendlyName: conference.friendlyName,
      callSid,
      label: participant.label,
      reason: wasConnected ? reason : 'add-failed',
      callStatus: participantCallStatus,
    });
    this.notify(conference, 'participant-leave', participant, {
      ReasonParticipantLeft: leftReason,
      ParticipantCallStatus: participantCallStatus,
    });
    leg?.onRemoved(reason);
    if (conference.status === 'completed' || reason === 'conference-ended') return;
    if (wasConnected && participant.endConferenceOnExit) {
      this.end(
        conference,
        reason === 'kicked'
          ? 'participant-with-end-conference-on-exit-kicked'
          : 'participant-with-end-conference-on-exit-left',
        callSid,
      );
    } else if (wasConnected && ![...conference.participants.values()].some((p) => p.status === 'connected')) {
      this.end(conference, reason === 'kicked' ? 'last-participant-kicked' : 'last-participant-left', callSid);
    }
  }

  /** Ends the conference: every remaining participant (ringing legs too) is dropped, then conference-end. */
  end(conference: ConferenceRecord, reason: string, callSidEndingConference: string | null = null): void {
    if (conference.status === 'completed') return;
    conference.status = 'completed';
    conference.reasonConferenceEnded = reason;
    conference.callSidEndingConference = callSidEndingConference;
    conference.dateUpdated = new Date();
    for (const callSid of [...conference.participants.keys()]) this.leave(callSid, 'conference-ended');
    this.timeline.emit({
      type: 'conference-end',
      conferenceSid: conference.sid,
      friendlyName: conference.friendlyName,
      reason,
    });
    this.notify(conference, 'conference-end', undefined, {
      ReasonConferenceEnded: reason,
      ...(callSidEndingConference && { CallSidEndingConference: callSidEndingConference }),
    });
  }

  /** Applies a participant update and sends the matching hold/mute/modify events. */
  update(
    conference: ConferenceRecord,
    participant: ParticipantRecord,
    changes: Partial<
      Pick<
        ParticipantRecord,
        'hold' | 'muted' | 'coaching' | 'callSidToCoach' | 'endConferenceOnExit' | 'holdUrl' | 'holdMethod' | 'waitUrl'
      >
    >,
  ): void {
    const before = {
      hold: participant.hold,
      muted: participant.muted,
      coaching: participant.coaching,
      callSidToCoach: participant.callSidToCoach,
    };
    Object.assign(participant, changes, { dateUpdated: new Date() });
    if (participant.status !== 'connected') return;
    const coachingChanged =
      participant.coaching !== before.coaching || participant.callSidToCoach !== before.callSidToCoach;
    const changed = participant.hold !== before.hold || participant.muted !== before.muted || coachingChanged;
    if (changed)
      this.timeline.emit({
        type: 'participant-update',
        conferenceSid: conference.sid,
        callSid: participant.callSid,
        label: participant.label,
        hold: participant.hold,
        muted: participant.muted,
        coaching: participant.coaching,
        callSidToCoach: participant.coaching ? participant.callSidToCoach : null,
      });
    if (participant.hold !== before.hold)
      this.notify(conference, participant.hold ? 'participant-hold' : 'participant-unhold', participant);
    if (participant.hold && (!before.hold || changes.holdUrl !== undefined))
      this.playHoldAudio(conference, participant);
    if (participant.muted !== before.muted)
      this.notify(conference, participant.muted ? 'participant-mute' : 'participant-unmute', participant);
    if (coachingChanged) this.notify(conference, 'participant-modify', participant);
  }

  /** Resolves when every queued status callback has been delivered and every hold audio fetched. */
  async settle(): Promise<void> {
    await Promise.all([...this.queues.values(), ...this.holdFetches]);
  }

  /**
   * Starts a held participant's hold audio: Twilio's default music without a `HoldUrl`, else what the URL answers
   * (fetched with `HoldMethod`, signed like every Twilio request); an answer that cannot be played is a Debugger
   * alert and silence. The participant hears nobody meanwhile (see audio.ts).
   */
  private playHoldAudio(conference: ConferenceRecord, participant: ParticipantRecord): void {
    const url = participant.holdUrl;
    const report = (): void => {
      this.timeline.emit({
        type: 'hold-audio',
        conferenceSid: conference.sid,
        callSid: participant.callSid,
        label: participant.label,
        url,
        status: participant.holdAudio,
      });
    };
    if (url === null) {
      participant.holdAudio = 'playing';
      report();
      return;
    }
    participant.holdAudio = 'fetching';
    const fetch = this.webhooks
      .send({
        purpose: 'hold-url',
        url,
        method: participant.holdMethod,
        // UNCONFIRMED: which parameters Twilio sends to a HoldUrl; the conference's and the call's identifiers here.
        params: {
          AccountSid: this.state.accountSid,
          CallSid: participant.callSid,
          ConferenceSid: conference.sid,
          FriendlyName: conference.friendlyName,
        },
        callSid: participant.callSid,
      })
      .then((response) => {
        // A later update (off hold, another HoldUrl) makes this answer stale.
        if (!participant.hold || participant.holdUrl !== url) return;
        const outcome = holdAudioOutcome(response);
        participant.holdAudio = outcome.status;
        if (outcome.status === 'failed')
          this.timeline.alert({
            code: outcome.code,
            message: outcome.message,
            url,
            callSid: participant.callSid,
          });
        report();
      })
      .finally(() => this.holdFetches.delete(fetch));
    this.holdFetches.add(fetch);
  }

  private newParticipant(
    conference: ConferenceRecord,
    callSid: string,
    settings: JoinSettings,
    status: ParticipantRecord['status'],
  ): ParticipantRecord {
    const now = new Date();
    return {
      callSid,
      conferenceSid: conference.sid,
      label: settings.label,
      status,
      hold: false,
      muted: settings.muted,
      coaching: settings.coaching ?? false,
      callSidToCoach: settings.callSidToCoach ?? null,
      startConferenceOnEnter: settings.startConferenceOnEnter,
      endConferenceOnExit: settings.endConferenceOnExit,
      beep: settings.beep,
      holdUrl: null,
      // Participant resource, HoldMethod: "Can be: `GET` or `POST` and the default is `GET`."
      holdMethod: 'GET',
      holdAudio: 'playing',
      waitUrl: settings.waitUrl ?? null,
      queueTime: '0',
      dateCreated: now,
      dateUpdated: now,
    };
  }

  /** The first participant that brings a status callback fixes it (and its events) for the conference. */
  private adoptCallback(conference: ConferenceRecord, settings: JoinSettings): void {
    if (settings.maxParticipants !== undefined && conference.participants.size <= 1)
      conference.maxParticipants = settings.maxParticipants;
    if (conference.statusCallback || !settings.statusCallback) return;
    conference.statusCallback = settings.statusCallback;
    conference.statusCallbackMethod = settings.statusCallbackMethod ?? 'POST';
    const events = settings.statusCallbackEvents?.length ? settings.statusCallbackEvents : ['start', 'end'];
    conference.statusCallbackEvents = new Set(events);
  }

  /** Queues a conference status callback when the conference subscribed to its category. */
  private notify(
    conference: ConferenceRecord,
    event: string,
    participant?: ParticipantRecord,
    extra: Record<string, string> = {},
  ): void {
    if (!conference.statusCallback || !conference.statusCallbackEvents.has(EVENT_CATEGORY[event])) return;
    conference.sequence += 1;
    const params: Record<string, string> = {
      AccountSid: this.state.accountSid,
      ConferenceSid: conference.sid,
      FriendlyName: conference.friendlyName,
      StatusCallbackEvent: event,
      SequenceNumber: String(conference.sequence),
      Timestamp: rfc2822(new Date()),
    };
    if (participant) {
      Object.assign(params, {
        CallSid: participant.callSid,
        ...(participant.label !== null && { ParticipantLabel: participant.label }),
        Muted: String(participant.muted),
        Hold: String(participant.hold),
        Coaching: String(participant.coaching),
        ...(participant.coaching && participant.callSidToCoach && { CallSidToCoach: participant.callSidToCoach }),
        EndConferenceOnExit: String(participant.endConferenceOnExit),
        StartConferenceOnEnter: String(participant.startConferenceOnEnter),
      });
    }
    Object.assign(params, extra);
    const url = conference.statusCallback;
    const method = conference.statusCallbackMethod;
    const previous = this.queues.get(conference.sid) ?? Promise.resolve();
    const next = previous.then(() =>
      this.webhooks.deliverCallback(
        {
          purpose: 'conference-status',
          url,
          method,
          params,
          ...(participant && { callSid: participant.callSid }),
        },
        (response) => {
          // TwiML <Conference> status callbacks are delivered once; an error answer is Debugger error 16011
          // ("Conference Event: Error Response to Callback URL") and the event is not sent again.
          if (response.status === null || response.status >= 400) {
            this.timeline.alert({
              code: CODES.conferenceCallbackError,
              message: `Conference status callback ${event} got ${response.status ?? response.error}`,
              url,
              ...(participant && { callSid: participant.callSid }),
            });
          }
        },
      ),
    );
    this.queues.set(conference.sid, next);
  }
}
