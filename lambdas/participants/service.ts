/**
 * Carries out the participants API's commands on a conference: adding the agent or a human, hold and mute,
 * removal. Transfers are the shared `lambdas/shared/transfer.ts`, which the AI agent's handoff uses too.
 */
import { freeAgentLabels, isAgentLabel } from '../shared/agent-labels';
import type { DialConfig } from '../shared/config';
import { ApiError } from '../shared/errors';
import type { AddParticipantRequest, ConferenceOperations, ParticipantSummary } from '../shared/conference-ops';
import type { AgentContext } from '../shared/agent-context';
import { encodeLegState, LEG_STATUS_EVENTS } from '../shared/call-state';
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
function agentRecoveryCallback(
  participants: readonly ParticipantSummary[],
  conferenceSid: string,
  context: AgentContext,
  settings: ServiceSettings,
): Pick<AddParticipantRequest, 'statusCallback' | 'statusCallbackEvent'> {
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
 * How many labels of the agent's series an add without `label` tries: the free one it read, then the next ones when
 * another add took it in between (Twilio's 16026).
 */
export const AGENT_LABEL_ATTEMPTS = 3;

/**
 * Adds an agent to a conference (by CF SID). An explicit label is used as asked (409 when taken); without one, the
 * first label of the agent's series (`ai-agent`, `ai-agent-2`, …) free in the live participant list, so an agent
 * added to a call whose agent the events handler added already joins beside it. Every agent of the series reports
 * its leg status to the recovery.
 */
async function addAgent(
  ops: ConferenceOperations,
  conferenceSid: string,
  command: Extract<AddCommand, { target: 'agent' }>,
  common: Omit<AddParticipantRequest, 'to' | 'label'>,
  settings: ServiceSettings,
): Promise<ParticipantSummary> {
  const { agentLabel } = settings.dial;
  const participants = await ops.listParticipants(conferenceSid);
  const labels =
    command.label !== undefined
      ? [command.label]
      : freeAgentLabels(
          agentLabel,
          participants.map((p) => p.label),
          AGENT_LABEL_ATTEMPTS,
        );
  for (const label of labels) {
    const recovery = isAgentLabel(label, agentLabel)
      ? agentRecoveryCallback(participants, conferenceSid, command.context, settings)
      : {};
    const outcome = await ops.addAgent(conferenceSid, settings.dial.twimlAppSid, command.context, {
      ...common,
      ...recovery,
      label,
    });
    if (outcome.added) return outcome.participant;
  }
  throw new ApiError(
    409,
    'label_in_use',
    command.label !== undefined
      ? `A participant labelled ${command.label} is already in the conference`
      : `Other participants took the agent labels ${labels.join(', ')} while this agent was added: send it again`,
    'label',
    16026,
  );
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
    timeout: command.timeout ?? settings.dial.joinTimeoutSeconds,
    muted: command.muted,
    endConferenceOnExit: command.endConferenceOnExit ?? false,
    beep: 'false' as const,
    startConferenceOnEnter: true,
  };
  if (command.target === 'agent') return addAgent(ops, conferenceSid, command, common, settings);
  return ops.addParticipant(conferenceSid, { ...common, label: command.label, to: command.target.address });
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
