/**
 * What happened to one inbound call, read from the Twilio emulator's timeline (the conference events and the
 * TwiML it ran), and the invariant of issue 12 checked on it: the caller ends up with the agent or a human, or hears
 * the fallback and the call ends on purpose; never alone at the end, never a leg joining after the caller left,
 * never two agents at once.
 */
import type { TwilioEmulator } from '../../../sandbox/twilio';

export interface CallOutcome {
  readonly callSid: string;
  /** Agent legs that joined the caller's conference. */
  readonly agentJoins: number;
  /** The most agents in the conference at one time. */
  readonly maxAgentsAtOnce: number;
  /** Joins of anyone but the caller and the agent (transfer targets, the fallback target). */
  readonly otherJoins: number;
  /** The caller's call ran a `<Say>` (the fallback message) or was sent to another URL. */
  readonly heardFallback: boolean;
  /** Joins into the conference after the caller had left it (a leg dialled into an empty conference). */
  readonly joinsAfterCallerLeft: number;
  /** The caller is still in the conference with nobody else there (nor on the way). */
  readonly aloneNow: boolean;
  /** The caller's call has ended. */
  readonly ended: boolean;
  /** The caller hung up themselves (rather than the stack ending the call). */
  readonly callerHungUp: boolean;
}

const ACTIVE = new Set(['queued', 'connecting', 'ringing', 'connected']);

/** The outcome of the call `callSid` so far. */
export function callOutcome(twilio: TwilioEmulator, callSid: string, agentLabel = 'ai-agent'): CallOutcome {
  const conference = `conf-${callSid}`;
  let agents = 0;
  let maxAgentsAtOnce = 0;
  let agentJoins = 0;
  let otherJoins = 0;
  let callerLeft = false;
  let joinsAfterCallerLeft = 0;
  let heardFallback = false;
  let callerHungUp = false;
  for (const event of twilio.events) {
    if (event.type === 'twiml-executed' && event.callSid === callSid && (event.verb === 'Say' || event.verb === 'Play'))
      heardFallback = true;
    if ((event.type !== 'conference-join' && event.type !== 'conference-leave') || event.friendlyName !== conference)
      continue;
    if (event.type === 'conference-join') {
      if (event.label === 'caller') continue;
      if (callerLeft) joinsAfterCallerLeft++;
      if (event.label === agentLabel) {
        agentJoins++;
        agents++;
        maxAgentsAtOnce = Math.max(maxAgentsAtOnce, agents);
      } else otherJoins++;
    } else if (event.label === 'caller') {
      callerLeft = true;
      callerHungUp = event.reason === 'hangup' && !heardFallback;
    } else if (event.label === agentLabel && event.reason !== 'add-failed') agents--;
  }
  const status = twilio.call(callSid)?.status;
  const participants = twilio.participants(conference).filter((p) => ACTIVE.has(p.status));
  const callerIn = participants.some((p) => p.label === 'caller' && p.status === 'connected');
  return {
    callSid,
    agentJoins,
    maxAgentsAtOnce,
    otherJoins,
    heardFallback,
    joinsAfterCallerLeft,
    aloneNow: callerIn && participants.length === 1,
    ended: status === 'completed' || status === 'canceled',
    // A call the caller dropped before it was answered is `canceled` and never reached the conference.
    callerHungUp: callerHungUp || status === 'canceled',
  };
}

/** The invariant's violations for one call once the emulator has settled (empty when it holds). */
export function violations(outcome: CallOutcome): string[] {
  const problems: string[] = [];
  if (outcome.aloneNow) problems.push('the caller is alone in the conference with nobody coming');
  if (outcome.joinsAfterCallerLeft > 0) problems.push('a leg joined after the caller had left');
  if (outcome.maxAgentsAtOnce > 1) problems.push('two agents were in the call at once');
  const deliberateEnd = outcome.heardFallback && outcome.ended;
  if (outcome.agentJoins === 0 && outcome.otherJoins === 0 && !deliberateEnd && !outcome.callerHungUp)
    problems.push('nobody joined and the call did not end with the fallback');
  return problems;
}
