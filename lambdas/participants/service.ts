/**
 * Carries out the participants API's commands on a conference: adding the agent or a human, hold and mute,
 * removal, and cold and warm transfers.
 */
import type { DialConfig } from '../shared/config';
import { ApiError } from '../shared/errors';
import type { ConferenceOperations, ParticipantSummary } from '../shared/conference-ops';
import { coldTransferQuery } from '../events/query';
import type { AddCommand, TransferCommand, UpdateCommand } from './requests';

/** The agent's and callers' settings plus the URL of the events route (for cold-transfer callbacks). */
export interface ServiceSettings {
  readonly dial: DialConfig;
  readonly eventsUrl: string;
}

/** Adds the agent (with its context) or a human to a conference, by name or CF SID. */
export async function addParticipant(
  ops: ConferenceOperations,
  conference: string,
  command: AddCommand,
  settings: ServiceSettings,
): Promise<ParticipantSummary> {
  const common = {
    from: command.from,
    label: command.label,
    timeout: command.timeout ?? settings.dial.joinTimeoutSeconds,
    muted: command.muted,
    endConferenceOnExit: command.endConferenceOnExit ?? false,
    beep: 'false' as const,
    startConferenceOnEnter: true,
  };
  if (command.target === 'agent') {
    const outcome = await ops.addAgent(conference, settings.dial.twimlAppSid, command.context, common);
    if (!outcome.added)
      throw new ApiError(
        409,
        'label_in_use',
        `A participant labelled ${command.label} is already in the conference`,
        'label',
        16026,
      );
    return outcome.participant;
  }
  return ops.addParticipant(conference, { ...common, to: command.target.address });
}

/** Holds/unholds or mutes/unmutes a participant of a conference. */
export async function updateParticipant(
  ops: ConferenceOperations,
  conference: string,
  participant: string,
  command: UpdateCommand,
): Promise<ParticipantSummary> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  return ops.updateParticipant(conferenceSid, participant, { hold: command.hold, muted: command.muted });
}

/** Removes a participant; 404 when it is not in the conference. */
export async function removeParticipant(
  ops: ConferenceOperations,
  conference: string,
  participant: string,
): Promise<void> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  await ops.removeParticipant(conferenceSid, participant);
}

/** The result of starting a transfer. */
export interface TransferStarted {
  readonly type: 'cold' | 'warm';
  readonly conferenceSid: string;
  readonly human: ParticipantSummary;
  /** Cold: when the agent leaves ('on-answer' is done by the events route). Warm: on completion. */
  readonly agentRemoval: 'on-answer' | 'done' | 'on-completion';
  readonly callerOnHold: boolean;
}

/**
 * Starts a transfer to a human.
 * - cold: dials the human; the agent is removed when the human answers (the human's leg reports `answered` to
 *   the events route) or right away with `removeAgent: "immediately"`.
 * - warm: holds the caller, then dials the human so the agent can brief them; if the human cannot be dialled
 *   the caller is taken off hold again. `completeWarmTransfer` finishes it.
 */
export async function startTransfer(
  ops: ConferenceOperations,
  conference: string,
  command: TransferCommand,
  settings: ServiceSettings,
): Promise<TransferStarted> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  const human = {
    from: command.from,
    to: command.target.address,
    label: command.label,
    timeout: command.timeout ?? settings.dial.joinTimeoutSeconds,
    beep: 'false' as const,
    startConferenceOnEnter: true,
    endConferenceOnExit: false,
  };
  if (command.type === 'cold') {
    const onAnswer = command.removeAgent === 'on-answer';
    const participant = await ops.addParticipant(conferenceSid, {
      ...human,
      ...(onAnswer && {
        statusCallback: `${settings.eventsUrl}?${coldTransferQuery(conferenceSid, settings.dial.agentLabel)}`,
        statusCallbackEvent: ['answered'],
      }),
    });
    if (!onAnswer) await ops.removeParticipant(conferenceSid, settings.dial.agentLabel, true);
    return {
      type: 'cold',
      conferenceSid,
      human: participant,
      agentRemoval: onAnswer ? 'on-answer' : 'done',
      callerOnHold: false,
    };
  }
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: true });
  try {
    const participant = await ops.addParticipant(conferenceSid, human);
    return { type: 'warm', conferenceSid, human: participant, agentRemoval: 'on-completion', callerOnHold: true };
  } catch (error) {
    // Never leave the caller on hold for a human who is not coming.
    await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false }).catch(() => undefined);
    throw error;
  }
}

/** Finishes a warm transfer: takes the caller off hold and removes the agent (already gone counts as done). */
export async function completeWarmTransfer(
  ops: ConferenceOperations,
  conference: string,
  settings: ServiceSettings,
): Promise<{ conferenceSid: string; callerOnHold: false; agentRemoved: boolean }> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false });
  const agentRemoved = await ops.removeParticipant(conferenceSid, settings.dial.agentLabel, true);
  return { conferenceSid, callerOnHold: false, agentRemoved };
}
