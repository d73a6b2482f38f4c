/** The sandbox section of RESULTS.md. */
import { HOPS } from './sandbox-adapter';
import type { SandboxResults } from './sandbox';

const ms = (x: number) => `${x.toFixed(1)} ms`;

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Markdown for the sandbox results (or why they are missing). */
export function sandboxMarkdown(s: SandboxResults): string {
  if (!s.available) return `Not measured: ${s.reason}.`;
  const t = s.timeToAgent;
  const parts = [
    `Time to agent (first inbound webhook request to the agent's WebSocket receiving \`start\` with the custom parameters), ${t.calls} sequential calls: ` +
      `median ${ms(t.timeToAgentMs.median)}, p99 ${ms(t.timeToAgentMs.p99)}; target median < 50 ms: ${t.holds ? 'holds' : '**missed**'}.` +
      (t.handlerShare !== undefined
        ? ` Time inside our three functions: median ${ms(t.handlerMs!.median)}, ${(t.handlerShare * 100).toFixed(0)} % of the time to agent (the events function's share includes its Participants create round trip).`
        : '') +
      (t.estimatedHandlerShare !== undefined
        ? ` Estimated from warm in-process latency (inbound + events + agent medians over the median time to agent): ${(t.estimatedHandlerShare * 100).toFixed(1)} %.`
        : ''),
  ];
  if (t.hopsMs) {
    parts.push(
      '',
      table(
        ['Hop', 'Median', 'p99'],
        HOPS.filter((h) => t.hopsMs?.[h]).map((h) => [h, ms(t.hopsMs![h]!.median), ms(t.hopsMs![h]!.p99)]),
      ),
    );
  }
  parts.push(
    '',
    table(
      [
        'Concurrent calls',
        'Time to agent p50 / p99',
        'Errors',
        'Exactly one agent',
        'Own context',
        "Handlers' share",
        'Sandbox peak RSS',
        '',
      ],
      s.load.map((l) => [
        String(l.concurrency),
        `${ms(l.timeToAgentMs.median)} / ${ms(l.timeToAgentMs.p99)}`,
        String(l.errors),
        `${l.callsWithOneAgent}/${l.concurrency}`,
        `${l.callsWithOwnContext}/${l.concurrency}`,
        l.handlerShare !== undefined
          ? `${(l.handlerShare * 100).toFixed(0)} %`
          : l.estimatedHandlerShare !== undefined
            ? `~${(l.estimatedHandlerShare * 100).toFixed(1)} % (est.)`
            : 'n/a',
        `${l.sandboxPeakRssMiB} MiB`,
        l.holds ? 'holds' : '**missed**',
      ]),
    ),
  );
  return parts.join('\n');
}
