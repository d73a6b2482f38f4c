/**
 * The latency model's engine: callers walk the call flow (inbound webhook, conference join, events webhook and
 * its Participants create, Twilio's calls-per-second queue, the agent webhook, the stream) through Lambda
 * environments that are created when none is free (a cold start) and reused when one is. Pure and deterministic:
 * every time is an input, nothing is measured here.
 */
import type { PathHandler } from './measured';

/** Where a caller's wait goes. `lambdaInit`, `handlers` and `apiGateway` are our stack; the rest is Twilio's. */
export const PARTS = ['lambdaInit', 'handlers', 'apiGateway', 'twilio', 'queue'] as const;
export type Part = (typeof PARTS)[number];

/** One handler's own time on Lambda (already scaled to the function's CPU), ms. */
export interface HandlerTimes {
  /** Work in a warm environment, Twilio's REST answer excluded. */
  readonly warmMs: number;
  /** Extra work the first time this handler runs in an environment (lazy initialisation, first connection). */
  readonly firstInvokeExtraMs: number;
  /**
   * Loading this handler's module inside an invocation, at invoke-phase CPU: paid on its first request in an
   * environment of a function that loads its handlers lazily (the combined layout's dispatcher does).
   */
  readonly lazyModuleLoadMs: number;
  /** Secrets it reads before answering, one after another; an environment caches each one. */
  readonly secrets: readonly string[];
  /** Whether it creates the agent participant (a Twilio REST call on the caller's way to the agent). */
  readonly createsAgent: boolean;
}

/** Twilio's and AWS's times on the way, ms. */
export interface PlatformTimes {
  /** Execution environment creation and code download, outside Init Duration. */
  readonly envCreateMs: number;
  /** The runtime's own init (Init Duration of a hello-world function). */
  readonly runtimeInitMs: number;
  /** API Gateway overhead per request. */
  readonly apiGatewayMs: number;
  /** Twilio to API Gateway and back, per webhook. */
  readonly webhookNetworkMs: number;
  /** Inbound TwiML answered to the participant-join callback sent. */
  readonly conferenceJoinMs: number;
  /** Participants create sent to Twilio accepting it. */
  readonly restCreateMs: number;
  /** The first REST call of an environment opening its TLS connection. */
  readonly twilioTlsSetupMs: number;
  /** Agent leg leaving the queue to Twilio requesting the TwiML App's Voice URL. */
  readonly appDialMs: number;
  /** Agent TwiML answered to the agent service receiving `start`. */
  readonly streamConnectMs: number;
  /** One secret read by an environment that has not cached it. */
  readonly secretFetchMs: number;
}

/** Which function serves each handler, and how many initialised environments each function keeps ready. */
export interface FunctionLayout {
  readonly name: string;
  readonly functionOf: Readonly<Record<PathHandler, string>>;
  /** Provisioned concurrency per function name (absent: 0). */
  readonly provisioned: Readonly<Record<string, number>>;
  /** Its functions load a handler's module on that handler's first request, not at init. */
  readonly lazyHandlerModules?: boolean;
}

export interface CallFlowInputs {
  readonly handlers: Readonly<Record<PathHandler, HandlerTimes>>;
  /** Module load of each function's entry bundle during init, ms, by function name. */
  readonly moduleLoadMs: Readonly<Record<string, number>>;
  readonly platform: PlatformTimes;
  /** The account's rate for API-created calls (the agent legs). */
  readonly callsPerSecond: number;
}

/**
 * `idle`: no environment exists but the provisioned ones (initialised, never invoked, no secret cached): the first
 * call after a quiet period. `warm`: every function has an environment per caller that has served calls before.
 */
export type StartState = 'idle' | 'warm';

/**
 * When the agent leg's own status callbacks reach the stack. Twilio does not say how far its `ringing` and
 * `answered` callbacks run ahead of the App's Voice URL request; the events handler answers them after reading the
 * conference (one Twilio REST round trip), holding a Lambda environment (one request each) meanwhile.
 * `behind`: they arrive once the agent webhook is served (best case). `ahead`: one arrives at the same instant,
 * just ahead of the agent webhook, and takes the free environment of the function that serves events (worst case:
 * where that function also serves the agent, the agent webhook needs another environment, cold after idle).
 */
export type LegCallbacks = 'behind' | 'ahead';

/** One caller's way to the agent. */
export interface CallerOutcome {
  /** First inbound webhook request to the agent receiving `start`. */
  readonly timeToAgentMs: number;
  /** Caller's participant-join to the agent leg answering: what the TimeToAgent metric measures. */
  readonly joinToAgentMs: number;
  /** Where the time went; the parts add up to timeToAgentMs. */
  readonly parts: Readonly<Record<Part, number>>;
  /** Cold starts on this caller's way. */
  readonly coldStarts: number;
}

export interface FlowResult {
  /** In arrival order. */
  readonly callers: readonly CallerOutcome[];
  /** Environments each function ended up with (provisioned ones included). */
  readonly environments: Readonly<Record<string, number>>;
  /** Most environments busy at one instant, over all functions (what counts against account concurrency). */
  readonly peakConcurrency: number;
}

interface Environment {
  readonly fn: string;
  busyUntil: number;
  readonly ran: Set<PathHandler>;
  readonly secrets: Set<string>;
  twilioConnected: boolean;
}

type Stage = 'inbound' | 'events' | 'accepted' | 'legStatus' | 'agent';
const STAGE_ORDER: Readonly<Record<Stage, number>> = { inbound: 0, events: 1, accepted: 2, legStatus: 3, agent: 4 };

interface Pending {
  readonly at: number;
  readonly caller: number;
  readonly stage: Stage;
}

function earlier(a: Pending, b: Pending): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.caller !== b.caller) return a.caller < b.caller;
  return STAGE_ORDER[a.stage] < STAGE_ORDER[b.stage];
}

/** A binary heap of pending steps, earliest first (stable for equal times: caller, then stage). */
class Agenda {
  private readonly items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  push(item: Pending): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!earlier(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }
  pop(): Pending {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as Pending;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && earlier(a[l], a[m])) m = l;
        if (r < a.length && earlier(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

/** Runs callers arriving at `arrivalsMs` through `layout`, from `start`. */
export function simulateCalls(
  inputs: CallFlowInputs,
  layout: FunctionLayout,
  arrivalsMs: readonly number[],
  start: StartState,
  legCallbacks: LegCallbacks = 'behind',
): FlowResult {
  if (!(inputs.callsPerSecond > 0)) throw new Error('callsPerSecond must be positive');
  const p = inputs.platform;
  const functions = [...new Set(Object.values(layout.functionOf))];
  const pools = new Map<string, Environment[]>(functions.map((fn) => [fn, []]));
  const busy: { from: number; to: number }[] = [];
  for (const fn of functions) {
    const ready =
      start === 'warm' ? Math.max(arrivalsMs.length, layout.provisioned[fn] ?? 0) : (layout.provisioned[fn] ?? 0);
    const handlersOfFn = (Object.keys(layout.functionOf) as PathHandler[]).filter((h) => layout.functionOf[h] === fn);
    for (let i = 0; i < ready; i++) {
      pools.get(fn)?.push({
        fn,
        busyUntil: Number.NEGATIVE_INFINITY,
        ran: new Set(start === 'warm' ? handlersOfFn : []),
        secrets: new Set(start === 'warm' ? handlersOfFn.flatMap((h) => inputs.handlers[h].secrets) : []),
        twilioConnected: start === 'warm',
      });
    }
  }

  const parts = arrivalsMs.map(() => Object.fromEntries(PARTS.map((k) => [k, 0])) as Record<Part, number>);
  const coldStarts = arrivalsMs.map(() => 0);
  const callerJoinedAt: number[] = [];
  const outcomes: CallerOutcome[] = [];
  let nextSlot = Number.NEGATIVE_INFINITY;
  const slotMs = 1000 / inputs.callsPerSecond;

  /**
   * Invokes the function serving `handler` at `at`; returns when its work (and any REST answer) is done. A leg's
   * status callback is off the caller's way: it holds an environment (its handler, then a conference read) but
   * adds nothing to the caller's wait.
   */
  const invoke = (
    handler: PathHandler,
    at: number,
    caller: number,
    legStatus = false,
  ): { end: number; accepted?: number } => {
    const fn = layout.functionOf[handler];
    const pool = pools.get(fn) as Environment[];
    let env = pool.find((e) => e.busyUntil <= at);
    let init = 0;
    if (!env) {
      env = { fn, busyUntil: at, ran: new Set(), secrets: new Set(), twilioConnected: false };
      pool.push(env);
      init = p.envCreateMs + p.runtimeInitMs + inputs.moduleLoadMs[fn];
      if (!legStatus) coldStarts[caller]++;
    }
    const h = inputs.handlers[handler];
    let work = h.warmMs;
    if (!env.ran.has(handler)) work += h.firstInvokeExtraMs + (layout.lazyHandlerModules ? h.lazyModuleLoadMs : 0);
    env.ran.add(handler);
    for (const secret of h.secrets) {
      if (env.secrets.has(secret)) continue;
      work += p.secretFetchMs;
      env.secrets.add(secret);
    }
    const readsTwilio = h.createsAgent || legStatus;
    if (readsTwilio && !env.twilioConnected) {
      work += p.twilioTlsSetupMs;
      env.twilioConnected = true;
    }
    const end = at + init + work;
    if (legStatus) {
      // Its conference read: a Twilio REST round trip, taken as long as the Participants create's.
      env.busyUntil = end + p.restCreateMs;
      busy.push({ from: at, to: env.busyUntil });
      return { end };
    }
    parts[caller].lambdaInit += init;
    parts[caller].handlers += work;
    const accepted = h.createsAgent ? end + p.restCreateMs : undefined;
    env.busyUntil = accepted ?? end;
    busy.push({ from: at, to: env.busyUntil });
    return { end, ...(accepted !== undefined && { accepted }) };
  };

  /** A webhook leaves Twilio at `at`: network and API Gateway until the function is invoked. */
  const webhook = (caller: number, at: number): number => {
    parts[caller].twilio += p.webhookNetworkMs;
    parts[caller].apiGateway += p.apiGatewayMs;
    return at + p.webhookNetworkMs + p.apiGatewayMs;
  };

  const agenda = new Agenda();
  arrivalsMs.forEach((at, caller) => {
    agenda.push({ at: webhook(caller, at), caller, stage: 'inbound' });
  });
  while (agenda.size > 0) {
    const { at, caller, stage } = agenda.pop();
    if (stage === 'inbound') {
      const { end } = invoke('inbound', at, caller);
      parts[caller].twilio += p.conferenceJoinMs;
      callerJoinedAt[caller] = end + p.conferenceJoinMs;
      agenda.push({ at: webhook(caller, callerJoinedAt[caller]), caller, stage: 'events' });
    } else if (stage === 'events') {
      const { accepted } = invoke('events', at, caller);
      parts[caller].twilio += p.restCreateMs;
      agenda.push({ at: accepted as number, caller, stage: 'accepted' });
    } else if (stage === 'accepted') {
      // Twilio's CPS queue: each API-created call takes the next free slot, 1/cps after the previous one.
      const slot = Math.max(at, nextSlot);
      nextSlot = slot + slotMs;
      parts[caller].queue += slot - at;
      parts[caller].twilio += p.appDialMs;
      const agentWebhookAt = webhook(caller, slot + p.appDialMs);
      if (legCallbacks === 'ahead') agenda.push({ at: agentWebhookAt, caller, stage: 'legStatus' });
      agenda.push({ at: agentWebhookAt, caller, stage: 'agent' });
    } else if (stage === 'legStatus') {
      invoke('events', at, caller, true);
    } else {
      const { end } = invoke('agent', at, caller);
      parts[caller].twilio += p.streamConnectMs;
      outcomes[caller] = {
        timeToAgentMs: end + p.streamConnectMs - arrivalsMs[caller],
        joinToAgentMs: end - callerJoinedAt[caller],
        parts: parts[caller],
        coldStarts: coldStarts[caller],
      };
    }
  }
  return {
    callers: outcomes,
    environments: Object.fromEntries(functions.map((fn) => [fn, pools.get(fn)?.length ?? 0])),
    peakConcurrency: peakOverlap(busy),
  };
}

/** The most intervals open at one instant (an interval ending at t does not overlap one starting at t). */
function peakOverlap(intervals: readonly { from: number; to: number }[]): number {
  const edges = intervals.flatMap((i) => [
    { t: i.from, d: 1 },
    { t: i.to, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let peak = 0;
  for (const e of edges) {
    open += e.d;
    peak = Math.max(peak, open);
  }
  return peak;
}
