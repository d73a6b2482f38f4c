/** Captures what code writes to process.stdout (EMF metric lines), without printing it. */
export interface CapturedStdout {
  readonly lines: string[];
  restore(): void;
}

/** Starts capturing stdout line by line; call `restore()` when done (an afterEach). */
export function captureStdout(): CapturedStdout {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l !== ''),
    );
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}
