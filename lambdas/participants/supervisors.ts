/**
 * Supervisors: a person dialled into the caller's conference who listens (muted), whispers to the agent or a human
 * (Twilio's coaching: heard only by the coached call) or barges in (heard by everyone), and switches between these.
 * Whom to whisper to is resolved from Twilio's live participant list, so a coach is never dialled for somebody who
 * is not there (Twilio would refuse it with 16028 anyway, after the supervisor's phone had rung).
 */
import { isAgentLabel } from '../shared/agent-labels';
import type { DialConfig } from '../shared/config';
import type { ConferenceOperations, ParticipantChanges, ParticipantSummary } from '../shared/conference-ops';
import { ApiError } from '../shared/errors';
import type { AddSupervisorCommand, SupervisorMode, SupervisorModeCommand } from './requests';

/** The answer of both supervisor routes: the supervisor's participant and what it does now. */
export interface SupervisorAnswer {
  readonly conferenceSid: string;
  readonly callSid: string;
  readonly label: string | null;
  readonly status: string;
  readonly mode: SupervisorMode['mode'];
  /** Whom the supervisor whispers to (mode whisper), else null. */
  readonly coach: { readonly label: string | null; readonly callSid: string } | null;
}

/**
 * The participant that `coach` (a label or call SID) names, when it is connected and not on hold: Twilio refuses a
 * coach for a call that is not in the conference (16028) or is held (16027).
 */
export function coachedParticipant(participants: readonly ParticipantSummary[], coach: string): ParticipantSummary {
  const found = participants.find((p) => p.label === coach || p.callSid === coach);
  if (found?.status !== 'connected')
    throw new ApiError(
      409,
      'coached_participant_missing',
      `Nobody labelled or with call SID "${coach}" is connected to the conference${found ? ` (it is ${found.status})` : ''}: a supervisor can only whisper to a participant in the conference`,
      'coach',
    );
  if (found.hold)
    throw new ApiError(
      409,
      'coached_participant_on_hold',
      `"${coach}" is on hold: take them off hold before whispering to them`,
      'coach',
    );
  return found;
}

/**
 * The participant fields of a mode: listen = muted (heard by nobody); whisper = unmuted coach of one call (heard by
 * that call only); barge = unmuted, no coaching (heard by everyone). `Coaching` is always sent, so switching from
 * whisper to barge stops the coaching.
 */
export function modeChanges(
  mode: SupervisorMode['mode'],
  coached?: Pick<ParticipantSummary, 'callSid'>,
): Pick<ParticipantChanges, 'muted' | 'coaching' | 'callSidToCoach'> {
  if (mode === 'listen') return { muted: true, coaching: false };
  if (mode === 'barge') return { muted: false, coaching: false };
  if (!coached) throw new Error('whisper needs the call to coach');
  return { muted: false, coaching: true, callSidToCoach: coached.callSid };
}

function answer(
  participant: ParticipantSummary,
  mode: SupervisorMode['mode'],
  coached: ParticipantSummary | undefined,
): SupervisorAnswer {
  return {
    conferenceSid: participant.conferenceSid,
    callSid: participant.callSid,
    label: participant.label,
    status: participant.status,
    mode,
    coach: coached ? { label: coached.label, callSid: coached.callSid } : null,
  };
}

/** Dials a supervisor into an active conference in the mode asked for; 409 before dialling when nobody is to coach. */
export async function addSupervisor(
  ops: ConferenceOperations,
  conference: string,
  command: AddSupervisorCommand,
  dial: DialConfig,
): Promise<SupervisorAnswer> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  const coached =
    command.mode === 'whisper'
      ? coachedParticipant(await ops.listParticipants(conferenceSid), command.coach)
      : undefined;
  const participant = await ops.addParticipant(conferenceSid, {
    from: command.from,
    to: command.target.address,
    label: command.label,
    timeout: command.timeout ?? dial.joinTimeoutSeconds,
    beep: 'false',
    startConferenceOnEnter: true,
    endConferenceOnExit: false,
    ...modeChanges(command.mode, coached),
  });
  return answer(participant, command.mode, coached);
}

/** Switches a supervisor (by label or call SID) to another mode; 404 when it is not in the conference. */
export async function changeSupervisorMode(
  ops: ConferenceOperations,
  conference: string,
  supervisor: string,
  command: SupervisorModeCommand,
  dial: DialConfig,
): Promise<SupervisorAnswer> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  const participants = await ops.listParticipants(conferenceSid);
  const current = participants.find((p) => p.label === supervisor || p.callSid === supervisor);
  if (!current) throw new ApiError(404, 'not_found', `No participant "${supervisor}" in the conference`, 'participant');
  if (current.label === dial.callerLabel || isAgentLabel(current.label, dial.agentLabel))
    throw new ApiError(
      400,
      'invalid_request',
      'participant must be a supervisor, not the caller or the agent',
      'participant',
    );
  const coached = command.mode === 'whisper' ? coachedParticipant(participants, command.coach) : undefined;
  if (coached?.callSid === current.callSid)
    throw new ApiError(400, 'invalid_request', 'a supervisor cannot whisper to themself', 'coach');
  const updated = await ops.updateParticipant(conferenceSid, current.callSid, modeChanges(command.mode, coached));
  return answer(updated, command.mode, coached);
}
