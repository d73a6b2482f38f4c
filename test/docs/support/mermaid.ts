/** Mermaid's own parser, run in a child process (Mermaid is ES modules only; jest runs CommonJS). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** What Mermaid's parser said about one source. */
export type MermaidVerdict = { ok: true; diagramType: string } | { ok: false; error: string };

/** Parses each source with `mermaid.parse`; one verdict per source, in order. */
export function parseMermaid(sources: readonly string[]): MermaidVerdict[] {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'parse-mermaid.mjs')], {
    input: JSON.stringify(sources),
    encoding: 'utf8',
  });
  return JSON.parse(output) as MermaidVerdict[];
}
