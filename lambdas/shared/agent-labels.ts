/**
 * The agent's participant labels: `AGENT_LABEL` for the agent the stack adds (and re-adds) per call, and the
 * numbered `<AGENT_LABEL>-2`, `-3`, … the participants API gives further agents added without a label. Twilio keeps a
 * label unique among a conference's active participants (error 16026), so a second agent never collides with the
 * first; the recovery and the conference events treat every label of the series as an agent. Pure.
 */
import { MAX_LABEL_CHARS } from './identifiers';

const NUMBERED = /^-([2-9]|[1-9]\d+)$/;

/** Whether `label` is the agent label or one of its numbered labels (`ai-agent`, `ai-agent-2`, `ai-agent-3`, …). */
export function isAgentLabel(label: string | null | undefined, agentLabel: string): boolean {
  if (label === null || label === undefined) return false;
  return label === agentLabel || (label.startsWith(agentLabel) && NUMBERED.test(label.slice(agentLabel.length)));
}

/**
 * The first `count` labels of the series (`agentLabel`, then `-2`, `-3`, …) that no participant in `taken` holds,
 * leaving out any longer than Twilio allows.
 */
export function freeAgentLabels(
  agentLabel: string,
  taken: Iterable<string | null | undefined>,
  count: number,
): string[] {
  const used = new Set(taken);
  const free: string[] = [];
  // A conference holds at most 250 participants: the series cannot be taken further than that.
  for (let n = 1; free.length < count && n <= 251; n++) {
    const label = n === 1 ? agentLabel : `${agentLabel}-${n}`;
    if (label.length > MAX_LABEL_CHARS) break;
    if (!used.has(label)) free.push(label);
  }
  return free;
}
