/** The canary's stack as the acceptance call sees it, from the canary's configuration (pure). */
import { webhookUrls } from '../../infra/urls';
import type { AcceptanceTarget } from '../acceptance/plan';
import type { CanaryConfig } from '../shared/config';

/**
 * The acceptance call's target: the webhook URLs are derived from the API base URL exactly as the stack derives the
 * URLs it gives Twilio (infra/urls.ts), so drift of the number or the TwiML App fails the run's first steps.
 */
export function canaryTarget(config: CanaryConfig): AcceptanceTarget {
  const urls = webhookUrls(config.apiBaseUrl);
  return {
    stack: config.stack,
    phoneNumber: config.phoneNumber,
    from: config.from,
    apiBaseUrl: config.apiBaseUrl,
    webhooks: { inbound: urls.inbound, agent: urls.agent, agentFallback: urls.agentFallback },
    twimlAppSid: config.twimlAppSid,
    conferencePrefix: config.conferencePrefix,
    callerLabel: config.callerLabel,
    agentLabel: config.agentLabel,
    agentMode: config.agentMode,
  };
}
