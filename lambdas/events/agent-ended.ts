/**
 * The agent TwiML's `<Connect action>`: Twilio requests it when the agent's Media Stream or ConversationRelay
 * session ends (TwiML `<Connect>`), with the query the agent handler put on it (the call's context and, when it
 * fitted, the inbound call's CallToken). What the agent leg does next:
 *
 * - the agent ended a ConversationRelay session with a well-formed handoff (`HandoffData`, see `handoff.ts`): the
 *   transfer the participants API performs (`lambdas/shared/transfer.ts`). Cold: the agent leg hangs up and the
 *   human is dialled. Warm: the caller is held, the human dialled, and the agent leg is sent back to the agent
 *   (`handoff=warm`) to brief the human; when that briefing session ends, the caller is taken off hold and the agent
 *   leaves;
 * - a handoff the stack cannot follow (malformed, unknown queue, target off the allow-list, Twilio refused the
 *   transfer): the fallback rungs of the recovery (`onHandoffFailed`): fallback target, else message;
 * - no handoff: the leg hangs up, and its status callback brings the recovery (the agent again with its context).
 */
import { type AgentCall, briefingQuery, decodeAgentEnded } from '../shared/call-state';
import type {
  DialConfig,
  HandoffConfig,
  RecoveryConfig,
  TransferConfig,
  TwilioConfig,
  WebhookConfig,
} from '../shared/config';
import type { ConferenceOperations } from '../shared/conference-ops';
import {
  type FormParams,
  formValue,
  type HttpRequest,
  type HttpResponse,
  textResponse,
  xmlResponse,
} from '../shared/http';
import { isE164 } from '../shared/identifiers';
import { type Logger, maskPhone } from '../shared/log';
import { routeUrl } from '../shared/signature';
import { completeWarmTransfer, startTransfer, type TransferSettings } from '../shared/transfer';
import { hangupTwiml, redirectTwiml } from '../shared/twiml';
import { describeError } from '../shared/webhook';
import { TWILIO_PATHS } from '../routes';
import { parseHandoffData, resolveHandoff, type HandoffRequest } from './handoff';
import { onHandoffFailed } from './policy';
import { ACTIVE_STATUSES, type CallRecovery } from './recovery';

/** What the route needs: the events function's configuration and, on demand, its REST operations and recovery. */
export interface AgentEndedInput {
  readonly request: HttpRequest;
  readonly params: FormParams;
  readonly log: Logger;
  readonly config: {
    readonly twilio: TwilioConfig;
    readonly webhook: WebhookConfig;
    readonly dial: DialConfig;
    readonly recovery: RecoveryConfig;
    readonly handoff: HandoffConfig;
    readonly transfer: TransferConfig;
  };
  /** The REST operations and the call's recovery (created only when the route acts on the call). */
  readonly open: () => Promise<{ ops: ConferenceOperations; recovery: CallRecovery }>;
}

const hangup = () => xmlResponse(hangupTwiml());

/** The label of the human a handoff dials (the participants API's default too). */
export const HANDOFF_LABEL = 'human';
/**
 * The conference's SID when the handoff's human is in it (or still being dialled); undefined when the human is
 * gone or the conference has ended.
 */
async function conferenceWithHuman(
  ops: ConferenceOperations,
  conference: string,
  log: Logger,
): Promise<string | undefined> {
  try {
    const conferenceSid = await ops.resolveConferenceSid(conference);
    const participants = await ops.listParticipants(conferenceSid);
    return participants.some((p) => p.label === HANDOFF_LABEL && ACTIVE_STATUSES.has(p.status))
      ? conferenceSid
      : undefined;
  } catch (error) {
    log.info('the conference has ended: no briefing to complete', { error: describeError(error) });
    return undefined;
  }
}

/** Serves `POST /twilio/voice/agent-ended`. */
export async function agentEnded({ request, params, config, log, open }: AgentEndedInput): Promise<HttpResponse> {
  if (formValue(params, 'AccountSid') !== config.twilio.accountSid)
    return textResponse(403, 'Forbidden: call from another account');
  const { briefing, call } = decodeAgentEnded(request.rawQueryString);
  const callStatus = formValue(params, 'CallStatus');
  const handoff = parseHandoffData(formValue(params, 'HandoffData'));
  // HandoffData is the agent's own text (it may hold personal data): only what the stack made of it is logged.
  log.info('agent stream or session ended', {
    callStatus,
    sessionStatus: formValue(params, 'SessionStatus'),
    sessionDuration: formValue(params, 'SessionDuration'),
    handoff: handoff.kind,
    briefing,
  });
  // The call itself ended the session (a hang-up, a removal): Twilio runs no answer on it, and its leg's status
  // callback brings whatever recovery the caller needs.
  if (callStatus === 'completed') return hangup();
  if (!briefing && handoff.kind === 'none') return hangup();
  if (call === undefined) {
    log.warn('agent session ended without the call context on its action URL: the agent leg hangs up', {});
    return hangup();
  }
  const { ops, recovery } = await open();
  const settings: TransferSettings = {
    dial: config.dial,
    transfer: config.transfer,
    eventsUrl: routeUrl(request, config.webhook, TWILIO_PATHS.events),
  };

  if (briefing) {
    // The agent has briefed the human of a warm handoff (whatever its HandoffData says now): complete it, unless
    // the human never came or has left (the caller is then already off hold, and the leg's end brings the agent back).
    const conferenceSid = await conferenceWithHuman(ops, call.conference, log);
    if (conferenceSid === undefined) {
      log.info('warm handoff briefing ended without the human: the recovery takes over', {});
      return hangup();
    }
    const done = await completeWarmTransfer(ops, conferenceSid, settings);
    log.info('warm handoff completed: the caller is back, the agent leaves', { agentRemoved: done.agentRemoved });
    return hangup();
  }

  const problem = await (async () => {
    if (handoff.kind === 'invalid') return handoff.problem;
    if (handoff.kind !== 'handoff') return undefined;
    const resolved = resolveHandoff(handoff.request, config.handoff.queues, config.dial.allowedTargets);
    if (!resolved.ok) return resolved.problem;
    try {
      await transfer(handoff.request, resolved.target, call, ops, settings, config.dial, log);
      return undefined;
    } catch (error) {
      log.warn('handoff transfer failed', { error: describeError(error) });
      return 'transfer failed';
    }
  })();
  if (problem === undefined) {
    if (handoff.kind === 'handoff' && handoff.request.type === 'warm') {
      // The agent stays to brief the human: its leg reconnects to the agent with the same context.
      const agentUrl = routeUrl(request, config.webhook, TWILIO_PATHS.agent);
      return xmlResponse(redirectTwiml(`${agentUrl}?${briefingQuery(request.rawQueryString)}`));
    }
    return hangup();
  }

  log.warn('the agent handoff cannot be followed: the fallback takes over', { problem });
  let conferenceSid: string;
  try {
    conferenceSid = await ops.resolveConferenceSid(call.conference);
  } catch (error) {
    log.info('the conference has ended: nobody to fall back for', { error: describeError(error) });
    return hangup();
  }
  const state = {
    leg: 'agent' as const,
    attempt: 1,
    conferenceSid,
    callerCallSid: call.callerCallSid,
    attended: true,
    context: call.context,
  };
  await recovery.apply(onHandoffFailed(config.recovery), state);
  return hangup();
}

/** Starts the handoff's transfer: cold, the agent's own leg ends; warm, the agent briefs the held caller's human. */
async function transfer(
  request: HandoffRequest,
  target: string,
  call: AgentCall,
  ops: ConferenceOperations,
  settings: TransferSettings,
  dial: DialConfig,
  log: Logger,
): Promise<void> {
  const callerId =
    call.callToken !== undefined && call.caller !== undefined && isE164(call.caller)
      ? { number: call.caller, token: call.callToken }
      : undefined;
  const started = await startTransfer(
    ops,
    call.conference,
    {
      type: request.type,
      target: { address: target },
      label: 'human',
      from: dial.fromNumber,
      removeAgent: 'leg-ends',
      callerId,
    },
    settings,
    log,
  );
  log.info('handoff transfer started', {
    type: request.type,
    destination: request.destination.kind === 'queue' ? `queue:${request.destination.name}` : maskPhone(target),
    humanCallSid: started.human.callSid,
    callerId: started.callerId,
  });
}
