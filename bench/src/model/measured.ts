/**
 * Our own figures for the latency model, read from what `npm run bench` recorded in bench/results.json (cold
 * starts, warm latency, archive sizes), so the model follows every rerun instead of copies typed by hand.
 */
import type { Figure } from './figure';

/** The three handlers on a caller's way to the agent, in the order the call reaches them. */
export const CALL_PATH = ['inbound', 'events', 'agent'] as const;
export type PathHandler = (typeof CALL_PATH)[number];

/** What the model needs from one handler's measurements (bench machine, one core). */
export interface HandlerMeasurements {
  /** require() of the bundle in a fresh process. */
  readonly moduleLoad: Figure;
  /** The first invocation in a fresh process (REST handlers: against the local Twilio stand-in). */
  readonly firstInvoke: Figure;
  /** A warm invocation, signature check included (REST handlers: local round trip included). */
  readonly warm: Figure;
  /** Warm round trip to the local stand-in alone (REST handlers): subtracted, Twilio's real answer is modelled. */
  readonly localRoundTrip?: Figure;
  /** Size of the deployment archive. */
  readonly zipBytes: number;
}

export type MeasuredInputs = Readonly<Record<PathHandler, HandlerMeasurements>> & {
  /** Module load of the combined function's dispatcher entry (`ours:twilio`), once the bench measures it. */
  readonly combinedModuleLoad?: Figure;
};

interface Series {
  readonly median: number;
  readonly min: number;
  readonly p99: number;
}

/** The parts of bench/results.json the model reads (other sections may change shape freely). */
export interface ResultsForModel {
  readonly sizes?: { readonly ours: Readonly<Record<string, { readonly zipBytes: number }>> };
  readonly cold?: {
    readonly variants: Readonly<Record<string, { readonly loadMs: Series; readonly invokeMs: Series }>>;
  };
  readonly warm?: Readonly<Record<string, { readonly variants: Readonly<Record<string, Series>> }>>;
}

/**
 * A bench figure enters the model at its median, low and high alike: its spread on this shared machine is the
 * machine's load, not Lambda's; the model's bounds come from the published ranges and the assumptions.
 */
function measured(series: Series, source: string, says: string): Figure {
  const value = series.median;
  return { value, low: value, high: value, unit: 'ms', kind: 'measured', source, says };
}

/** Reads the model's measured inputs; throws naming the bench section to run when one is missing. */
export function measuredInputs(results: ResultsForModel): MeasuredInputs {
  const { sizes, cold, warm } = results;
  if (!sizes || !cold || !warm) {
    throw new Error('bench/results.json lacks sizes, cold or warm: run `npm run bench -- --only=size,cold,warm` first');
  }
  const one = (h: PathHandler): HandlerMeasurements => {
    const c = cold.variants[`ours:${h}`];
    const w = warm[h]?.variants;
    if (!c || !w?.ours || !sizes.ours[h]) throw new Error(`bench/results.json has no cold/warm/size figures for ${h}`);
    const local = w['stub-roundtrip'];
    return {
      moduleLoad: measured(
        c.loadMs,
        `results.json cold.variants["ours:${h}"].loadMs`,
        'require() of the bundle, fresh process, median',
      ),
      firstInvoke: measured(
        c.invokeMs,
        `results.json cold.variants["ours:${h}"].invokeMs`,
        'first invocation in a fresh process, median',
      ),
      warm: measured(w.ours, `results.json warm.${h}.variants.ours`, 'warm invocation, in-process, median'),
      ...(local && {
        localRoundTrip: measured(
          local,
          `results.json warm.${h}.variants["stub-roundtrip"]`,
          'bare keep-alive POST to the local Twilio stand-in, median',
        ),
      }),
      zipBytes: sizes.ours[h].zipBytes,
    };
  };
  const combined = cold.variants['ours:twilio'];
  return {
    inbound: one('inbound'),
    events: one('events'),
    agent: one('agent'),
    ...(combined && {
      combinedModuleLoad: measured(
        combined.loadMs,
        'results.json cold.variants["ours:twilio"].loadMs',
        "require() of the combined function's dispatcher entry, fresh process, median",
      ),
    }),
  };
}
