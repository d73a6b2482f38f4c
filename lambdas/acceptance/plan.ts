/**
 * The acceptance call's plan, pure: which stack it checks (typed once from the stack's outputs), the test call
 * Twilio places, its time budget and what it costs.
 */
import { element, text, twimlResponse } from '../shared/twiml-writer';
import type { CallRequest } from './records';
import { type Price, TWILIO_US_PRICES } from './prices';

/** How the stack's agent is connected (config `agentMode`): what the agent leg's minutes cost depends on it. */
export type AgentMode = 'stream' | 'conversation-relay';

/** The deployed stack the call checks, as its outputs (and the team) describe it. */
export interface AcceptanceTarget {
  /** The Pulumi stack's name, for messages. */
  readonly stack: string;
  /** The stack's number (E.164): the call goes to it. */
  readonly phoneNumber: string;
  /** The caller ID of the test call: a number of the account (the stack's own number by default). */
  readonly from: string;
  readonly apiBaseUrl: string;
  /** The webhook URLs the stack gives Twilio (from its outputs or derived from `apiBaseUrl`). */
  readonly webhooks: { readonly inbound: string; readonly agent: string; readonly agentFallback: string };
  /** The TwiML App the agent is dialled through; checked for drift when known. */
  readonly twimlAppSid?: string;
  /** The stack's conference naming and labels (config `conferenceNamePrefix`, `callerLabel`, `agentLabel`). */
  readonly conferencePrefix: string;
  readonly callerLabel: string;
  readonly agentLabel: string;
  readonly agentMode: AgentMode;
}

/** The run's time budget, in Twilio seconds (the wall clock outside the sandbox). */
export interface AcceptanceTimes {
  /** `TimeLimit` of the test call: Twilio hangs it up by then even if this process dies. */
  readonly timeLimitSeconds: number;
  /** How long the test call may ring. */
  readonly ringTimeoutSeconds: number;
  /** From the dial to the agent connected in the conference. */
  readonly agentDeadlineSeconds: number;
  /** How long the agent leg must stay connected to count as having its media up. */
  readonly mediaHoldSeconds: number;
  /** Pause between two reads of Twilio's records. */
  readonly pollMs: number;
  /** After a failure, how long to look for Twilio's alert about it (Monitor states no delay, but has one). */
  readonly alertWaitSeconds: number;
  /** How long to wait for the hung-up legs to reach a final status. */
  readonly hangUpWaitSeconds: number;
}

/** The defaults of `npm run verify`: one minute at most, billed as one minute per leg. */
export const DEFAULT_TIMES: AcceptanceTimes = {
  timeLimitSeconds: 60,
  ringTimeoutSeconds: 20,
  agentDeadlineSeconds: 30,
  mediaHoldSeconds: 5,
  pollMs: 500,
  alertWaitSeconds: 15,
  hangUpWaitSeconds: 10,
};

/**
 * How long a run may go on before it is interrupted (it then hangs up what it dialled): the call's TimeLimit, the
 * wait for Twilio's alerts and for the legs' final status, and 30 s for the checks before the dial. The watchdog of
 * `npm run verify` and of the canary.
 */
export function runBudgetSeconds(times: AcceptanceTimes): number {
  return times.timeLimitSeconds + times.alertWaitSeconds + times.hangUpWaitSeconds + 30;
}

/**
 * What an interrupted run still needs to hang up: the wait for the legs' final status and 20 s for the requests
 * (reading and ending two legs). A canary's Lambda timeout leaves this after the watchdog fires.
 */
export function hangUpReserveSeconds(times: AcceptanceTimes): number {
  return times.hangUpWaitSeconds + 20;
}

/** Why a time budget cannot work, or undefined: the agent and the hold must fit inside the call's TimeLimit. */
export function timesProblem(times: AcceptanceTimes): string | undefined {
  const needed = times.agentDeadlineSeconds + times.mediaHoldSeconds + 5;
  if (times.timeLimitSeconds < needed)
    return `the time limit (${times.timeLimitSeconds} s) must leave room for the agent deadline and the hold (${needed} s)`;
  return undefined;
}

/**
 * The test call's TwiML: a sentence the agent hears, then silence that keeps the line open until the run hangs up
 * (or `TimeLimit` does). No `<Dial>`: the call arrives on the number it would dial, so a `<Dial>` would loop.
 */
export function testCallTwiml(stack: string, seconds: number): string {
  return twimlResponse(
    element(
      'Say',
      {},
      text(`This is an automated test call for the stack ${stack}. It checks that the agent joins, then hangs up.`),
    ),
    element('Pause', { length: Math.max(1, Math.ceil(seconds)) }),
  );
}

/** The Calls API request of the test call. */
export function testCallRequest(target: AcceptanceTarget, times: AcceptanceTimes): CallRequest {
  return {
    to: target.phoneNumber,
    from: target.from,
    twiml: testCallTwiml(target.stack, times.timeLimitSeconds),
    timeLimitSeconds: times.timeLimitSeconds,
    timeoutSeconds: times.ringTimeoutSeconds,
  };
}

/** One billed item of the estimate. */
export interface CostLine {
  readonly price: Price;
  /** Legs (or conference participants) billed at this price. */
  readonly count: number;
}

/** What one run costs: a passing run (every leg under a minute) and the most `TimeLimit` allows. */
export interface CostEstimate {
  readonly lines: readonly CostLine[];
  readonly passingUsd: number;
  readonly maxUsd: number;
  readonly maxMinutesPerLeg: number;
}

/** The cost of one run at Twilio's US list prices (prices.ts); each leg is billed by the started minute. */
export function estimateCost(mode: AgentMode, times: AcceptanceTimes): CostEstimate {
  const p = TWILIO_US_PRICES;
  const lines: CostLine[] = [
    { price: p.outboundCall, count: 1 },
    { price: p.inboundLocal, count: 1 },
    { price: p.agentLeg, count: 1 },
    { price: mode === 'stream' ? p.mediaStreams : p.conversationRelay, count: 1 },
    { price: p.conferenceParticipant, count: 2 },
  ];
  const perMinute = lines.reduce((sum, l) => sum + l.price.usdPerMinute * l.count, 0);
  const maxMinutesPerLeg = Math.ceil(times.timeLimitSeconds / 60);
  // A passing run hangs up once the agent held for mediaHoldSeconds: well under a minute when the stack is healthy.
  const passingMinutes = Math.ceil((times.mediaHoldSeconds + 15) / 60);
  return { lines, passingUsd: perMinute * passingMinutes, maxUsd: perMinute * maxMinutesPerLeg, maxMinutesPerLeg };
}
