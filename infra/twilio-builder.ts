/**
 * The Twilio side through the dynamic providers of infra/twilio: the TwiML App the agent is dialled through, and
 * the phone number's voice configuration (declared last, once everything it reaches is in place).
 */
import type * as pulumi from '@pulumi/pulumi';
import { PhoneNumberVoiceConfig, TwimlApp } from './twilio/resources';
import type { BuildScope } from './scope';
import type { WebhookUrls } from './urls';

/** Twilio's friendly names are at most 64 characters. */
const FRIENDLY_NAME_MAX = 64;

/** Declares the TwiML App: Voice URL = agent route, fallback = agent-fallback route. */
export function buildTwimlApp(scope: BuildScope, urls: pulumi.Output<WebhookUrls>): TwimlApp {
  const { settings } = scope;
  return new TwimlApp(
    scope.name('agent-app'),
    {
      friendlyName: `${settings.namePrefix}-${settings.stack} AI agent`.slice(0, FRIENDLY_NAME_MAX),
      voiceUrl: urls.agent,
      voiceMethod: 'POST',
      voiceFallbackUrl: urls.agentFallback,
      voiceFallbackMethod: 'POST',
    },
    scope.opts,
  );
}

/** Points the number at the inbound route once `serving` (stage, domain) exists. */
export function buildNumberConfig(
  scope: BuildScope,
  urls: pulumi.Output<WebhookUrls>,
  serving: pulumi.Resource[],
): PhoneNumberVoiceConfig {
  return new PhoneNumberVoiceConfig(
    scope.name('phone-number'),
    {
      phoneNumber: scope.settings.phoneNumber,
      voiceUrl: urls.inbound,
      voiceMethod: 'POST',
      voiceFallbackUrl: urls.agentFallback,
      voiceFallbackMethod: 'POST',
    },
    { ...scope.opts, dependsOn: serving },
  );
}
