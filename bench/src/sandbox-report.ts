/** The sandbox section of RESULTS.md. */
import type { SandboxResults } from './sandbox';

/** Markdown for the sandbox results (or why they are missing). */
export function sandboxMarkdown(s: SandboxResults): string {
  if (!s.available) return `Not measured: ${s.reason}.`;
  return '';
}
