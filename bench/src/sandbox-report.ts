/** The sandbox section of RESULTS.md. */
import { HOPS } from './sandbox-adapter';
import { estimateCell, ms, percent, table, verdictCell } from './markdown';
import type { SandboxResults } from './sandbox';
import type { Floor } from './stats';

const SHARE_FLOOR: Floor = { min: 0, text: '0 %' };

/** Markdown for the sandbox results (or why they are missing). */
export function sandboxMarkdown(s: SandboxResults): string {
  if (!s.available) return `Not measured: ${s.reason}.`;
  const t = s.timeToAgent;
  const parts = [
    `Time to agent (first inbound webhook request to the agent's WebSocket receiving \`start\` with the custom parameters), ${t.calls} sequential calls: ` +
      `median ${estimateCell(t.timeToAgentMedian, ms)}, p99 ${ms(t.timeToAgentMs.p99)}; target ${t.target.text}: ${verdictCell(t.verdict)}.` +
      (t.handlerShare !== undefined
        ? ` Time inside our three functions: median ${ms(t.handlerMs!.median)}; as a share of each call's time to agent, median ${estimateCell(t.handlerShare, percent, SHARE_FLOOR)} (the events function's time includes its Participants create round trip).`
        : '') +
      (t.estimatedHandlerShare !== undefined && t.warmPathMs !== undefined
        ? ` Estimated from warm in-process latency: inbound + events + agent medians ${ms(t.warmPathMs, 2)} / median time to agent ${ms(t.timeToAgentMs.median)} = ${(t.estimatedHandlerShare * 100).toFixed(1)} %.`
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
        "Handlers' share (median per call)",
        'Sandbox peak RSS',
        '',
      ],
      s.load.map((l) => [
        String(l.concurrency),
        `${estimateCell(l.timeToAgentMedian, ms)} / ${ms(l.timeToAgentMs.p99)}`,
        String(l.errors),
        `${l.callsWithOneAgent}/${l.concurrency}`,
        `${l.callsWithOwnContext}/${l.concurrency}`,
        l.handlerShare !== undefined
          ? estimateCell(l.handlerShare, percent, SHARE_FLOOR)
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
