/**
 * The product's main scenario in the sandbox: provision, inbound call, conference, the agent added
 * automatically with its context, the agent's stream, the bad day (the agent drops mid-call and a new agent leg
 * takes over), a warm transfer to a human and its completion, hang-up; then the acceptance call `npm run verify`
 * places, against the same local stack.
 * Each step is checked; the result says which step failed and why.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HandlerName } from '../lambdas/routes';
import { STACK_PARAMETERS } from '../lambdas/shared/call-state';
import { runAcceptanceCall } from '../lambdas/acceptance/run';
import { sandboxIo, sandboxTarget, sandboxTimes } from './acceptance';
import { flowDiagram, type Observation } from './flow-diagram';
import { startSandbox, type Sandbox, type SandboxOptions } from './index';
import type { EmulatorEvent } from './twilio';

/** The outcome of a scenario run. */
export interface ScenarioResult {
  readonly ok: boolean;
  readonly steps: readonly { name: string; ok: boolean; ms: number; detail: string }[];
  readonly diagramFile?: string;
  readonly failure?: string;
}

const CALLER = '+15557654321';
const HUMAN = '+15550002222';

/** Runs the main scenario; `print` receives the readable timeline as it happens. */
export async function runMainScenario(
  options: { print?: (line: string) => void; diagramDir?: string; sandbox?: SandboxOptions } = {},
): Promise<ScenarioResult> {
  const print = options.print ?? ((l: string) => console.log(l));
  const t0 = performance.now();
  const observations: Observation[] = [];
  const steps: { name: string; ok: boolean; ms: number; detail: string }[] = [];
  const stamp = () => `+${String(Math.round(performance.now() - t0)).padStart(5)} ms`;
  let sandbox: Sandbox | undefined;
  /** The diagram shows the main scenario's call and teardown, not the acceptance call in between. */
  let recording = true;

  const step = async (name: string, run: () => Promise<string>) => {
    const started = performance.now();
    try {
      const detail = await run();
      steps.push({ name, ok: true, ms: performance.now() - started, detail });
      print(`${stamp()}  ✓ ${name}: ${detail}`);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      steps.push({ name, ok: false, ms: performance.now() - started, detail });
      print(`${stamp()}  ✗ ${name}: ${detail}`);
      throw new Error(`step "${name}" failed: ${detail}`);
    }
  };
  const waitEvent = <E extends EmulatorEvent>(predicate: (e: EmulatorEvent) => boolean, what: string) =>
    sandbox!.twilio.waitFor<E>(predicate, 10_000).catch(() => {
      throw new Error(`Twilio never reported ${what}`);
    });

  try {
    await step('sandbox started and Twilio provisioned with the Pulumi providers', async () => {
      sandbox = await startSandbox({
        quiet: true,
        onInvocation: (i) => {
          if (!recording) return;
          observations.push({
            kind: 'api',
            startedAt: i.startedAt,
            endedAt: i.endedAt,
            method: i.method,
            path: i.path,
            routeKey: i.routeKey,
            handler: i.handler,
            status: i.status,
          });
        },
        ...options.sandbox,
      });
      sandbox.twilio.on('event', (event) => {
        if (recording) observations.push({ at: performance.now(), kind: 'twilio', event });
      });
      const number = sandbox.twilio.addIncomingNumber(sandbox.phoneNumber);
      if (number.voiceUrl !== sandbox.webhookUrls.inbound)
        throw new Error(`the number's voice URL is ${number.voiceUrl}`);
      return `TwiML App ${sandbox.twimlAppSid} -> ${sandbox.webhookUrls.agent}; ${sandbox.phoneNumber} -> ${sandbox.webhookUrls.inbound} (was ${sandbox.previousVoiceUrl})`;
    });
    const s = sandbox!;
    let callSid = '';
    const conference = () => `conf-${callSid}`;

    await step(`caller ${CALLER} dials ${s.phoneNumber} and joins a conference of their own`, async () => {
      ({ callSid } = await s.placeInboundCall({ from: CALLER }));
      const join = await waitEvent<Extract<EmulatorEvent, { type: 'conference-join' }>>(
        (e) => e.type === 'conference-join' && e.callSid === callSid,
        'the caller joining',
      );
      return `${callSid} joined ${join.friendlyName} as "${join.label}"`;
    });

    await step('the events handler adds the AI agent through the TwiML App with the call context', async () => {
      const join = await waitEvent<Extract<EmulatorEvent, { type: 'conference-join' }>>(
        (e) => e.type === 'conference-join' && e.friendlyName === conference() && e.label === 'ai-agent',
        'the agent joining',
      );
      const create = s.twilio.requests.find(
        (r) =>
          r.method === 'POST' && r.path.endsWith('/Participants.json') && String(r.form.To ?? '').startsWith('app:'),
      );
      return `participant ${join.callSid} "ai-agent" dialled as ${withoutCallToken(String(create?.form.To ?? '?'))}`;
    });

    await step('the agent’s stream starts with the custom parameters', async () => {
      const session = await s.agent!.waitForSession((x) => x.customParameters?.callerCallSid === callSid);
      const expected = { caller: CALLER, callerCallSid: callSid, conference: conference() };
      if (JSON.stringify(session.customParameters) !== JSON.stringify(expected))
        throw new Error(`customParameters were ${JSON.stringify(session.customParameters)}`);
      return `start on ${session.streamSid} with ${JSON.stringify(session.customParameters)}`;
    });

    await step('the bad day: the agent drops mid-call and the caller is recovered by a new agent leg', async () => {
      const first = await s.agent!.waitForSession((x) => x.customParameters?.callerCallSid === callSid);
      s.agent!.close(first);
      const second = await s.agent!.waitForSession((x) => x !== first && x.customParameters?.callerCallSid === callSid);
      if (JSON.stringify(second.customParameters) !== JSON.stringify(first.customParameters))
        throw new Error(`the new agent got ${JSON.stringify(second.customParameters)}`);
      await s.twilio.waitUntil(
        () => s.twilio.participants(conference()).some((p) => p.label === 'ai-agent' && p.status === 'connected'),
        10_000,
        'the new agent leg connected',
      );
      const joins = s.twilio.events.filter(
        (e) => e.type === 'conference-join' && e.friendlyName === conference() && e.label === 'ai-agent',
      ).length;
      return `stream ${first.streamSid} closed by the agent; <Connect action> hung its leg up, the leg's status callback dialled the agent again: stream ${second.streamSid} with the same context (${joins} agent joins, one at a time)`;
    });

    await step(`warm transfer to ${HUMAN}: the caller is held and the human joins to be briefed`, async () => {
      const response = await s.participantsApi('POST', `/conferences/${conference()}/transfers`, {
        type: 'warm',
        target: HUMAN,
      });
      if (response.status !== 201 && response.status !== 200)
        throw new Error(`participants API answered ${response.status} ${JSON.stringify(response.body)}`);
      await waitEvent(
        (e) => e.type === 'conference-join' && e.friendlyName === conference() && e.label === 'human',
        'the human joining',
      );
      await s.twilio.waitUntil(
        () => s.twilio.participants(conference()).some((p) => p.label === 'caller' && p.hold),
        10_000,
        'the caller on hold',
      );
      // The briefing is private: the held caller hears only the hold audio, the agent and the human each other.
      const hears = (label: string) =>
        s.twilio
          .audio(conference())
          .find((l) => l.label === label)
          ?.hears.map((h) => (h.kind === 'participant' ? h.label : h.kind))
          .join(',') ?? '';
      const heard = { caller: hears('caller'), agent: hears('ai-agent'), human: hears('human') };
      if (heard.caller !== 'hold-music' || heard.agent !== 'human' || heard.human !== 'ai-agent')
        throw new Error(`the briefing is not private: ${JSON.stringify(heard)}`);
      return `HTTP ${response.status}; human in the conference, caller on hold hearing only the hold music, the agent and the human each other`;
    });

    await step('the transfer completes: caller back, AI agent removed', async () => {
      const response = await s.participantsApi('POST', `/conferences/${conference()}/transfers/complete`, {});
      if (response.status !== 200)
        throw new Error(`participants API answered ${response.status} ${JSON.stringify(response.body)}`);
      await waitEvent(
        (e) => e.type === 'conference-leave' && e.friendlyName === conference() && e.label === 'ai-agent',
        'the agent leaving',
      );
      const labels = s.twilio
        .participants(conference())
        .map((p) => `${p.label}${p.hold ? ' (held)' : ''}`)
        .sort();
      if (labels.join(',') !== 'caller,human') throw new Error(`participants are ${labels.join(', ')}`);
      return `participants now: ${labels.join(', ')}`;
    });

    await step('the caller hangs up and the conference ends', async () => {
      await s.twilio.hangup(callSid);
      const end = await waitEvent<Extract<EmulatorEvent, { type: 'conference-end' }>>(
        (e) => e.type === 'conference-end' && e.friendlyName === conference(),
        'the conference ending',
      );
      await s.twilio.settle();
      const alerts = s.twilio.alerts.filter((a) => a.level !== 'warning');
      if (alerts.length > 0)
        throw new Error(`Twilio debugger alerts: ${alerts.map((a) => `${a.code} ${a.message}`).join('; ')}`);
      const failed = s.api.invocations.filter((i) => i.status >= 400);
      if (failed.length > 0)
        throw new Error(`webhook failures: ${failed.map((i) => `${i.method} ${i.path} ${i.status}`).join('; ')}`);
      return `${end.friendlyName} ended (${end.reason}); ${s.api.invocations.length} webhook/API invocations, none failed; no debugger alerts`;
    });

    await step('a test call as `npm run verify` makes it', async () => {
      // The acceptance call's own code: Calls API, Twilio's records, the participants API, every leg hung up.
      recording = false;
      const alertsBefore = s.twilio.alerts.length;
      const invocationsBefore = s.api.invocations.length;
      const result = await runAcceptanceCall(
        sandboxTarget(s),
        sandboxIo(s),
        sandboxTimes(s, { mediaHoldSeconds: 0.2 }),
      );
      await s.twilio.settle();
      await s.api.idle();
      recording = true;
      if (!result.ok) throw new Error(`${result.failure!.title}: ${result.failure!.cause}`);
      const alerts = s.twilio.alerts.slice(alertsBefore).filter((a) => a.level !== 'warning');
      if (alerts.length > 0)
        throw new Error(`Twilio debugger alerts: ${alerts.map((a) => `${a.code} ${a.message}`).join('; ')}`);
      const failed = s.api.invocations.slice(invocationsBefore).filter((i) => i.status >= 400);
      if (failed.length > 0)
        throw new Error(`webhook failures: ${failed.map((i) => `${i.method} ${i.path} ${i.status}`).join('; ')}`);
      const checks = result.steps.filter((x) => x.ok).length;
      return `agent joined in ${Math.round(result.observations.seenMs.agentConnected!)} ms (a Calls API call to ${s.phoneNumber}, followed through Twilio's records and the participants API: ${checks} checks passed; the test call and its inbound leg hung up)`;
    });

    await step('teardown restores the number as pulumi destroy would', async () => {
      const number = s.twilio.addIncomingNumber(s.phoneNumber);
      await s.stop();
      if (number.voiceUrl !== s.previousVoiceUrl) throw new Error(`the number's voice URL is ${number.voiceUrl}`);
      if (s.twilio.releasedNumbers.length > 0) throw new Error('a number was released');
      return `${s.phoneNumber} voice URL back to ${s.previousVoiceUrl}; TwiML App deleted`;
    });
  } catch (error) {
    await sandbox?.stop().catch(() => undefined);
    return {
      ok: false,
      steps,
      failure: (error as Error).message,
      diagramFile: writeDiagram(options.diagramDir, observations, sandbox),
    };
  }
  return { ok: true, steps, diagramFile: writeDiagram(options.diagramDir, observations, sandbox) };
}

function writeDiagram(
  dir: string | undefined,
  observations: readonly Observation[],
  sandbox: Sandbox | undefined,
): string | undefined {
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'call-flow.mmd');
  const credentials = Object.fromEntries(
    Object.entries(sandbox?.functionApiKeys ?? {}).map(([fn, sid]) => [sid, fn as HandlerName]),
  );
  writeFileSync(file, flowDiagram(observations, credentials));
  return file;
}

/**
 * The agent's `app:` address with the caller's CallToken value left out: the token lets a leg present the caller's
 * number, so it is kept out of output as the handlers keep it out of their logs.
 */
function withoutCallToken(to: string): string {
  return to.replace(new RegExp(`([?&]${STACK_PARAMETERS.callToken}=)[^&]*`), '$1(not shown)');
}
