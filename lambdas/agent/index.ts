/**
 * The TwiML App's Voice URL: connects the AI agent leg to the agent's WebSocket, handing on the allowed
 * context parameters Twilio appended to the URL. Its fallback route hangs the agent leg up quietly, and so does
 * the `<Connect action>` route when the stream or session ends: the leg's status callback then tells the events
 * handler, which brings the caller a new agent leg, the fallback target or the fallback message.
 */
import { readContext } from '../shared/agent-context';
import { once, readAgentTwimlConfig, readTwilioConfig, readWebhookConfig } from '../shared/config';
import { formValue, textResponse, xmlResponse } from '../shared/http';
import { routeUrl } from '../shared/signature';
import { agentTwiml, hangupTwiml } from '../shared/twiml';
import { twilioWebhook } from '../shared/webhook';
import { TWILIO_PATHS } from '../routes';

const loadConfig = once(() => ({
  twilio: readTwilioConfig(process.env),
  webhook: readWebhookConfig(process.env),
  agent: readAgentTwimlConfig(process.env),
}));

export const handler = twilioWebhook('agent', loadConfig, async ({ request, params, config, log }) => {
  if (formValue(params, 'AccountSid') !== config.twilio.accountSid) {
    return textResponse(403, 'Forbidden: call from another account');
  }
  if (request.rawPath.endsWith(TWILIO_PATHS.agentFallback)) {
    log.warn('agent fallback used: the agent leg is hung up', { errorCode: formValue(params, 'ErrorCode') });
    return xmlResponse(hangupTwiml());
  }
  if (request.rawPath.endsWith(TWILIO_PATHS.agentEnded)) {
    // ConversationRelay adds SessionStatus and, for a handoff, HandoffData (the agent's own JSON: not logged).
    log.info('agent stream or session ended: the agent leg hangs up', {
      callStatus: formValue(params, 'CallStatus'),
      sessionStatus: formValue(params, 'SessionStatus'),
      sessionDuration: formValue(params, 'SessionDuration'),
      handoff: formValue(params, 'HandoffData') !== undefined,
    });
    return xmlResponse(hangupTwiml());
  }
  const { parameters, dropped } = readContext(request.rawQueryString, config.agent.contextAllowlist);
  if (dropped.length > 0) log.warn('context parameters dropped', { dropped });
  log.info('agent connected', { mode: config.agent.mode, parameters: parameters.map((p) => p.name) });
  return xmlResponse(agentTwiml(parameters, config.agent, routeUrl(request, config.webhook, TWILIO_PATHS.agentEnded)));
});
