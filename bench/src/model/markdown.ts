/** Markdown for the latency model's results: the tables RESULTS.md carries and the terminal prints. */
import type { CapacityResults } from '../capacity';
import { table } from '../markdown';
import type { Figure } from './figure';
import { layoutDecisionText } from './decision';
import { DEPLOYED_FUNCTION_LAYOUT, type ModelResults, type Spread, TIME_TO_AGENT_BUDGET_MS } from './plan';

const sec = (ms: number) => (ms / 1000).toFixed(2);
/** "1.37 s (0.59-3.96)": nominal, then the low and high bounds. */
export const spreadS = (x: Spread) => `${sec(x.value)} s (${sec(x.low)}-${sec(x.high)})`;
const pct = (part: number, whole: number) => `${Math.round((100 * part) / whole)} %`;

function figureValue(f: Figure): string {
  const n = (x: number) => (Math.abs(x) < 0.001 && x !== 0 ? x.toExponential(4) : String(Math.round(x * 1000) / 1000));
  return f.low === f.high ? `${n(f.value)} ${f.unit}` : `${n(f.value)} ${f.unit} (${n(f.low)}-${n(f.high)})`;
}

/** The layout comparison, with our stack's share of each wait. */
export function layoutTable(m: ModelResults): string {
  return table(
    [
      'Layout',
      'Memory',
      'Warm call: time to agent / our stack',
      'First call after idle: time to agent / our stack',
      'Cold starts in series',
      'First call after idle, worst case (a leg status callback ahead of the agent webhook): time to agent / cold starts',
      '100 callers at once, 30 calls/s: p95',
      'Provisioned concurrency',
    ],
    m.layouts.map((r) => [
      r.label,
      `${r.memoryMb} MB`,
      `${spreadS(r.warm.timeToAgentMs)} / ${sec(r.warm.ourStackMs.value)} s (${pct(r.warm.ourStackMs.value, r.warm.timeToAgentMs.value)})`,
      `${spreadS(r.firstAfterIdle.timeToAgentMs)} / ${sec(r.firstAfterIdle.ourStackMs.value)} s (${pct(r.firstAfterIdle.ourStackMs.value, r.firstAfterIdle.timeToAgentMs.value)})`,
      String(r.firstAfterIdle.coldStarts),
      `${spreadS(r.firstAfterIdleWorst.timeToAgentMs)} / ${r.firstAfterIdleWorst.coldStarts}`,
      spreadS(r.burst100At30.p95Ms),
      r.monthlyUsd > 0 ? `$${r.monthlyUsd.toFixed(2)} / month` : 'none',
    ]),
  );
}

/** The capacity plan: model and sandbox side by side. */
export function capacityTable(m: ModelResults, sandbox?: CapacityResults): string {
  const measured = sandbox?.available ? sandbox.runs : [];
  return table(
    ['Callers at once', 'Calls/s', 'Model: p50 / p95', 'Model: queue p95', 'Sandbox: p50 / p95', 'Sandbox: queue p95'],
    m.capacity.map((c) => {
      const s = measured.find((r) => r.callers === c.callers && r.callsPerSecond === c.callsPerSecond);
      return [
        String(c.callers),
        String(c.callsPerSecond),
        `${sec(c.model.p50Ms.value)} / ${sec(c.model.p95Ms.value)} s`,
        `${sec(c.model.queueP95Ms.value)} s`,
        s
          ? `${sec(s.timeToAgentP50Ms)} / ${sec(s.timeToAgentP95Ms)} s${s.errors > 0 ? ` (${s.errors} errors)` : ''}`
          : 'not run',
        s ? `${sec(s.queueP95Ms)} s` : '',
      ];
    }),
  );
}

/** The limits a burst meets besides the queue: callers refused rather than kept waiting. */
export function limitsText(m: ModelResults): string {
  return (
    'Limits that refuse instead of queueing, for callers arriving at the same instant: ' +
    m.limits
      .map(
        (l) =>
          `${l.callers} callers need ${l.peakConcurrency} Lambda environments at once (account default ` +
          `${l.accountConcurrency}${l.peakConcurrency > l.accountConcurrency ? ': **over**' : ''}), ` +
          `${l.callers > l.routeBurstLimit ? `**${l.callers - l.routeBurstLimit} beyond**` : 'within'} the webhook ` +
          `routes' burst of ${l.routeBurstLimit}, and ${l.callers > l.twilioApiConcurrency ? `**${l.callers} creates in flight against Twilio's ${l.twilioApiConcurrency}** (429, retried with backoff)` : `${l.callers} creates in flight (Twilio allows about ${l.twilioApiConcurrency})`}`,
      )
      .join('; ') +
    '. Real callers spread over seconds, which the token bucket refills within; a burst that large at one instant ' +
    'needs throttlingBurstLimit raised with it.'
  );
}

/** Every input with its kind and source. */
export function inputsTable(m: ModelResults): string {
  return table(
    ['Input', 'Value (range)', 'Kind', 'Source', 'What it says'],
    Object.entries(m.inputs).map(([name, f]) => [name, figureValue(f), f.kind, f.source, f.says.replace(/\|/g, '/')]),
  );
}

/** The model's whole section. */
export function modelMarkdown(m: ModelResults, sandbox?: CapacityResults): string {
  return [
    'Time to agent on AWS and Twilio, from the latency model (`bench/src/model/`): from Twilio requesting the ' +
      "inbound webhook to the agent's WebSocket receiving `start`. Each figure is the nominal value, then the low " +
      'and high bounds that the inputs\' ranges give (inputs below). "Our stack" is Lambda (cold start and ' +
      'handlers) plus API Gateway; the rest is Twilio (hops, the Participants create, the calls-per-second queue).',
    '',
    layoutTable(m),
    '',
    `**Layout decision.** ${layoutDecisionText(m.layouts, DEPLOYED_FUNCTION_LAYOUT)}`,
    '',
    `Capacity: ${m.capacity[0]?.model.memoryMb} MB, layout \`${m.chosenLayout}\`, every caller arriving at the same ` +
      'instant on an idle stack. The sandbox runs the same bursts through the built functions with the emulated ' +
      "Twilio queue at each rate (Twilio time 100x faster; its other hops take milliseconds, not Twilio's " +
      'hundreds, so beyond the queue its times are its own processing of the burst on the bench machine).',
    '',
    capacityTable(m, sandbox),
    '',
    `What to ask Twilio for, to keep the p95 time to agent within ${sec(TIME_TO_AGENT_BUDGET_MS)} s: ` +
      m.askTwilio
        .map(
          (a) =>
            `${a.callers} callers at once: ${a.callsPerSecond === undefined ? 'more than 200' : a.callsPerSecond} calls/s`,
        )
        .join('; ') +
      '.',
    '',
    limitsText(m),
    '',
    `Alarm: AgentQueueTime p95 above ${m.alarm.agentQueueTimeP95Ms} ms. ${m.alarm.derivation}`,
    '',
    'Inputs:',
    '',
    inputsTable(m),
  ].join('\n');
}
