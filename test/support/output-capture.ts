/**
 * Captures what code under test prints: console methods (the handlers' Logger sink is console.log) for the life
 * of the capture, and raw process.stdout/stderr writes while {@link OutputCapture.during} runs.
 */

/** Captured output: `start()` begins, `stop()` ends; `records()` are the parsed JSON log lines. */
export class OutputCapture {
  readonly lines: string[] = [];
  private readonly restores: (() => void)[] = [];

  start(): this {
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.lines.push(
          args
            .map((a) =>
              typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}\n${a.stack}` : safeJson(a),
            )
            .join(' '),
        );
      });
      this.restores.push(() => spy.mockRestore());
    }
    return this;
  }

  /** Runs `action` with raw stdout/stderr writes captured too (and kept off the terminal). */
  async during<T>(action: () => Promise<T>): Promise<T> {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((s) => s.write);
    streams.forEach((stream) => {
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write;
    });
    try {
      return await action();
    } finally {
      streams.forEach((stream, i) => {
        stream.write = originals[i];
      });
    }
  }

  /** Parsed JSON log lines (the Logger's output). */
  records(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  }

  clear(): void {
    this.lines.length = 0;
  }

  stop(): void {
    while (this.restores.length) this.restores.pop()!();
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
