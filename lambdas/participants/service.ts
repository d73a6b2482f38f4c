/**
 * Carries out the participants API's commands on a conference: adding the agent or a human, hold and mute,
 * removal, and cold and warm transfers.
 */
import type { DialConfig, TransferConfig } from '../shared/config';
import { ApiError } from '../shared/errors';
import type { AddParticipantRequest, ConferenceOperations, ParticipantSummary } from '../shared/conference-ops';
import { encodeLegState, LEG_STATUS_EVENTS } from '../events/leg-state';
import { coldTransferQuery } from '../events/query';
import type { AgentContext } from '../shared/agent-context';
import type { AddCommand, CancelTransferCommand, TransferCommand, UpdateCommand } from './requests';

/** The agent's and callers' settings plus the URLs of the events routes Twilio calls back. */
export interface ServiceSettings {
  readonly dial: DialConfig;
  readonly transfer: TransferConfig;
  /** The conference events route (cold-transfer callbacks). */
  readonly eventsUrl: string;
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

/** One participant in the list answer. */
export interface ParticipantListEntry {
  readonly label: string | null;
  readonly callSid: string;
  readonly status: string;
  readonly hold: boolean;
  readonly muted: boolean;
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

function toListEntry(p: ParticipantSummary): ParticipantListEntry {
  return { label: p.label, callSid: p.callSid, status: p.status, hold: p.hold ?? false, muted: p.muted ?? false };
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
 * - warm: holds the caller (hearing the configured hold audio), then dials the human so the agent can brief them in
 *   private; if the human cannot be dialled the caller is taken off hold again. `completeWarmTransfer` finishes it,
 *   `cancelWarmTransfer` calls it off.
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
  // The caller hears the hold audio (and nobody) while the agent briefs the human in private.
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, {
    hold: true,
    ...(settings.transfer.holdUrl !== undefined && { holdUrl: settings.transfer.holdUrl }),
  });
  try {
    const participant = await ops.addParticipant(conferenceSid, human);
    return { type: 'warm', conferenceSid, human: participant, agentRemoval: 'on-completion', callerOnHold: true };
  } catch (error) {
    // Never leave the caller on hold for a human who is not coming.
    await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false }).catch(() => undefined);
    throw error;
  }
}

/** The answer to completing a warm transfer. */
export interface TransferCompleted {
  readonly conferenceSid: string;
  readonly callerOnHold: false;
  /** True only when the live participant list, read after the removal, holds no participant labelled as the agent. */
  readonly agentRemoved: boolean;
  /** Who is in the conference after the completion. */
  readonly participants: ParticipantListEntry[];
}

/**
 * Finishes a warm transfer: takes the caller off hold and removes the agent, then reads the live participant list:
 * Twilio's 204 to the removal (or a 20404 for an agent already gone) says nothing about an agent that is there
 * again, e.g. re-added by a retry, so `agentRemoved` comes from the list.
 */
export async function completeWarmTransfer(
  ops: ConferenceOperations,
  conference: string,
  settings: ServiceSettings,
): Promise<TransferCompleted> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false });
  await ops.removeParticipant(conferenceSid, settings.dial.agentLabel, true);
  const participants = (await ops.listParticipants(conferenceSid)).map(toListEntry);
  const agentRemoved = !participants.some((p) => p.label === settings.dial.agentLabel);
  return { conferenceSid, callerOnHold: false, agentRemoved, participants };
}

/** The answer to cancelling a warm transfer. */
export interface TransferCancelled {
  readonly conferenceSid: string;
  readonly callerOnHold: false;
  /** True when the live participant list, read after the removal, holds nobody with the human's label. */
  readonly humanRemoved: boolean;
  /** Who is in the conference after the cancellation (the agent stays). */
  readonly participants: ParticipantListEntry[];
}

/**
 * Calls a warm transfer off: removes the human (one already gone counts as removed) before taking the caller off
 * hold, so the caller never hears the briefing, and leaves the agent with the caller. Both steps are safe to
 * repeat, so a cancel that failed half-way can simply be sent again.
 */
export async function cancelWarmTransfer(
  ops: ConferenceOperations,
  conference: string,
  command: CancelTransferCommand,
  settings: ServiceSettings,
): Promise<TransferCancelled> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  await ops.removeParticipant(conferenceSid, command.label, true);
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false });
  const participants = (await ops.listParticipants(conferenceSid)).map(toListEntry);
  const humanRemoved = !participants.some((p) => p.label === command.label);
  return { conferenceSid, callerOnHold: false, humanRemoved, participants };
}
