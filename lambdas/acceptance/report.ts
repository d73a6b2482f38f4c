/** The acceptance call as text, pure: the plan (with its cost) before dialling, each step, the hop table. */
import { describeAlert } from './judge';
import { type AcceptanceTarget, type AcceptanceTimes, type CostEstimate, testCallTwiml } from './plan';
import type { AcceptanceResult, StepOutcome } from './run';
import { hops } from './timeline';

const usd = (n: number) => `$${n.toFixed(4)}`;

/** What the run will do and what it costs, printed before it dials (and all `--dry-run` prints). */
export function describePlan(target: AcceptanceTarget, times: AcceptanceTimes, cost: CostEstimate): string {
  const same = target.from === target.phoneNumber;
  return [
    `Acceptance call for stack ${target.stack}`,
    `  number        ${target.phoneNumber} -> ${target.webhooks.inbound}`,
    `  caller ID     ${target.from}${same ? ' (the stack’s own number: Twilio documents no restriction on a Voice call to the number it comes from)' : ''}`,
    `  agent         label "${target.agentLabel}" in ${target.conferencePrefix}<CallSid>, via ${target.twimlAppSid ?? 'the stack’s TwiML App'} -> ${target.webhooks.agent}`,
    `  test call     Calls API, TimeLimit ${times.timeLimitSeconds} s, ring ${times.ringTimeoutSeconds} s; TwiML: ${testCallTwiml(target.stack, times.timeLimitSeconds)}`,
    `  passes when   the agent is connected within ${times.agentDeadlineSeconds} s and stays ${times.mediaHoldSeconds} s; then every leg is hung up`,
    '  cost (Twilio US list prices, each leg billed by the started minute; check the sources):',
    ...cost.lines.map(
      (l) => `    ${`${l.count} x ${l.price.what}`.padEnd(58)} ${usd(l.price.usdPerMinute)}/min  ${l.price.source}`,
    ),
    `    a passing run: about ${usd(cost.passingUsd)}; at most ${usd(cost.maxUsd)} (TimeLimit: ${cost.maxMinutesPerLeg} min per leg). A failing run may add the stack's recovery legs (the agent again, a fallback).`,
  ].join('\n');
}

/** One line per step, as it happens. */
export function describeStep(step: StepOutcome): string {
  return `${`+${(step.atMs / 1000).toFixed(1)} s`.padStart(9)}  ${step.ok ? '✓' : '✗'} ${step.title}: ${step.detail}`;
}

const clockTime = (d: Date | null) => (d === null ? '' : d.toISOString().slice(11, 19));

/** The hop table: Twilio's timestamps (whole seconds) beside when the run first saw each milestone. */
export function hopTable(result: AcceptanceResult): string {
  const { rows, timeToAgent } = hops(result.observations);
  if (rows.length === 0) return '';
  const header = `${'Hop'.padEnd(46)} ${'Twilio (UTC)'.padEnd(12)} ${'+s Twilio'.padStart(9)} ${'seen +ms'.padStart(9)}`;
  const lines = rows.map(
    (r) =>
      `${r.what.padEnd(46)} ${clockTime(r.twilioAt).padEnd(12)} ${(r.twilioSeconds === null ? '' : String(r.twilioSeconds)).padStart(9)} ${(r.seenMs === null ? '' : String(Math.round(r.seenMs))).padStart(9)}`,
  );
  const agent =
    timeToAgent.seenMs === null
      ? 'Time to agent: the agent never connected.'
      : `Time to agent: ${timeToAgent.twilioSeconds ?? '?'} s by Twilio's timestamps (whole seconds), first seen connected ${Math.round(timeToAgent.seenMs)} ms after the dial (reads every few hundred ms).`;
  return [header, ...lines, agent].join('\n');
}

/** The verdict: success, or the failed step, its likeliest cause and Twilio's alerts about it. */
export function verdict(result: AcceptanceResult): string {
  if (result.ok) return 'PASSED: the stack answered a real call and its agent joined.';
  const f = result.failure!;
  return [
    `FAILED at "${f.title}" (${f.step}): ${f.cause}`,
    ...f.alerts.map((a) => `  Twilio alert ${describeAlert(a)} ${a.moreInfo ?? ''}`.trimEnd()),
  ].join('\n');
}

/** Text as Markdown shows it literally (a cause may quote TwiML: `<Dial>` would be taken for HTML). */
const md = (text: string) => text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`);

/**
 * The outcome as Markdown (GitHub's job summary): the verdict in the heading, Twilio's alerts, each step, the hop
 * table and the time to agent. Carries what the console shows and nothing more: no token, no credential.
 */
export function summaryMarkdown(stack: string, result: AcceptanceResult): string {
  const f = result.failure;
  const lines = [
    f
      ? `### ✗ Acceptance call of stack ${md(stack)}: FAILED at “${md(f.title)}”`
      : `### ✓ Acceptance call of stack ${md(stack)}: PASSED`,
    '',
    f ? `**Cause** (${md(f.step)}): ${md(f.cause)}` : 'The stack answered a real call and its agent joined.',
    ...(f?.alerts ?? []).map((a) => `- Twilio alert ${md(describeAlert(a))}${a.moreInfo ? ` ${a.moreInfo}` : ''}`),
    '',
    ...result.steps.map(
      (s) => `- ${s.ok ? '✓' : '✗'} ${md(s.title)}: ${md(s.detail)} (+${(s.atMs / 1000).toFixed(1)} s)`,
    ),
  ];
  const { rows, timeToAgent } = hops(result.observations);
  if (rows.length > 0) {
    lines.push(
      '',
      '| Hop | Twilio (UTC) | +s Twilio | seen +ms |',
      '| --- | --- | ---: | ---: |',
      ...rows.map(
        (r) =>
          `| ${md(r.what)} | ${clockTime(r.twilioAt)} | ${r.twilioSeconds ?? ''} | ${r.seenMs === null ? '' : Math.round(r.seenMs)} |`,
      ),
      '',
      timeToAgent.seenMs === null
        ? 'Time to agent: the agent never connected.'
        : `Time to agent: ${timeToAgent.twilioSeconds ?? '?'} s by Twilio's timestamps (whole seconds), first seen connected ${Math.round(timeToAgent.seenMs)} ms after the dial.`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}

/** Why the call was not placed, as Markdown (the job summary of a run that stopped before dialling). */
export function notRunMarkdown(stack: string, problems: readonly string[]): string {
  return `### ✗ Acceptance call of stack ${md(stack)}: not placed\n\n${problems.map((p) => `- ${md(p)}`).join('\n')}\n\n`;
}
