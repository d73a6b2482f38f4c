/**
 * What one test printed while the quiet environment held it back (or what a test file printed outside its tests),
 * in the order it was printed: console entries (jest's, with the line that logged them) and raw writes to
 * process.stdout/stderr (the handlers' EMF metric lines, a child process's piped output). Rendered as one block
 * under the test's name when the test failed.
 */
import type { LogEntry } from '@jest/console';

/** An output stream of the process. */
export type Stream = 'stdout' | 'stderr';

/** Raw writes to one stream, made after `entriesBefore` console entries of the same held output. */
interface Writes {
  readonly stream: Stream;
  readonly entriesBefore: number;
  text: string;
}

/** Renders console entries as jest's console section does (its indentation, the origin of each). */
export type EntryFormatter = (entries: readonly LogEntry[]) => string;

/** Held output of one test, or of a file outside its tests. */
export class HeldOutput {
  private readonly writes: Writes[] = [];

  /** @param entriesSoFar how many console entries this output holds now (for the order of raw writes) */
  constructor(private readonly entriesSoFar: () => number) {}

  /** Holds a raw write; consecutive writes to one stream are one run of text. */
  write(stream: Stream, text: string): void {
    const entriesBefore = this.entriesSoFar();
    const last = this.writes.at(-1);
    if (last && last.stream === stream && last.entriesBefore === entriesBefore) last.text += text;
    else this.writes.push({ stream, entriesBefore, text });
  }

  /** Whether anything was held besides `entries`. */
  hasWrites(): boolean {
    return this.writes.length > 0;
  }

  /**
   * The block that shows this output: a title line, then console entries and raw writes in the order they were
   * made; empty when nothing was printed.
   */
  render(title: string, entries: readonly LogEntry[], formatEntries: EntryFormatter): string {
    if (entries.length === 0 && this.writes.length === 0) return '';
    const parts: string[] = [];
    let shown = 0;
    const entriesUpTo = (end: number) => {
      if (end > shown) parts.push(formatEntries(entries.slice(shown, end)).trimEnd());
      shown = Math.max(shown, end);
    };
    for (const { stream, entriesBefore, text } of this.writes) {
      entriesUpTo(entriesBefore);
      const lines = text.replace(/\n$/, '').split('\n');
      parts.push([`    process.${stream}`, ...lines.map((line) => `      ${line}`)].join('\n'));
    }
    entriesUpTo(entries.length);
    return `  ● ${title}\n\n${parts.join('\n\n')}\n\n`;
  }
}
