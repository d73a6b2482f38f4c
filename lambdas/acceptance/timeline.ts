/**
 * The acceptance call's hops, pure: when each milestone happened by Twilio's own timestamps (whole seconds: Twilio
 * prints RFC 2822 dates) and when the run first saw it (milliseconds, but only as often as it reads the records).
 */
import type { CallLeg, ConferenceInfo, ParticipantInfo } from './records';

/** The milestones of a call's way to the agent, in order. */
export const MILESTONES = {
  created: 'test call created (Calls API)',
  answered: 'test call answered',
  inboundLeg: 'inbound leg on the number',
  inboundAnswered: 'inbound webhook answered (TwiML)',
  conference: 'conference created',
  callerJoined: 'caller joined the conference',
  agentAdded: 'agent participant created (events function)',
  agentAnswered: 'agent leg answered (agent webhook TwiML)',
  agentConnected: 'agent connected in the conference',
  mediaHeld: 'agent still connected after the hold',
} as const;

export type Milestone = keyof typeof MILESTONES;

/** What the run read from Twilio, latest first seen, and when (ms after the dial) it first saw each milestone. */
export interface Observations {
  outbound?: CallLeg;
  inbound?: CallLeg;
  conference?: ConferenceInfo;
  caller?: ParticipantInfo;
  agent?: ParticipantInfo;
  agentCall?: CallLeg;
  readonly seenMs: Partial<Record<Milestone, number>>;
}

/** One row of the hop table. */
export interface Hop {
  readonly milestone: Milestone;
  readonly what: string;
  /** Twilio's timestamp of it, when its records have one. */
  readonly twilioAt: Date | null;
  /** Seconds from the test call's creation by Twilio's timestamps (whole seconds). */
  readonly twilioSeconds: number | null;
  /** Milliseconds from the dial until the run first saw it. */
  readonly seenMs: number | null;
}

/** The hop table and the time to agent, from what the run observed. */
export function hops(obs: Observations): {
  rows: Hop[];
  timeToAgent: { twilioSeconds: number | null; seenMs: number | null };
} {
  const twilioAt: Record<Milestone, Date | null> = {
    created: obs.outbound?.dateCreated ?? null,
    answered: obs.outbound?.startTime ?? null,
    inboundLeg: obs.inbound?.dateCreated ?? null,
    inboundAnswered: obs.inbound?.startTime ?? null,
    conference: obs.conference?.dateCreated ?? null,
    callerJoined: obs.caller?.dateCreated ?? null,
    agentAdded: obs.agent?.dateCreated ?? null,
    agentAnswered: obs.agentCall?.startTime ?? null,
    agentConnected: null,
    mediaHeld: null,
  };
  const origin = twilioAt.created?.getTime();
  const seconds = (d: Date | null) => (d === null || origin === undefined ? null : (d.getTime() - origin) / 1000);
  const rows = (Object.keys(MILESTONES) as Milestone[])
    .map((m) => ({
      milestone: m,
      what: MILESTONES[m],
      twilioAt: twilioAt[m],
      twilioSeconds: seconds(twilioAt[m]),
      seenMs: obs.seenMs[m] ?? null,
    }))
    .filter((r) => r.twilioAt !== null || r.seenMs !== null);
  return {
    rows,
    timeToAgent: { twilioSeconds: seconds(twilioAt.agentAnswered), seenMs: obs.seenMs.agentConnected ?? null },
  };
}
