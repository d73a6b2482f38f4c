/**
 * The TwiML App's Voice URL: connects the AI agent leg to the agent's WebSocket, handing on the allowed
 * context parameters Twilio appended to the URL. Its fallback route hangs the agent leg up quietly. The
 * `<Connect action>` URL (served by the events function: a handoff needs the REST API) carries the same query, so
 * the end of the stream or session is handled with the call's context: a handoff to a human, or the recovery.
 */
import { connectActionQuery, readContext } from '../shared/call-state';
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
  const { parameters, dropped } = readContext(request.rawQueryString, config.agent.contextAllowlist);
  if (dropped.length > 0) log.warn('context parameters dropped', { dropped });
  log.info('agent connected', { mode: config.agent.mode, parameters: parameters.map((p) => p.name) });
  // The end of the session is handled with the call's context (and CallToken): they ride on the action URL.
  const ended = routeUrl(request, config.webhook, TWILIO_PATHS.agentEnded);
  const query = connectActionQuery(request.rawQueryString, parameters);
  const actionUrl = query === '' ? ended : `${ended}?${query}`;
  return xmlResponse(agentTwiml(parameters, config.agent, actionUrl));
});
