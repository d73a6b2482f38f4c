/**
 * Transfers to a human, one implementation for every way a transfer starts: the participants API
 * (`POST /conferences/{c}/transfers`) and an AI agent's handoff (ConversationRelay `HandoffData` on the
 * `<Connect action>` route). Cold: the human is dialled and the agent leaves; warm: the caller is held while the
 * human joins and the agent briefs them, and completing brings the caller back and removes the agent.
 *
 * The human sees the caller's number when the transfer carries the inbound call's `CallToken` (Twilio changelog
 * 2023-10-25, "CallToken support for Conference /Participants API"); Twilio refuses a `From` it cannot tie to a
 * token or to the account (error 21210), and then the leg is placed again from the stack's own number.
 */
import type { TransferConfig } from './config';
import type { AddParticipantRequest, ConferenceOperations, ParticipantSummary } from './conference-ops';
import { isAgentLabel } from './agent-labels';
import { encodeColdTransfer } from './call-state';
import { isTwilioFailure, TWILIO } from './errors';
import type { Logger } from './log';

/** The inbound caller's identity for the human's leg: their number and the call's `CallToken` (a secret). */
export interface CallerId {
  readonly number: string;
  readonly token: string;
}

/** When the agent leaves a cold transfer. */
export type AgentRemoval =
  /** When the human answers (the human's leg reports `answered` to the events route). */
  | 'on-answer'
  /** Right after the human is dialled. */
  | 'immediately'
  /** The agent's own leg ends (an agent handing off is answered with `<Hangup>`): nothing to remove. */
  | 'leg-ends';

/** A transfer to start: who, how, and from which caller ID. */
export interface TransferRequest {
  readonly type: 'cold' | 'warm';
  readonly target: { readonly address: string };
  readonly label: string;
  /** The stack's caller ID (a Twilio number of the account), used when no `callerId` is given or Twilio refuses it. */
  readonly from: string;
  readonly timeout?: number;
  /** Cold transfers only. */
  readonly removeAgent: AgentRemoval;
  /** Present the caller's number on the human's leg. */
  readonly callerId?: CallerId;
}

/**
 * What the transfer module needs of the stack: labels, ring timeout, the hold audio of warm transfers and the events
 * route for cold callbacks.
 */
export interface TransferSettings {
  readonly dial: { readonly agentLabel: string; readonly callerLabel: string; readonly joinTimeoutSeconds: number };
  readonly transfer: TransferConfig;
  /** The conference events route (cold-transfer callbacks). */
  readonly eventsUrl: string;
}

/** Which caller ID the human's phone shows. */
export type PresentedCallerId = 'caller' | 'stack';

/** The result of starting a transfer. */
export interface TransferStarted {
  readonly type: 'cold' | 'warm';
  readonly conferenceSid: string;
  readonly human: ParticipantSummary;
  /** Cold: when the agent leaves ('on-answer' is done by the events route). Warm: on completion. */
  readonly agentRemoval: 'on-answer' | 'done' | 'on-completion';
  readonly callerOnHold: boolean;
  /** `caller` when Twilio accepted the caller's number with the `CallToken`, else `stack`. */
  readonly callerId: PresentedCallerId;
}

/**
 * Dials the human, presenting the caller's number when a `CallToken` is given; a refusal of that caller ID
 * (21210) dials again from the stack's number, so a transfer never fails for the caller ID alone.
 */
export async function dialHuman(
  ops: ConferenceOperations,
  conferenceSid: string,
  request: Omit<AddParticipantRequest, 'callToken'>,
  callerId: CallerId | undefined,
  log: Logger,
): Promise<{ participant: ParticipantSummary; callerId: PresentedCallerId }> {
  if (callerId === undefined)
    return { participant: await ops.addParticipant(conferenceSid, request), callerId: 'stack' };
  try {
    const participant = await ops.addParticipant(conferenceSid, {
      ...request,
      from: callerId.number,
      callToken: callerId.token,
    });
    return { participant, callerId: 'caller' };
  } catch (error) {
    if (!(isTwilioFailure(error) && error.code === TWILIO.unverifiedFrom)) throw error;
    log.warn("Twilio refused the caller's number as caller ID; the human's leg presents the stack's number", {
      twilioCode: error.code,
    });
    return { participant: await ops.addParticipant(conferenceSid, request), callerId: 'stack' };
  }
}

/**
 * Starts a transfer to a human in a conference (name or CF SID; 404 when none is active, before anyone is
 * dialled).
 * - cold: dials the human; the agent leaves when the human answers, right away, or by ending its own leg.
 * - warm: holds the caller (hearing the configured hold audio), then dials the human so the agent can brief them in
 *   private; if the human cannot be dialled the caller is taken off hold again. {@link completeWarmTransfer}
 *   finishes it, {@link cancelWarmTransfer} calls it off.
 */
export async function startTransfer(
  ops: ConferenceOperations,
  conference: string,
  request: TransferRequest,
  settings: TransferSettings,
  log: Logger,
): Promise<TransferStarted> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  const human = {
    from: request.from,
    to: request.target.address,
    label: request.label,
    timeout: request.timeout ?? settings.dial.joinTimeoutSeconds,
    beep: 'false' as const,
    startConferenceOnEnter: true,
    endConferenceOnExit: false,
  };
  if (request.type === 'cold') {
    const onAnswer = request.removeAgent === 'on-answer';
    const dialled = await dialHuman(
      ops,
      conferenceSid,
      {
        ...human,
        ...(onAnswer && {
          statusCallback: `${settings.eventsUrl}?${encodeColdTransfer({ conferenceSid, agentLabel: settings.dial.agentLabel })}`,
          statusCallbackEvent: ['answered'],
        }),
      },
      request.callerId,
      log,
    );
    if (request.removeAgent === 'immediately') await ops.removeAgents(conferenceSid, settings.dial.agentLabel);
    return {
      type: 'cold',
      conferenceSid,
      human: dialled.participant,
      agentRemoval: onAnswer ? 'on-answer' : 'done',
      callerOnHold: false,
      callerId: dialled.callerId,
    };
  }
  // The caller hears the hold audio (and nobody) while the agent briefs the human in private.
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, {
    hold: true,
    ...(settings.transfer.holdUrl !== undefined && { holdUrl: settings.transfer.holdUrl }),
  });
  try {
    const dialled = await dialHuman(ops, conferenceSid, human, request.callerId, log);
    return {
      type: 'warm',
      conferenceSid,
      human: dialled.participant,
      agentRemoval: 'on-completion',
      callerOnHold: true,
      callerId: dialled.callerId,
    };
  } catch (error) {
    // Never leave the caller on hold for a human who is not coming.
    await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false }).catch(() => undefined);
    throw error;
  }
}

/** One participant as a transfer's answers list them. */
export interface ParticipantListEntry {
  readonly label: string | null;
  readonly callSid: string;
  readonly status: string;
  readonly hold: boolean;
  readonly muted: boolean;
}

/** A participant summary as a list entry (absent flags are false). */
export function toListEntry(p: ParticipantSummary): ParticipantListEntry {
  return { label: p.label, callSid: p.callSid, status: p.status, hold: p.hold ?? false, muted: p.muted ?? false };
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
 * Finishes a warm transfer: takes the caller off hold and removes every AI agent (the agent the stack added and any
 * added through the API), then reads the live participant list:
 * Twilio's 204 to the removal (or a 20404 for an agent already gone) says nothing about an agent that is there
 * again, e.g. re-added by a retry, so `agentRemoved` comes from the list.
 */
export async function completeWarmTransfer(
  ops: ConferenceOperations,
  conference: string,
  settings: TransferSettings,
): Promise<TransferCompleted> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false });
  await ops.removeAgents(conferenceSid, settings.dial.agentLabel);
  const participants = (await ops.listParticipants(conferenceSid)).map(toListEntry);
  const agentRemoved = !participants.some((p) => isAgentLabel(p.label, settings.dial.agentLabel));
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
  human: { readonly label: string },
  settings: TransferSettings,
): Promise<TransferCancelled> {
  const conferenceSid = await ops.resolveConferenceSid(conference);
  await ops.removeParticipant(conferenceSid, human.label, true);
  await ops.updateParticipant(conferenceSid, settings.dial.callerLabel, { hold: false });
  const participants = (await ops.listParticipants(conferenceSid)).map(toListEntry);
  const humanRemoved = !participants.some((p) => p.label === human.label);
  return { conferenceSid, callerOnHold: false, humanRemoved, participants };
}
