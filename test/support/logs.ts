/**
 * Per-test capture of the handlers' JSON log lines, so passing tests print no error-level line: a test asserts the
 * error lines it expects with `takeErrors()`, and one that leaves an error line unclaimed fails with that line.
 */
import { OutputCapture } from './output-capture';

/** One JSON log line as the handlers' Logger writes it. */
export type LogRecord = Record<string, unknown> & { level?: string; message?: string };

/** What the tests of a describe block see of their log output. */
export interface LogCapture {
  /** Every JSON log line of the current test so far. */
  records(): LogRecord[];
  /** The error-level lines of the current test not yet taken; taking them marks them expected. */
  takeErrors(): LogRecord[];
}

/**
 * Captures console output for each test of the enclosing describe block (call it inside the block). After each
 * test, error-level lines no `takeErrors()` claimed fail the test; all other output stays off the terminal.
 */
export function captureLogs(): LogCapture {
  const output = new OutputCapture();
  let taken = 0;
  const errors = () => output.records().filter((r) => r.level === 'error') as LogRecord[];
  beforeEach(() => {
    output.clear();
    taken = 0;
    output.start();
  });
  afterEach(() => {
    output.stop();
    const unclaimed = errors().slice(taken);
    if (unclaimed.length > 0)
      throw new Error(
        `the test logged ${unclaimed.length} error line(s) it did not expect (assert them with takeErrors()):\n${unclaimed.map((r) => JSON.stringify(r)).join('\n')}`,
      );
  });
  return {
    records: () => output.records() as LogRecord[],
    takeErrors() {
      const all = errors();
      const fresh = all.slice(taken);
      taken = all.length;
      return fresh;
    },
  };
}
