/**
 * Carries out the participants API's commands on a conference: adding the agent or a human, hold and mute,
 * removal. Transfers are the shared `lambdas/shared/transfer.ts`, which the AI agent's handoff uses too.
 */
import type { DialConfig } from '../shared/config';
import { ApiError } from '../shared/errors';
import type { AddParticipantRequest, ConferenceOperations, ParticipantSummary } from '../shared/conference-ops';
import { encodeLegState, LEG_STATUS_EVENTS } from '../events/leg-state';
import type { AgentContext } from '../shared/agent-context';
import { type ParticipantListEntry, toListEntry, type TransferSettings } from '../shared/transfer';
import type { AddCommand, UpdateCommand } from './requests';

/** The agent's and callers' settings plus the URLs of the events routes Twilio calls back. */
export interface ServiceSettings extends TransferSettings {
  readonly dial: DialConfig;
  /** The leg status route: an agent leg reporting there is recovered like one the events handler dialled. */
  readonly legStatusUrl: string;
}

/**
 * The status callback that puts an agent leg added through the API under the same recovery as the agent the
 * events handler dials (agent again, fallback target, fallback message), so its failure or a dropped stream cannot
 * leave the caller alone. None when the conference has no caller to recover for.
 */
async function agentRecoveryCallback(
  ops: ConferenceOperations,
  conferenceSid: string,
  context: AgentContext,
  settings: ServiceSettings,
): Promise<Pick<AddParticipantRequest, 'statusCallback' | 'statusCallbackEvent'>> {
  const participants = await ops.listParticipants(conferenceSid);
  const caller = participants.find((p) => p.label === settings.dial.callerLabel);
  if (!caller) return {};
  const state = encodeLegState({
    leg: 'agent',
    attempt: 1,
    conferenceSid,
    callerCallSid: caller.callSid,
    attended: participants.some((p) => p.label !== settings.dial.callerLabel),
    context,
  });
  return { statusCallback: `${settings.legStatusUrl}?${state}`, statusCallbackEvent: LEG_STATUS_EVENTS };
}

/**
 * Adds the agent (with its context) or a human to an active conference, by name or CF SID; 404 when no conference
 * of that name is active, before anyone is dialled.
 */
export async function addParticipant(
  ops: ConferenceOperations,
  conference: string,
  command: AddCommand,
  settings: ServiceSettings,
): Promise<ParticipantSummary> {
  // Twilio's create takes a FriendlyName and starts a new conference when none of that name is active: a typo or
  // a late retry would dial a billable leg into an empty room. Resolving first and creating under the CF SID
  // refuses both (a conference that ends in between answers 20404: 404 too).
  const conferenceSid = await ops.resolveConferenceSid(conference);
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
    const recovery =
      command.label === settings.dial.agentLabel
        ? await agentRecoveryCallback(ops, conferenceSid, command.context, settings)
        : {};
    const outcome = await ops.addAgent(conferenceSid, settings.dial.twimlAppSid, command.context, {
      ...common,
      ...recovery,
    });
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
  return ops.addParticipant(conferenceSid, { ...common, to: command.target.address });
}

/** Who is in a conference now: the live list Twilio keeps, not what this API remembers. */
export async function listParticipants(
  ops: ConferenceOperations,
  conference: string,
): Promise<{ conferenceSid: string; participants: ParticipantListEntry[] }> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  const participants = await ops.listParticipants(conferenceSid);
  return { conferenceSid, participants: participants.map(toListEntry) };
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
