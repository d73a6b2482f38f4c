/**
 * The tests' jest environment: Node's, silent while tests pass. Whatever a test prints (its hooks included), through
 * the console or straight to process.stdout/stderr (the handlers' EMF metric lines), is held: dropped when the test
 * passes, printed as one block under the test's name when it fails. Output outside the tests (describe bodies,
 * beforeAll/afterAll) is held too and printed only when something in the file failed. `TEST_OUTPUT=all` turns
 * holding off, for the figures some tests log (test/hardening, test/sandbox/rotation.test.ts).
 */
import { BufferedConsole, type ConsoleBuffer, getConsoleOutput, type LogEntry } from '@jest/console';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus, Config } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import * as path from 'node:path';
import { HeldOutput, type Stream } from './held-output';

type Write = NodeJS.WriteStream['write'];

export default class QuietEnvironment extends TestEnvironment {
  /** jest's console for the file: it prints at once in verbose mode, and it warns of logging after the run. */
  private readonly jestConsole: Console;
  /** The file's console while its tests run: entries with the line that logged them, shown or dropped here. */
  private readonly heldConsole = new BufferedConsole();
  private readonly projectConfig: Config.ProjectConfig;
  private readonly globalConfig: Config.GlobalConfig;
  private readonly testPath: string;
  private readonly holding = process.env.TEST_OUTPUT !== 'all';
  private readonly originals = new Map<Stream, Write>();
  private readonly file = new HeldOutput(() => this.entries().length);
  /** The held output of the test running, or of the file between tests; undefined once the run finished. */
  private current: HeldOutput | undefined = this.file;
  /** Where the running test's console entries start in the file console's buffer. */
  private testEntriesStart = 0;
  private failed = false;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.jestConsole = context.console;
    this.projectConfig = config.projectConfig;
    this.globalConfig = config.globalConfig;
    this.testPath = context.testPath;
  }

  override async setup(): Promise<void> {
    await super.setup();
    // `--silent` drops console output; raw writes are still held.
    if (this.holding && !this.globalConfig.silent) this.global.console = this.heldConsole;
    if (this.holding) for (const stream of ['stdout', 'stderr'] as const) this.hold(stream);
  }

  override async teardown(): Promise<void> {
    // A file that failed to load never finishes its run: what it printed belongs to that failure.
    if (this.holding && this.current) this.finish(true);
    for (const [stream, write] of this.originals) process[stream].write = write;
    this.originals.clear();
    await super.teardown();
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (!this.holding || !this.current) return;
    switch (event.name) {
      case 'test_start':
        this.testEntriesStart = this.entries().length;
        this.current = new HeldOutput(() => this.entries().length - this.testEntriesStart);
        break;
      case 'test_done': {
        const held = this.current;
        this.current = this.file;
        // The test's console entries leave the file's console section either way: shown with the test or not at all.
        const entries = this.entries().splice(this.testEntriesStart);
        if (event.test.errors.length > 0) {
          this.failed = true;
          this.print(
            held.render(
              `${this.relativePath()} › ${testName(event.test)}: output of the failed test`,
              entries,
              this.format,
            ),
          );
        }
        break;
      }
      case 'run_finish':
        this.finish(this.failed || state.unhandledErrors.length > 0);
        break;
    }
  }

  /** Ends holding; the file's output outside its tests is shown when something in it failed. */
  private finish(failed: boolean): void {
    const entries = this.entries().splice(0);
    if (failed)
      this.print(
        this.file.render(`${this.relativePath()}: output outside the tests (the file failed)`, entries, this.format),
      );
    this.current = undefined;
    this.global.console = this.jestConsole;
  }

  /** The console entries held so far (the live buffer: it is undefined while empty). */
  private entries(): ConsoleBuffer {
    return this.heldConsole.getBuffer() ?? [];
  }

  private readonly format = (entries: readonly LogEntry[]) =>
    getConsoleOutput([...entries], this.projectConfig, { ...this.globalConfig, verbose: false });

  private hold(stream: Stream): void {
    const original = process[stream].write;
    this.originals.set(stream, original);
    const environment = this;
    process[stream].write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const held = environment.current;
      if (!held) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      held.write(stream, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (callback) process.nextTick(callback);
      return true;
    } as Write;
  }

  /** Writes past the hold: jest prints its report on stderr, and this output belongs next to it. */
  private print(text: string): void {
    if (text) this.originals.get('stderr')!.call(process.stderr, text);
  }

  private relativePath(): string {
    return path.relative(this.projectConfig.rootDir, this.testPath);
  }
}

/** A test's name as jest reports it: its describe blocks' names and its own, outermost first. */
function testName(test: Circus.TestEntry): string {
  const names = [test.name];
  for (let block = test.parent; block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
}
