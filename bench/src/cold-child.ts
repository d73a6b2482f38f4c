/**
 * One cold start: a fresh Node process loads a handler bundle and serves its first event, then prints one
 * marker line and exits. Run as `node cold-child.js <bundle|-> <event.json>`; `-` loads nothing (the floor).
 * It imports only node builtins so that the floor is a bare Node process reading one file.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { COLD_MARKER, type ColdSample } from './protocol';

/**
 * Peak RSS of this process image. Linux's getrusage maxRSS survives fork+exec, so in a child spawned by a big
 * parent it reports the parent's size; /proc/self/status VmHWM belongs to this image alone.
 */
function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: fall through to getrusage.
  }
  return process.resourceUsage().maxRSS;
}

type Handler = (event: unknown) => Promise<{ statusCode: number }>;

async function main(): Promise<void> {
  // performance.now() counts from process start: this first reading is Node's own bootstrap time.
  const bootMs = performance.now();
  const [bundle, eventPath] = process.argv.slice(2);
  const event: unknown = JSON.parse(readFileSync(eventPath, 'utf8'));
  const t0 = process.hrtime.bigint();
  const handler: Handler | undefined = bundle === '-' ? undefined : (require(bundle) as { handler: Handler }).handler;
  const t1 = process.hrtime.bigint();
  const response = handler ? await handler(event) : { statusCode: 0 };
  const t2 = process.hrtime.bigint();
  const result: ColdSample = {
    bootMs,
    loadMs: Number(t1 - t0) / 1e6,
    invokeMs: Number(t2 - t1) / 1e6,
    statusCode: response.statusCode,
    maxRssKiB: peakRssKiB(),
  };
  process.stdout.write(`${COLD_MARKER + JSON.stringify(result)}\n`, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
