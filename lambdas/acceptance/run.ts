/**
 * The acceptance call: checks that the stack's Twilio configuration is its own, places a real call to the stack's
 * number, follows it through Twilio's records and the participants API until the agent has held its media for a
 * while, then hangs up every leg it created, whatever happened (a failure, its own time-out, an abort). A failed
 * run names the step and its likeliest cause, from Twilio's Debugger alerts about the call.
 *
 * All I/O goes through the ports of records.ts, so the CLI, the sandbox and a scheduled canary run this same code.
 */
import {
  credentialsCause,
  appDrift,
  diagnose,
  dialRefusalCause,
  FINAL_STATUSES,
  findRoles,
  numberDrift,
  participantsApiCause,
  pickInboundLeg,
  relevantAlerts,
  sanitizeAlert,
  STEPS,
  type StepId,
} from './judge';
import { type AcceptanceTarget, type AcceptanceTimes, DEFAULT_TIMES, testCallRequest } from './plan';
import type { AlertInfo, CallLeg, Clock, ParticipantsApi, TwilioRecords } from './records';
import type { Milestone, Observations } from './timeline';

/** What the acceptance call runs on. */
export interface AcceptanceIo {
  readonly twilio: TwilioRecords;
  readonly api: ParticipantsApi;
  readonly clock: Clock;
  /** Receives each step's outcome as it happens. */
  readonly progress?: (step: StepOutcome) => void;
}

/** One step's outcome. */
export interface StepOutcome {
  readonly id: StepId;
  readonly title: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Milliseconds since the run started. */
  readonly atMs: number;
}

/** A leg the run created (the test call) or caused (its inbound leg), and how it ended. */
export interface LegOutcome {
  readonly sid: string;
  readonly role: 'test call' | 'inbound leg';
  readonly status: string;
}

/** The outcome of an acceptance call. */
export interface AcceptanceResult {
  readonly ok: boolean;
  readonly steps: readonly StepOutcome[];
  readonly failure?: {
    readonly step: StepId;
    readonly title: string;
    readonly cause: string;
    readonly alerts: readonly AlertInfo[];
  };
  readonly observations: Observations;
  /** After the hang-up: every leg the run created or caused, with its last status. */
  readonly legs: readonly LegOutcome[];
}

/** A step that failed, with what the run saw; `diagnose` asks for Twilio's alerts to name the cause. */
class StepFailure extends Error {
  constructor(
    readonly step: StepId,
    readonly observed: string,
    readonly diagnose = false,
  ) {
    super(observed);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Places and follows one acceptance call; never throws: every outcome is in the result. */
export async function runAcceptanceCall(
  target: AcceptanceTarget,
  io: AcceptanceIo,
  times: AcceptanceTimes = DEFAULT_TIMES,
  signal?: AbortSignal,
): Promise<AcceptanceResult> {
  const { twilio, clock } = io;
  const started = clock.now();
  const steps: StepOutcome[] = [];
  const obs: Observations = { seenMs: {} };
  const family = new Set<string>();
  let dialledAt = started;
  let current: StepId = 'credentials';

  const record = (id: StepId, ok: boolean, detail: string) => {
    const outcome = { id, title: STEPS[id], ok, detail, atMs: clock.now() - started };
    steps.push(outcome);
    io.progress?.(outcome);
  };
  const pass = (id: StepId, detail: string) => {
    record(id, true, detail);
    const order = Object.keys(STEPS) as StepId[];
    current = order[order.indexOf(id) + 1] ?? id;
  };
  const seen = (m: Milestone) => {
    obs.seenMs[m] ??= clock.now() - dialledAt;
  };
  const abortCheck = () => {
    if (signal?.aborted) throw new StepFailure(current, `interrupted (${String(signal.reason ?? 'aborted')})`);
  };

  let failure: AcceptanceResult['failure'];
  try {
    // 1. Credentials and drift: nothing is dialled when the number would not reach the stack.
    let number: Awaited<ReturnType<TwilioRecords['findNumber']>>;
    try {
      number = await twilio.findNumber(target.phoneNumber);
    } catch (error) {
      throw new StepFailure('credentials', credentialsCause(error));
    }
    pass('credentials', 'IncomingPhoneNumbers read');
    if (!number) throw new StepFailure('number', `${target.phoneNumber} is not a number of this Twilio account`);
    const drift = numberDrift(number, target);
    if (drift.length > 0)
      throw new StepFailure(
        'number',
        `drift: ${target.phoneNumber} ${drift.join('; ')}. Someone changed it outside Pulumi (Console, another stack): \`pulumi up --stack ${target.stack}\` restores it`,
      );
    pass('number', `${target.phoneNumber} -> ${target.webhooks.inbound}`);
    if (target.twimlAppSid) {
      const app = await twilio.fetchApp(target.twimlAppSid);
      if (!app) throw new StepFailure('app', `TwiML App ${target.twimlAppSid} does not exist on this account`);
      const appProblems = appDrift(app, target);
      if (appProblems.length > 0)
        throw new StepFailure(
          'app',
          `drift: TwiML App ${app.sid} ${appProblems.join('; ')}: \`pulumi up --stack ${target.stack}\` restores it`,
        );
      pass('app', `${app.sid} -> ${target.webhooks.agent}`);
    }
    abortCheck();

    // 2. The test call.
    dialledAt = clock.now();
    let outbound: CallLeg;
    try {
      outbound = await twilio.createCall(testCallRequest(target, times));
    } catch (error) {
      throw new StepFailure('dial', dialRefusalCause(error, target));
    }
    obs.outbound = outbound;
    family.add(outbound.sid);
    seen('created');
    pass('dial', `${outbound.sid} from ${target.from} to ${target.phoneNumber}, TimeLimit ${times.timeLimitSeconds} s`);

    // 3. Follow it until the agent has held its media, the call ends, or the deadline passes.
    await follow(target, io, times, obs, family, { seen, pass, abortCheck, dialledAt, signal });

    // 4. The stack's own API sees the same conference, with its token.
    const conference = obs.conference!;
    let answer: Awaited<ReturnType<ParticipantsApi['list']>>;
    try {
      answer = await io.api.list(conference.friendlyName);
    } catch (error) {
      throw new StepFailure(
        'participantsApi',
        `the participants API at ${target.apiBaseUrl} could not be reached: ${(error as Error).message}`,
      );
    }
    const apiProblem = participantsApiCause(answer.status, answer.labels, target);
    if (apiProblem) throw new StepFailure('participantsApi', apiProblem);
    pass('participantsApi', `GET /conferences/${conference.friendlyName}/participants: ${answer.labels.join(', ')}`);
  } catch (error) {
    const f =
      error instanceof StepFailure
        ? error
        : new StepFailure(current, `unexpected error: ${(error as Error).message ?? String(error)}`, true);
    failure = { step: f.step, title: STEPS[f.step], cause: f.observed, alerts: [] };
    // Twilio's alerts can only explain a call that was placed.
    if (f.diagnose && obs.outbound) {
      // Hang up first (the call costs money while we read the Debugger), then ask Twilio why.
      const legs = await hangUp(twilio, clock, obs, times);
      const found = await readAlerts(twilio, clock, times, obs, family, target, dialledAt, signal);
      const verdict = diagnose({ step: f.step, observed: f.observed, alerts: found, target });
      failure = {
        step: verdict.step,
        title: STEPS[verdict.step],
        cause: verdict.cause,
        alerts: verdict.alerts.map(sanitizeAlert),
      };
      record(failure.step, false, failure.cause);
      return finish(legs);
    }
    record(failure.step, false, failure.cause);
  }
  return finish(await hangUp(twilio, clock, obs, times));

  function finish(legs: LegOutcome[]): AcceptanceResult {
    if (legs.length > 0) {
      const live = legs.filter((l) => !FINAL_STATUSES.has(l.status));
      const detail = legs.map((l) => `${l.role} ${l.sid} ${l.status}`).join(', ');
      if (live.length > 0) {
        record('hangUp', false, `still live after the hang-up: ${detail}; TimeLimit ends them`);
        failure ??= { step: 'hangUp', title: STEPS.hangUp, cause: `still live: ${detail}`, alerts: [] };
      } else record('hangUp', true, detail);
    }
    return { ok: failure === undefined, steps, failure, observations: obs, legs };
  }
}

interface FollowHooks {
  readonly seen: (m: Milestone) => void;
  readonly pass: (id: StepId, detail: string) => void;
  readonly abortCheck: () => void;
  readonly dialledAt: number;
  readonly signal?: AbortSignal;
}

/** Reads Twilio's records until the agent held its media; throws a StepFailure (to diagnose) otherwise. */
async function follow(
  target: AcceptanceTarget,
  io: AcceptanceIo,
  times: AcceptanceTimes,
  obs: Observations,
  family: Set<string>,
  hooks: FollowHooks,
): Promise<void> {
  const { twilio, clock } = io;
  const { seen, pass } = hooks;
  const deadline = hooks.dialledAt + times.agentDeadlineSeconds * 1000;
  const passed = new Set<StepId>();
  const once = (id: StepId, detail: () => string) => {
    if (passed.has(id)) return;
    passed.add(id);
    pass(id, detail());
  };
  let agentSince: number | undefined;
  let agentSid: string | undefined;
  const waiting = (): StepId =>
    (['answered', 'inbound', 'agentJoined', 'agentMedia'] as const).find((s) => !passed.has(s)) ?? 'agentMedia';

  for (;;) {
    hooks.abortCheck();
    const outbound = await twilio.fetchCall(obs.outbound!.sid);
    obs.outbound = outbound;
    if (outbound.status === 'in-progress') seen('answered');

    if (!obs.inbound) {
      obs.inbound = pickInboundLeg(await twilio.listCalls({ to: target.phoneNumber, from: target.from }), outbound);
      if (obs.inbound) {
        family.add(obs.inbound.sid);
        seen('inboundLeg');
      }
    } else if (obs.inbound.startTime === null || !FINAL_STATUSES.has(obs.inbound.status)) {
      obs.inbound = await twilio.fetchCall(obs.inbound.sid);
    }
    if (obs.inbound?.status === 'in-progress') seen('inboundAnswered');
    if (outbound.status === 'in-progress' && obs.inbound)
      once('answered', () => `${obs.inbound!.sid} arrived on ${target.phoneNumber}; test call in progress`);

    if (obs.inbound && !obs.conference) {
      const [conference] = await twilio.findConferences(target.conferencePrefix + obs.inbound.sid);
      if (conference) {
        obs.conference = conference;
        family.add(conference.sid);
        seen('conference');
      }
    }
    if (obs.conference && obs.inbound) {
      const participants = await twilio.listParticipants(obs.conference.sid);
      for (const p of participants) family.add(p.callSid);
      const { caller, agent } = findRoles(participants, obs.inbound.sid, target.agentLabel);
      if (caller) {
        obs.caller ??= caller;
        seen('callerJoined');
        // A caller in the conference has reached the number, whatever the test call's status read a moment ago.
        once('answered', () => `${obs.inbound!.sid} arrived on ${target.phoneNumber}`);
        once(
          'inbound',
          () => `${obs.inbound!.sid} in ${obs.conference!.friendlyName} (${obs.conference!.sid}) as "${caller.label}"`,
        );
      }
      if (agent) {
        obs.agent = agent;
        seen('agentAdded');
      }
      if (agent?.status === 'connected') {
        if (agentSid !== undefined && agentSid !== agent.callSid)
          // The stack's recovery dialled the agent again: the first leg dropped between two reads.
          throw new StepFailure(
            'agentMedia',
            `the agent leg ${agentSid} was replaced by ${agent.callSid} after ${seconds(clock.now() - agentSince!)}: the first one dropped and the stack dialled the agent again`,
            true,
          );
        if (agentSid === undefined) {
          agentSid = agent.callSid;
          agentSince = clock.now();
        }
        seen('agentConnected');
        if (obs.agentCall?.sid !== agent.callSid || obs.agentCall.startTime === null)
          obs.agentCall = await twilio.fetchCall(agent.callSid);
        if (obs.agentCall.startTime !== null) seen('agentAnswered');
        once('agentJoined', () => `${agent.callSid} "${agent.label}" connected to ${obs.conference!.friendlyName}`);
        if (clock.now() - agentSince! >= times.mediaHoldSeconds * 1000) {
          seen('mediaHeld');
          once(
            'agentMedia',
            () =>
              `${agent.callSid} stayed connected for ${seconds(clock.now() - agentSince!)} (the stack hangs the agent leg up as soon as its stream or session ends; the media itself is not in Twilio's records)`,
          );
          return;
        }
      } else if (agentSid !== undefined) {
        throw new StepFailure(
          'agentMedia',
          `the agent leg ${agentSid} left the conference after ${seconds(clock.now() - agentSince!)}, before the ${times.mediaHoldSeconds} s hold`,
          true,
        );
      }
    }

    if (FINAL_STATUSES.has(outbound.status))
      throw new StepFailure(
        waiting(),
        `the test call ended (${outbound.status}) while waiting for: ${STEPS[waiting()]}`,
        true,
      );
    if (clock.now() >= deadline)
      throw new StepFailure(
        waiting(),
        `no progress within ${times.agentDeadlineSeconds} s of the dial: still waiting for: ${STEPS[waiting()]}`,
        true,
      );
    await clock.sleep(times.pollMs, hooks.signal).catch(() => undefined);
  }
}

/** Hangs up the legs the run created or caused and waits (briefly) for their final status. */
async function hangUp(
  twilio: TwilioRecords,
  clock: Clock,
  obs: Observations,
  times: AcceptanceTimes,
): Promise<LegOutcome[]> {
  const legs: { sid: string; role: LegOutcome['role'] }[] = [];
  if (obs.outbound) legs.push({ sid: obs.outbound.sid, role: 'test call' });
  if (obs.inbound) legs.push({ sid: obs.inbound.sid, role: 'inbound leg' });
  const status = new Map<string, string>();
  const read = async (sid: string) => {
    status.set(sid, (await twilio.fetchCall(sid).catch(() => undefined))?.status ?? status.get(sid) ?? 'unknown');
  };
  for (const leg of legs) {
    await read(leg.sid);
    if (!FINAL_STATUSES.has(status.get(leg.sid)!))
      await twilio.hangUp(leg.sid).then(
        (after) => status.set(leg.sid, after.status),
        () => undefined,
      );
  }
  // Hanging up one end of a call to one's own number ends the other; Twilio reports it a moment later.
  const until = clock.now() + times.hangUpWaitSeconds * 1000;
  while (legs.some((l) => !FINAL_STATUSES.has(status.get(l.sid)!)) && clock.now() < until) {
    await clock.sleep(Math.min(times.pollMs, 250));
    for (const leg of legs) if (!FINAL_STATUSES.has(status.get(leg.sid)!)) await read(leg.sid);
  }
  for (const leg of legs)
    if (!FINAL_STATUSES.has(status.get(leg.sid)!))
      await twilio.hangUp(leg.sid).then(
        (after) => status.set(leg.sid, after.status),
        () => undefined,
      );
  return legs.map((l) => ({ ...l, status: status.get(l.sid)! }));
}

/** Twilio's alerts about this run, waiting a while for them to appear (Monitor lists them after the fact). */
async function readAlerts(
  twilio: TwilioRecords,
  clock: Clock,
  times: AcceptanceTimes,
  obs: Observations,
  family: ReadonlySet<string>,
  target: AcceptanceTarget,
  dialledAt: number,
  signal?: AbortSignal,
): Promise<ReturnType<typeof relevantAlerts>> {
  const since = new Date((obs.outbound?.dateCreated?.getTime() ?? dialledAt) - 1000);
  const until = clock.now() + times.alertWaitSeconds * 1000;
  for (;;) {
    const alerts = await twilio.listAlerts(since).catch(() => []);
    const found = relevantAlerts(alerts, family, since, target.apiBaseUrl);
    if (found.own.length + found.during.length > 0 || clock.now() >= until || signal?.aborted) return found;
    await clock.sleep(Math.max(times.pollMs, 2000)).catch(() => undefined);
  }
}
