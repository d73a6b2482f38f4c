/**
 * The TwiML App's Voice URL: connects the AI agent leg to the agent's WebSocket, handing on the allowed
 * context parameters Twilio appended to the URL. Its fallback route hangs the agent leg up quietly.
 */
import { readContext } from '../shared/agent-context';
import { once, readAgentTwimlConfig, readTwilioConfig, readWebhookConfig } from '../shared/config';
import { formValue, textResponse, xmlResponse } from '../shared/http';
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
  return xmlResponse(agentTwiml(parameters, config.agent));
});
