/**
 * Conference status callbacks, the status callbacks of the legs the stack dials, and the agent TwiML's
 * `<Connect action>` (an AI's handoff to a human: `agent-ended.ts`). When the caller joins their
 * conference the AI agent is dialled through the TwiML App with the caller's context; from then on every signal
 * that could leave the caller alone (an agent leg busy, failed, unanswered or dropped; a transfer target who never
 * answers; the caller leaving while a leg is on its way) goes through the recovery policy (`policy.ts`), which
 * reads who is in the conference and answers with the next rung: the agent again, the fallback target, or the
 * fallback message and a deliberate end. REST calls are awaited before returning: a frozen Lambda never sends them.
 */
import { type AgentContext, fitContext } from '../shared/agent-context';
import { decodeEventsQuery, decodeLegState, type LegState, STACK_PARAMETERS } from '../shared/call-state';
import {
  once,
  readDialConfig,
  readHandoffConfig,
  readRecoveryConfig,
  readTransferConfig,
  readTwilioConfig,
  readWebhookConfig,
} from '../shared/config';
import { ConferenceOperations } from '../shared/conference-ops';
import { emptyResponse, type FormParams, formValue, type HttpRequest, textResponse } from '../shared/http';
import { isCallSid, isConferenceSid } from '../shared/identifiers';
import type { Logger } from '../shared/log';
import { metrics } from '../shared/metrics';
import { twilioClientFor } from '../shared/runtime';
import { routeUrl } from '../shared/signature';
import { twilioWebhook } from '../shared/webhook';
import { TWILIO_PATHS } from '../routes';
import { agentEnded } from './agent-ended';
import { onCallerLeft, onHumanLeft, onLegStatus, parseCallStatus, roleOf } from './policy';
import { CallRecovery } from './recovery';

const loadConfig = once(() => {
  const dial = readDialConfig(process.env);
  return {
    twilio: readTwilioConfig(process.env),
    webhook: readWebhookConfig(process.env),
    dial,
    recovery: readRecoveryConfig(process.env, dial.allowedTargets),
    handoff: readHandoffConfig(process.env, dial.allowedTargets),
    transfer: readTransferConfig(process.env),
  };
});

type Config = ReturnType<typeof loadConfig>;

/** A Twilio `Timestamp` (RFC 2822 or ISO 8601) in ms, or undefined. */
function timestampOf(params: FormParams): number | undefined {
  const value = formValue(params, 'Timestamp');
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

async function recoveryFor(request: HttpRequest, config: Config, log: Logger): Promise<CallRecovery> {
  return (await openCall(request, config, log)).recovery;
}

/** The REST operations and the recovery of one call. */
async function openCall(
  request: HttpRequest,
  config: Config,
  log: Logger,
): Promise<{ ops: ConferenceOperations; recovery: CallRecovery }> {
  const ops = new ConferenceOperations(await twilioClientFor(config.twilio, log), log, {
    budgetMs: config.dial.retryBudgetMs,
  });
  const recovery = new CallRecovery(
    ops,
    {
      dial: config.dial,
      recovery: config.recovery,
      legStatusUrl: routeUrl(request, config.webhook, TWILIO_PATHS.legStatus),
    },
    log,
    metrics(),
  );
  return { ops, recovery };
}

export const handler = twilioWebhook('events', loadConfig, async ({ request, params, config, log }) => {
  if (request.rawPath.endsWith(TWILIO_PATHS.legStatus)) return legStatus(request, params, config, log);
  if (request.rawPath.endsWith(TWILIO_PATHS.agentEnded))
    return agentEnded({ request, params, config, log, open: () => openCall(request, config, log) });

  const query = decodeEventsQuery(request.rawQueryString);
  if (query.action === 'complete-cold-transfer') {
    // A participant-level callback from the human's leg of a cold transfer.
    const callStatus = formValue(params, 'CallStatus');
    log.info('cold transfer target status', { callStatus });
    if (callStatus === 'in-progress') {
      const ops = new ConferenceOperations(await twilioClientFor(config.twilio, log), log, {
        budgetMs: config.dial.retryBudgetMs,
      });
      const removed = await ops.removeAgents(query.conferenceSid, query.agentLabel);
      log.info('cold transfer completed', { conferenceSid: query.conferenceSid, agentRemoved: removed.length > 0 });
    }
    return emptyResponse(204);
  }

  const event = formValue(params, 'StatusCallbackEvent');
  const label = formValue(params, 'ParticipantLabel');
  const reason = formValue(params, 'ReasonParticipantLeft') ?? formValue(params, 'ReasonConferenceEnded');
  log.info('conference event', { event, label, sequence: formValue(params, 'SequenceNumber'), reason });
  if (event !== 'participant-join' && event !== 'participant-leave') return emptyResponse(204);
  const conferenceSid = formValue(params, 'ConferenceSid') ?? '';
  const callSid = formValue(params, 'CallSid') ?? '';
  if (!isConferenceSid(conferenceSid) || !isCallSid(callSid))
    return textResponse(400, 'Bad Request: ConferenceSid or CallSid missing or malformed');
  const role = roleOf(
    label,
    { caller: config.dial.callerLabel, agent: config.dial.agentLabel },
    { muted: formValue(params, 'Muted') === 'true', coaching: formValue(params, 'Coaching') === 'true' },
  );
  const write = metrics();

  if (event === 'participant-join') {
    if (role === 'human') write.count('TransferOutcomes', { Outcome: 'answered' });
    if (role !== 'caller') return emptyResponse(204);
    write.count('CallsStarted');
    if (!config.dial.autoAddAgent) return emptyResponse(204);
    const context = agentContext(callSid, query.caller, query.callToken, params, log);
    const recovery = await recoveryFor(request, config, log);
    await recovery.dial({
      leg: 'agent',
      attempt: 1,
      conferenceSid,
      callerCallSid: callSid,
      callerJoinedAt: timestampOf(params),
      attended: false,
      context,
    });
    return emptyResponse(204);
  }

  // participant-leave
  if (role === 'caller') {
    const decision = onCallerLeft(formValue(params, 'EndConferenceOnExit') !== 'false');
    if (decision.actions.length > 0) {
      const recovery = await recoveryFor(request, config, log);
      await recovery.apply(decision, agentStateFromConference(conferenceSid, callSid, query, params, log));
    }
    return emptyResponse(204);
  }
  if (role !== 'human') {
    // The leg's own status callback (with the attempt count in its URL) decides what follows.
    return emptyResponse(204);
  }
  const recovery = await recoveryFor(request, config, log);
  const live = await recovery.live(conferenceSid, callSid);
  const decision = onHumanLeft(
    formValue(params, 'ReasonParticipantLeft'),
    formValue(params, 'ParticipantCallStatus'),
    live,
  );
  const callerCallSid = query.callerCallSid ?? '';
  if (!isCallSid(callerCallSid)) {
    log.warn('conference callback without the caller context: nothing to recover with', {});
    for (const point of decision.metrics) write.record(point);
    return emptyResponse(204);
  }
  await recovery.apply(decision, agentStateFromConference(conferenceSid, callerCallSid, query, params, log));
  return emptyResponse(204);
});

/**
 * The agent's context: the caller's call, conference and number, and the CallToken a handoff needs to present the
 * caller's number. The caller ID comes from the caller (a SIP From can be long or odd) and a token with a SHAKEN
 * PASSporT is over Twilio's `<Parameter>` limit: what does not fit is left out (and logged by name) rather than
 * keeping the agent out of the call; the token comes last.
 */
function agentContext(
  callerCallSid: string,
  caller: string | undefined,
  callToken: string | undefined,
  params: FormParams,
  log: Logger,
): AgentContext {
  const { context, dropped } = fitContext(
    {
      caller: caller ?? '',
      callerCallSid,
      conference: formValue(params, 'FriendlyName') ?? '',
      ...(callToken !== undefined && { [STACK_PARAMETERS.callToken]: callToken }),
    },
    ['callerCallSid', 'conference', 'caller', STACK_PARAMETERS.callToken],
  );
  const over = dropped.filter((name) => name !== STACK_PARAMETERS.callToken);
  if (over.length > 0) log.warn('agent context values dropped (over Twilio limits)', { dropped: over });
  if (over.length < dropped.length)
    log.info("the CallToken does not fit the agent's context: a handoff presents the stack's number", {});
  return context;
}

/**
 * The recovery state of the call's agent leg (first attempt, attended), built from a conference callback: what a
 * recovery started by a conference event (the caller or a human left) acts on.
 */
function agentStateFromConference(
  conferenceSid: string,
  callerCallSid: string,
  query: { caller?: string; callToken?: string },
  params: FormParams,
  log: Logger,
): LegState {
  const context = agentContext(callerCallSid, query.caller, query.callToken, params, log);
  return { leg: 'agent', attempt: 1, conferenceSid, callerCallSid, attended: true, context };
}

/** A status callback of a leg the stack dialled (agent or fallback target). */
async function legStatus(request: HttpRequest, params: FormParams, config: Config, log: Logger) {
  const state = decodeLegState(request.rawQueryString);
  const status = parseCallStatus(formValue(params, 'CallStatus'));
  const legCallSid = formValue(params, 'CallSid') ?? '';
  if (state === undefined || status === undefined || !isCallSid(legCallSid))
    return textResponse(400, 'Bad Request: not a leg status callback of this stack');
  log.info('leg status', {
    leg: state.leg,
    attempt: state.attempt,
    status,
    sequence: formValue(params, 'SequenceNumber'),
  });
  // `queued` and `initiated` tell nothing `ringing` or `answered` will not tell a moment later (while the leg can
  // still be stopped): the stack does not ask for them (LEG_STATUS_EVENTS), and one that arrives anyway is logged,
  // not looked into.
  if (status === 'queued' || status === 'initiated') return emptyResponse(204);
  const recovery = await recoveryFor(request, config, log);
  const live = await recovery.live(state.conferenceSid, legCallSid);
  await recovery.apply(onLegStatus(state, status, live, config.recovery, timestampOf(params)), state, legCallSid);
  return emptyResponse(204);
}
