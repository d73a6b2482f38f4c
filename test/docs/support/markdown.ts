/**
 * What the documentation tests read out of the repository's Markdown: fenced code blocks, links and file paths
 * named in code spans, each with its line number. Pure, except repoMarkdownFiles().
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A fenced code block: its info string's language and its text (without the fences). */
export interface FencedBlock {
  readonly lang: string;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** A link target or a path in a code span, where it appears. */
export interface Reference {
  readonly target: string;
  readonly line: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/** The fenced code blocks of a Markdown text (CommonMark fences: ``` or ~~~, closed by a fence at least as long). */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) {
      body.push(lines[j]);
      j++;
    }
    blocks.push({ lang: open[2].toLowerCase(), body: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The Markdown text with fenced blocks blanked out (line numbers kept), so prose checks skip code. */
export function proseOnly(markdown: string): string {
  const lines = markdown.split('\n');
  for (const block of fencedBlocks(markdown)) {
    const last = block.line + block.body.split('\n').length;
    for (let i = block.line - 1; i <= last && i < lines.length; i++) lines[i] = '';
  }
  return lines.join('\n');
}

function perLine(text: string, pattern: RegExp, pick: (m: RegExpExecArray) => string | undefined): Reference[] {
  const found: Reference[] = [];
  text.split('\n').forEach((content, index) => {
    for (const m of content.matchAll(new RegExp(pattern.source, 'g'))) {
      const target = pick(m as RegExpExecArray);
      if (target !== undefined) found.push({ target, line: index + 1 });
    }
  });
  return found;
}

const CODE_SPAN = /`([^`\n]+)`/;

/** Link targets of the prose: inline links `[text](target "title")`, images, autolinks `<https://…>`, HTML hrefs. */
export function links(markdown: string): Reference[] {
  const prose = proseOnly(markdown)
    .split('\n')
    .map((l) => l.replace(new RegExp(CODE_SPAN.source, 'g'), (span) => ' '.repeat(span.length)))
    .join('\n');
  return [
    ...perLine(prose, /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/, (m) => m[1]),
    ...perLine(prose, /<((?:https?|mailto|file):[^>\s]+)>/, (m) => m[1]),
    ...perLine(prose, /href="([^"]+)"/, (m) => m[1]),
  ].sort((a, b) => a.line - b.line);
}

/**
 * File paths named in code spans of the prose (`lambdas/routes.ts`, `/etc/x.md`): a span with a `/`, a file
 * extension and no spaces or placeholders (`<stack>`, `{c}`, `*`, `…`).
 */
export function codeSpanPaths(markdown: string): Reference[] {
  return perLine(proseOnly(markdown), CODE_SPAN, (m) => {
    const span = m[1];
    return /^[\w./@-]*\/[\w.@-]+\.[a-z]{1,5}$/i.test(span) && !/^https?:/.test(span) ? span : undefined;
  });
}

/** Every Markdown file of the repository: tracked, or new and not ignored (generated folders are ignored). */
export function repoMarkdownFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', '*.md'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .sort();
}

/** A Markdown table: its header cells and its rows' cells, each row with its line. */
export interface Table {
  readonly header: string[];
  readonly rows: { readonly cells: string[]; readonly line: number }[];
}

// A cell boundary: a `|` not escaped with a backslash.
const cellsOf = (line: string) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));

/**
 * The first table in the section under the heading line `heading` (e.g. `### GitHub settings`), before the next
 * heading; undefined when the heading or the table is missing.
 */
export function tableUnder(markdown: string, heading: string): Table | undefined {
  const lines = proseOnly(markdown).split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start === -1) return undefined;
  let i = start + 1;
  while (i < lines.length && !lines[i].trim().startsWith('|')) {
    if (/^ {0,3}#/.test(lines[i])) return undefined;
    i++;
  }
  if (i + 1 >= lines.length || !/^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) return undefined;
  const header = cellsOf(lines[i]);
  const rows: Table['rows'][number][] = [];
  for (let j = i + 2; j < lines.length && lines[j].trim().startsWith('|'); j++)
    rows.push({ cells: cellsOf(lines[j]), line: j + 1 });
  return { header, rows };
}

/**
 * The anchors GitHub gives a Markdown file's headings: the heading text lower-cased, inline code and link markup
 * reduced to their text, every character that is not a letter, digit, space, `-` or `_` dropped, spaces turned
 * into `-`; a repeated slug gets `-1`, `-2`, … in order.
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseOnly(markdown).split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
