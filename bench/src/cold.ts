/**
 * Items 2 and 6 (handlers): cold starts. Every round spawns one fresh process per variant, in a shuffled
 * order, so the floor, our bundles and the naive baselines share the machine's load round by round.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventFor, HANDLERS, KIND, type HandlerName } from './fixtures';
import { COLD_MARKER, type ColdSample } from './protocol';
import { timeChild } from './spawn-timer';
import {
  belowFloor,
  type Estimate,
  estimate,
  type Floor,
  judge,
  pairedExtraShares,
  pairedRatios,
  round,
  seededShuffle,
  summarize,
  type Summary,
  type Target,
  type Verdict,
} from './stats';

/** One process kind to cold-start: a bundle (or nothing, for the floor) and the event it serves first. */
interface ColdVariant {
  readonly id: string;
  readonly bundle: string;
  readonly eventFile: string;
}

/** Figures of one variant over all measured rounds. */
export interface ColdVariantResult {
  /** Spawn to first response, measured by the parent. */
  readonly wallMs: Summary;
  /** The same median with its 95 % interval over the rounds. */
  readonly wallMedian: Estimate;
  readonly bootMs: Summary;
  readonly loadMs: Summary;
  readonly invokeMs: Summary;
  readonly maxRssMiB: Summary;
  readonly wallSamples: number[];
}

/** The verdict for one handler against its target; every figure is a median over rounds with its interval. */
export interface ColdVerdict {
  readonly kind: 'twiml' | 'rest';
  /** ours[i] / floor[i] per round. */
  readonly ratioToFloor: Estimate;
  /** (ours[i] - floor[i]) / (naive[i] - floor[i]) per round. */
  readonly shareOfNaiveExtra: Estimate;
  /** Same share against the naive handler shipped unbundled with node_modules. */
  readonly shareOfNaiveUnbundledExtra: Estimate;
  readonly target: Target;
  readonly verdict: Verdict;
}

export interface ColdResults {
  readonly rounds: number;
  readonly warmupRounds: number;
  readonly variants: Record<string, ColdVariantResult>;
  readonly verdicts: Record<HandlerName, ColdVerdict>;
}

export interface ColdPaths {
  readonly childScript: string;
  readonly workDir: string;
  readonly ours: (h: HandlerName) => string;
  readonly naive: (h: HandlerName) => string;
  readonly naiveUnbundled: (h: HandlerName) => string;
  readonly probes: string;
}

/**
 * Pieces the handlers load, each bundled alone by bench/run.mjs: their module-load times say where a handler's
 * load goes (crypto for the HMAC, https for Secrets Manager, twilio's webhook validator), and what twilio's TwiML
 * builder would cost (the handlers write TwiML with lambdas/shared/twiml-writer.ts instead).
 */
export const PROBES = ['node-crypto', 'node-https', 'twilio-webhooks', 'twilio-voiceresponse'] as const;

/** Variant ids: `floor`, `ours:<h>`, `naive:<h>` (bundled), `naive-unbundled:<h>`, `probe:<piece>`. */
function variants(paths: ColdPaths): ColdVariant[] {
  const eventFile = (h: HandlerName) => {
    const file = path.join(paths.workDir, `event-${h}.json`);
    writeFileSync(file, JSON.stringify(eventFor(h, 1)));
    return file;
  };
  const files = Object.fromEntries(HANDLERS.map((h) => [h, eventFile(h)])) as Record<HandlerName, string>;
  return [
    { id: 'floor', bundle: '-', eventFile: files.inbound },
    ...HANDLERS.flatMap((h) => [
      { id: `ours:${h}`, bundle: path.join(paths.ours(h), 'index.js'), eventFile: files[h] },
      { id: `naive:${h}`, bundle: path.join(paths.naive(h), 'index.js'), eventFile: files[h] },
      { id: `naive-unbundled:${h}`, bundle: path.join(paths.naiveUnbundled(h), 'index.js'), eventFile: files[h] },
    ]),
    ...PROBES.map((p) => ({
      id: `probe:${p}`,
      bundle: path.join(paths.probes, p, 'index.js'),
      eventFile: files.inbound,
    })),
  ];
}

const TWIML_TARGET: Target = { max: 1.3, inclusive: true, text: '<= 1.3x empty process' };
const REST_TARGET: Target = { max: 1 / 3, inclusive: true, text: '<= 1/3 of naive extra over floor' };
/** No process that loads a bundle and serves an event can start faster than the same process loading nothing. */
export const RATIO_FLOOR: Floor = { min: 1, text: '1x, the empty process' };
/** Hence no extra time over the empty process below zero either. */
export const EXTRA_FLOOR: Floor = { min: 0, text: '0 % (no extra time over the empty process)' };

/** The paired per-round figures of one handler and its verdict. */
export function coldVerdict(
  kind: 'twiml' | 'rest',
  wall: { ours: number[]; floor: number[]; naive: number[]; naiveUnbundled: number[] },
): ColdVerdict {
  const ratioToFloor = estimate(pairedRatios(wall.ours, wall.floor));
  const shareOfNaiveExtra = estimate(pairedExtraShares(wall.ours, wall.naive, wall.floor));
  const shareOfNaiveUnbundledExtra = estimate(pairedExtraShares(wall.ours, wall.naiveUnbundled, wall.floor));
  const verdict: Verdict =
    kind === 'twiml'
      ? judge(ratioToFloor, TWIML_TARGET, RATIO_FLOOR)
      : belowFloor(ratioToFloor, RATIO_FLOOR)
        ? 'method error'
        : judge(shareOfNaiveExtra, REST_TARGET, EXTRA_FLOOR);
  return {
    kind,
    ratioToFloor,
    shareOfNaiveExtra,
    shareOfNaiveUnbundledExtra,
    target: kind === 'twiml' ? TWIML_TARGET : REST_TARGET,
    verdict,
  };
}

/** Runs `rounds` measured rounds (after `warmupRounds` discarded ones that fill the page cache). */
export async function measureColdStarts(
  paths: ColdPaths,
  env: Record<string, string>,
  rounds: number,
  warmupRounds: number,
  onRound?: (i: number) => void,
): Promise<ColdResults> {
  const all = variants(paths);
  const raw: Record<string, { wall: number[]; samples: ColdSample[] }> = Object.fromEntries(
    all.map((v) => [v.id, { wall: [], samples: [] }]),
  );
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const variant of seededShuffle(all, 1000 + round)) {
      const timed = await timeChild([paths.childScript, variant.bundle, variant.eventFile], env, COLD_MARKER);
      const sample = JSON.parse(timed.payload) as ColdSample;
      if (variant.bundle !== '-' && sample.statusCode >= 300)
        throw new Error(`${variant.id} answered ${sample.statusCode} on its first event`);
      if (round < warmupRounds) continue;
      raw[variant.id].wall.push(timed.wallMs);
      raw[variant.id].samples.push(sample);
    }
    onRound?.(round);
  }

  const results: Record<string, ColdVariantResult> = {};
  for (const [id, { wall, samples }] of Object.entries(raw)) {
    results[id] = {
      wallMs: summarize(wall),
      wallMedian: estimate(wall),
      bootMs: summarize(samples.map((s) => s.bootMs)),
      loadMs: summarize(samples.map((s) => s.loadMs)),
      invokeMs: summarize(samples.map((s) => s.invokeMs)),
      maxRssMiB: summarize(samples.map((s) => s.maxRssKiB / 1024)),
      wallSamples: wall.map((x) => round(x, 3)),
    };
  }
  const verdicts = Object.fromEntries(
    HANDLERS.map((h) => [
      h,
      coldVerdict(KIND[h], {
        ours: raw[`ours:${h}`].wall,
        floor: raw.floor.wall,
        naive: raw[`naive:${h}`].wall,
        naiveUnbundled: raw[`naive-unbundled:${h}`].wall,
      }),
    ]),
  ) as Record<HandlerName, ColdVerdict>;
  return { rounds, warmupRounds, variants: results, verdicts };
}
