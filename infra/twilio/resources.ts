/**
 * The Twilio resources as Pulumi resources, each backed by its dynamic provider.
 */
import * as pulumi from '@pulumi/pulumi';
import { PhoneNumberVoiceConfigProvider } from './phone-number-provider';
import { PROVIDER_RETRY_BUDGET_MS } from './provider-base';
import type { NumberVoiceSettings, WebhookMethod } from './settings';
import { TwimlAppProvider } from './twiml-app-provider';

/** Arguments of a TwiML Application. */
export interface TwimlAppArgs {
  readonly friendlyName: pulumi.Input<string>;
  readonly voiceUrl: pulumi.Input<string>;
  readonly voiceMethod?: pulumi.Input<WebhookMethod>;
  readonly voiceFallbackUrl?: pulumi.Input<string>;
  readonly voiceFallbackMethod?: pulumi.Input<WebhookMethod>;
  readonly statusCallback?: pulumi.Input<string>;
  readonly statusCallbackMethod?: pulumi.Input<WebhookMethod>;
}

/** A TwiML Application (type `pulumi-nodejs:dynamic/twilio:TwimlApp`). */
export class TwimlApp extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly accountSid: pulumi.Output<string>;
  declare readonly friendlyName: pulumi.Output<string>;
  declare readonly voiceUrl: pulumi.Output<string>;

  constructor(name: string, args: TwimlAppArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      new TwimlAppProvider(PROVIDER_RETRY_BUDGET_MS, pulumi.getProject()),
      name,
      { sid: undefined, accountSid: undefined, voiceMethod: 'POST', ...args },
      opts,
      'twilio',
      'TwimlApp',
    );
  }
}

/** Arguments of a phone number's voice configuration. */
export interface PhoneNumberVoiceConfigArgs {
  /** The E.164 number the account already owns. */
  readonly phoneNumber: pulumi.Input<string>;
  readonly voiceUrl: pulumi.Input<string>;
  readonly voiceMethod?: pulumi.Input<WebhookMethod>;
  readonly voiceFallbackUrl?: pulumi.Input<string>;
  readonly voiceFallbackMethod?: pulumi.Input<WebhookMethod>;
}

/** The voice configuration of an adopted number (type `pulumi-nodejs:dynamic/twilio:PhoneNumberVoiceConfig`). */
export class PhoneNumberVoiceConfig extends pulumi.dynamic.Resource {
  declare readonly sid: pulumi.Output<string>;
  declare readonly phoneNumber: pulumi.Output<string>;
  declare readonly voiceUrl: pulumi.Output<string>;
  declare readonly previous: pulumi.Output<NumberVoiceSettings>;

  constructor(name: string, args: PhoneNumberVoiceConfigArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      new PhoneNumberVoiceConfigProvider(PROVIDER_RETRY_BUDGET_MS, pulumi.getProject()),
      name,
      { sid: undefined, accountSid: undefined, applied: undefined, previous: undefined, voiceMethod: 'POST', ...args },
      opts,
      'twilio',
      'PhoneNumberVoiceConfig',
    );
  }
}
