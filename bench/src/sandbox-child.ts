/**
 * One sandbox scenario in its own process (so its peak RSS is the sandbox's alone): `sequential <K>` places K
 * calls one after another (time to agent), `concurrent <N>` places N calls at once (load), `burst <N> <cps>` places
 * N calls at once with Twilio's calls-per-second rate set to cps (capacity; src/capacity.ts).
 * Run as `node sandbox-child.js <bundle> <mode> <count> [cps]`; prints one marker line.
 */
import { readFileSync } from 'node:fs';
import { startAgentServer } from './agent-server';
import { BURST_TIME_SCALE, SANDBOX_MARKER, type SandboxRun } from './protocol';
import { startBenchSandbox, type CallMeasurement } from './sandbox-adapter';

function peakRssKiB(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : process.resourceUsage().maxRSS;
}

async function main(): Promise<void> {
  const [bundle, mode, countArg, cpsArg] = process.argv.slice(2);
  const count = Number(countArg);
  const agent = await startAgentServer();
  // A burst's callers all arrive at one Twilio instant (the capacity plan's "at once"); sequential and concurrent
  // calls keep Twilio's default 1 cps on the emulator's own clock, where sequential calls arrive about 30 Twilio
  // seconds apart and never queue, as on Twilio.
  const pace =
    mode === 'burst' ? { callsPerSecond: Number(cpsArg), timeScale: BURST_TIME_SCALE, burst: true } : undefined;
  const sandbox = await startBenchSandbox(bundle, agent, pace);
  const calls: CallMeasurement[] = [];
  const errors: string[] = [];
  const record = (p: Promise<CallMeasurement>) =>
    p.then((c) => void calls.push(c)).catch((e: unknown) => void errors.push(String((e as Error)?.message ?? e)));
  try {
    if (mode === 'sequential') for (let i = 0; i < count; i++) await record(sandbox.placeCall(i));
    else await Promise.all(Array.from({ length: count }, (_, i) => record(sandbox.placeCall(i))));
  } finally {
    await sandbox.stop();
    await agent.close();
  }
  // Exactly one agent per call: count the streams that started for each caller's CallSid.
  const perCall = new Map<string, number>();
  for (const s of agent.streams)
    if (s.customParameters?.callerCallSid)
      perCall.set(s.customParameters.callerCallSid, (perCall.get(s.customParameters.callerCallSid) ?? 0) + 1);
  const run: SandboxRun = {
    mode: mode === 'sequential' || mode === 'burst' ? mode : 'concurrent',
    count,
    calls,
    errors,
    agentStreams: agent.streams.length,
    callsWithOneAgent: calls.filter((c) => perCall.get(c.callSid) === 1).length,
    callsWithOwnContext: calls.filter((c) => c.contextOk).length,
    peakRssKiB: peakRssKiB(),
  };
  process.stdout.write(`${SANDBOX_MARKER + JSON.stringify(run)}\n`, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
