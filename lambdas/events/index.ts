/**
 * Conference status callbacks: when the caller joins their conference the AI agent is added through the
 * TwiML App, with the caller's context; a cold transfer's human answering removes the agent; other events are
 * logged. The REST call is awaited before returning, since a frozen Lambda would never send it.
 */
import { fitContext } from '../shared/agent-context';
import { once, readDialConfig, readTwilioConfig, readWebhookConfig } from '../shared/config';
import { ConferenceOperations } from '../shared/conference-ops';
import { isTwilioFailure, TWILIO } from '../shared/errors';
import { emptyResponse, formValue, textResponse } from '../shared/http';
import { twilioClientFor } from '../shared/runtime';
import { twilioWebhook } from '../shared/webhook';
import { parseEventsQuery } from './query';

const loadConfig = once(() => ({
  twilio: readTwilioConfig(process.env),
  webhook: readWebhookConfig(process.env),
  dial: readDialConfig(process.env),
}));

const CONFERENCE_SID = /^CF[0-9a-fA-F]{32}$/;

export const handler = twilioWebhook('events', loadConfig, async ({ request, params, config, log }) => {
  const query = parseEventsQuery(request.rawQueryString);
  const event = formValue(params, 'StatusCallbackEvent');
  const conferenceSid = formValue(params, 'ConferenceSid');
  const operations = async () =>
    new ConferenceOperations(await twilioClientFor(config.twilio), log, { budgetMs: config.dial.retryBudgetMs });

  if (query.action === 'complete-cold-transfer') {
    // A participant-level callback from the human's leg of a cold transfer.
    const callStatus = formValue(params, 'CallStatus');
    log.info('cold transfer target status', { callStatus });
    if (callStatus === 'in-progress') {
      const removed = await (await operations()).removeParticipant(query.conferenceSid, query.agentLabel, true);
      log.info('cold transfer completed', { conferenceSid: query.conferenceSid, agentRemoved: removed });
    }
    return emptyResponse(204);
  }

  const label = formValue(params, 'ParticipantLabel');
  log.info('conference event', {
    event,
    label,
    sequence: formValue(params, 'SequenceNumber'),
    reason: formValue(params, 'ReasonParticipantLeft') ?? formValue(params, 'ReasonConferenceEnded'),
  });
  if (event !== 'participant-join' || label !== config.dial.callerLabel || !config.dial.autoAddAgent) {
    return emptyResponse(204);
  }
  if (!conferenceSid || !CONFERENCE_SID.test(conferenceSid))
    return textResponse(400, 'Bad Request: ConferenceSid missing or malformed');

  // The caller ID comes from the caller (a SIP From can be long or odd): what is over Twilio's limits is left
  // out (and logged) rather than keeping the agent out of the call.
  const { context, dropped } = fitContext(
    {
      caller: query.caller ?? '',
      callerCallSid: formValue(params, 'CallSid') ?? query.callerCallSid ?? '',
      conference: formValue(params, 'FriendlyName') ?? '',
    },
    ['callerCallSid', 'conference', 'caller'],
  );
  if (dropped.length > 0) log.warn('agent context values dropped (over Twilio limits)', { dropped });
  const agentCall = {
    from: config.dial.fromNumber,
    label: config.dial.agentLabel,
    timeout: config.dial.joinTimeoutSeconds,
    beep: 'false' as const,
    startConferenceOnEnter: true,
    endConferenceOnExit: false,
  };
  let outcome: Awaited<ReturnType<ConferenceOperations['addAgent']>>;
  try {
    outcome = await (await operations()).addAgent(conferenceSid, config.dial.twimlAppSid, context, agentCall);
  } catch (error) {
    // The caller left before the agent could be added: nothing to do, and a 500 would only alarm Twilio's debugger.
    if (isTwilioFailure(error) && error.code === TWILIO.notFound) {
      log.warn('conference ended before the agent joined', { conferenceSid, twilioCode: error.code });
      return emptyResponse(204);
    }
    throw error;
  }
  log.info(
    outcome.added ? 'agent added' : 'agent already present',
    outcome.added ? { agentCallSid: outcome.participant.callSid } : {},
  );
  return emptyResponse(204);
});
