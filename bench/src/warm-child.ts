/**
 * Warm latency of one handler: loads our bundle and the naive baseline into this process, warms both up, then
 * alternates them call by call (ABBA), timing each invocation with hrtime. REST handlers also get a
 * `stub-roundtrip` series: one keep-alive POST to the stub, the floor their REST call cannot go under.
 * Run as `node warm-child.js <handler> <ours.js> <naive.js> <iterations> <warmup>`.
 */
import http from 'node:http';
import { eventFor, KIND, type HandlerName } from './fixtures';
import { WARM_MARKER, type WarmSamples } from './protocol';

type Handler = (event: unknown) => Promise<{ statusCode: number }>;
type Variant = () => Promise<unknown>;

/** A keep-alive form POST to the stub's Participants endpoint, like the one a REST handler sends. */
function stubRoundTrip(baseUrl: string): Variant {
  const agent = new http.Agent({ keepAlive: true });
  const body = `From=%2B15550001111&To=app%3AAP${'a'.repeat(32)}%3Fcaller%3D%252B15557654321&Label=ai-agent&Timeout=15`;
  const url = new URL(
    `${baseUrl}/2010-04-01/Accounts/AC${'1'.repeat(32)}/Conferences/CF${'5'.repeat(32)}/Participants.json`,
  );
  return () =>
    new Promise((resolve, reject) => {
      const request = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.resume();
          response.on('end', resolve);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}

async function main(): Promise<void> {
  const [name, oursPath, naivePath, iterationsArg, warmupArg] = process.argv.slice(2);
  const handler = name as HandlerName;
  const iterations = Number(iterationsArg);
  const warmup = Number(warmupArg);
  // Distinct events (CallSids, signatures) so no path is served from a cache keyed on the last input.
  const events = Array.from({ length: 64 }, (_, i) => eventFor(handler, i + 1));
  const ours = (require(oursPath) as { handler: Handler }).handler;
  const naive = (require(naivePath) as { handler: Handler }).handler;
  const check = (h: Handler) => async (i: number) => {
    const response = await h(events[i % events.length]);
    if (response.statusCode >= 300) throw new Error(`${name} answered ${response.statusCode}`);
  };
  const variants: Record<string, (i: number) => Promise<unknown>> = { ours: check(ours), naive: check(naive) };
  if (KIND[handler] === 'rest') {
    const roundTrip = stubRoundTrip(process.env.TWILIO_API_BASE_URL ?? '');
    variants['stub-roundtrip'] = () => roundTrip();
  }
  const ids = Object.keys(variants);
  const samples: WarmSamples = Object.fromEntries(ids.map((id) => [id, []]));
  for (let i = 0; i < warmup + iterations; i++) {
    // Rotate the order every call so no variant always runs right after a GC-heavy neighbour.
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(i + k) % ids.length];
      const t0 = process.hrtime.bigint();
      await variants[id](i);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= warmup) samples[id].push(ms);
    }
  }
  process.stdout.write(`${WARM_MARKER + JSON.stringify(samples)}\n`, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
