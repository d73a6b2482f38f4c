/**
 * The one place that knows the sandbox's programmatic API. bench/run.mjs bundles sandbox/'s entry to
 * .bench-build/sandbox.js when sandbox/ exists; this module loads it at run time (so the bench type-checks and
 * runs without it) and drives one inbound call, returning what the bench measures.
 *
 * The sandbox's API the bench uses (sandbox/index.ts):
 *   startSandbox({ agentStreamUrl, quiet }) -> Promise<{ placeInboundCall({ from }) -> Promise<{ callSid }>,
 *     callMilestones(callSid) -> { inboundEnd, eventsStart, agentStart, agentEnd, handlerMs } | undefined, stop() }>
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { AgentServer } from './agent-server';

/** The hops of the way to the agent, in order. */
export const HOPS = [
  'inboundWebhook',
  'conferenceJoinAndEvents',
  'participantsCreate',
  'agentWebhook',
  'websocketStart',
] as const;
export type Hop = (typeof HOPS)[number];

/** One inbound call as the bench measured it. Times in ms. */
export interface CallMeasurement {
  readonly callSid: string;
  /** First inbound webhook request to the agent's `start`. */
  readonly timeToAgentMs: number;
  /** Per hop, when the sandbox exposes the timeline. */
  readonly hops?: Partial<Record<Hop, number>>;
  /** Time spent inside our handlers (API Gateway emulator invocations), when exposed. */
  readonly handlerMs?: number;
  /** `start` carried this call's own context. */
  readonly contextOk: boolean;
  /** The agent leg's `queue_time` (Twilio's calls-per-second queue, in Twilio milliseconds), when exposed. */
  readonly queueTimeMs?: number;
}

interface ExpectedSandbox {
  placeInboundCall(options?: { from?: string }): Promise<{ callSid: string }>;
  callMilestones?(
    callerCallSid: string,
  ): { inboundEnd: number; eventsStart: number; agentStart: number; agentEnd: number; handlerMs: number } | undefined;
  stop(): Promise<void>;
  /** The Twilio emulator: the agent participant's `queueTime` is read from its conference. */
  twilio?: {
    conferences(): { sid: string }[];
    participants(conference: string): { callSid: string; queueTime: string }[];
  };
}
interface ExpectedModule {
  startSandbox(options: {
    agentStreamUrl: string;
    quiet?: boolean;
    twilio?: { callsPerSecond?: number; timeScale?: number; queueClock?: () => number };
  }): Promise<ExpectedSandbox>;
}

/** The Twilio emulator's pace for a run: its calls-per-second rate and real ms per Twilio ms. */
export interface TwilioPace {
  readonly callsPerSecond: number;
  /** Twilio time per real ms; the emulator's default when left out. */
  readonly timeScale?: number;
  /** Every call arrives at one Twilio instant (the queue's clock stands still), however long the creates take. */
  readonly burst?: boolean;
}

/** The agent leg's queue_time: the other participant of the caller's conference. */
function agentQueueTime(sandbox: ExpectedSandbox, callerCallSid: string): number | undefined {
  const twilio = sandbox.twilio;
  if (!twilio) return undefined;
  for (const conference of twilio.conferences()) {
    const participants = twilio.participants(conference.sid);
    if (!participants.some((p) => p.callSid === callerCallSid)) continue;
    const agent = participants.find((p) => p.callSid !== callerCallSid);
    return agent ? Number(agent.queueTime) : undefined;
  }
  return undefined;
}

/** A running sandbox the bench can place calls into. */
export interface BenchSandbox {
  placeCall(index: number): Promise<CallMeasurement>;
  stop(): Promise<void>;
}

/** Whether the bundled sandbox entry exists. */
export function sandboxBundlePresent(bundle: string): boolean {
  return existsSync(bundle);
}

/** Starts the sandbox with its agent pointed at the bench's own agent endpoint (and Twilio at `pace`, if given). */
export async function startBenchSandbox(bundle: string, agent: AgentServer, pace?: TwilioPace): Promise<BenchSandbox> {
  const sandboxModule = require(bundle) as Partial<ExpectedModule>;
  if (typeof sandboxModule.startSandbox !== 'function') throw new Error('sandbox exports no startSandbox()');
  const sandbox = await sandboxModule.startSandbox({
    agentStreamUrl: agent.url,
    quiet: true,
    ...(pace && {
      twilio: {
        callsPerSecond: pace.callsPerSecond,
        ...(pace.timeScale !== undefined && { timeScale: pace.timeScale }),
        ...(pace.burst && { queueClock: () => 0 }),
      },
    }),
  });
  return {
    async placeCall(index) {
      const from = `+1555${String(1000000 + index).slice(-7)}`;
      const t0 = performance.now();
      const { callSid } = await sandbox.placeInboundCall({ from });
      const stream = await agent.waitForStart(callSid, 30_000);
      const startAt = stream.startAt ?? Number.NaN;
      // Consecutive milestones, so the hops add up to the time to agent.
      const m = sandbox.callMilestones?.(callSid);
      const hops: Partial<Record<Hop, number>> | undefined = m && {
        inboundWebhook: m.inboundEnd - t0,
        conferenceJoinAndEvents: m.eventsStart - m.inboundEnd,
        participantsCreate: m.agentStart - m.eventsStart,
        agentWebhook: m.agentEnd - m.agentStart,
        websocketStart: startAt - m.agentEnd,
      };
      const queueTimeMs = agentQueueTime(sandbox, callSid);
      return {
        callSid,
        timeToAgentMs: startAt - t0,
        ...(queueTimeMs !== undefined && Number.isFinite(queueTimeMs) && { queueTimeMs }),
        ...(hops && { hops, handlerMs: m!.handlerMs }),
        contextOk: stream.customParameters?.callerCallSid === callSid && stream.customParameters?.caller === from,
      };
    },
    stop: () => sandbox.stop(),
  };
}
