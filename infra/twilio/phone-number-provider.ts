/**
 * Dynamic provider of a phone number's voice configuration. It ADOPTS a number the account already owns (found
 * by exact E.164), points its voice webhook at the stack, remembers the earlier settings and restores them on
 * delete. It never buys or releases (DELETE) a number: a released number can be lost for good.
 */
import type * as pulumi from '@pulumi/pulumi';
import { isTwilioFailure } from '../../lambdas/shared/errors';
import type { TwilioRestClient } from '../../lambdas/shared/twilio-client';
import { configKey } from './credentials';
import { TwilioProvisioningError } from './errors';
import { findIncomingNumber } from './number-lookup';
import { providerVersionOf, TwilioProviderBase } from './provider-base';
import {
  changedKeys,
  checkPhoneNumberInputs,
  desiredVoiceSettings,
  isUnknown,
  settingsDrift,
  voiceSettingsOf,
  voiceSettingsUpdate,
  type NumberVoiceSettings,
  type PhoneNumberVoiceConfigInputs,
} from './settings';

/**
 * Outputs: the inputs, the number's SID, the settings the stack applied, the settings to restore on delete, the
 * settings found on the number at the last refresh (`live`: differs from `applied` when someone changed them in the
 * Console), and the provider code's fingerprint.
 */
export interface PhoneNumberVoiceConfigOutputs extends PhoneNumberVoiceConfigInputs {
  readonly sid: string;
  readonly accountSid: string;
  readonly applied: NumberVoiceSettings;
  readonly previous: NumberVoiceSettings;
  readonly live?: NumberVoiceSettings;
  readonly providerVersion?: string;
}

interface NumberLike extends Partial<Record<keyof NumberVoiceSettings, string | null>> {
  sid: string;
  accountSid: string;
  phoneNumber: string;
}

const _isNotFound = (error: unknown) => isTwilioFailure(error) && (error.status === 404 || error.code === 20404);

/** Restoring writes every earlier setting back, except empty methods, which Twilio would reject. */
function restoreUpdate(
  live: NumberVoiceSettings,
  previous: NumberVoiceSettings,
): Partial<Record<keyof NumberVoiceSettings, string>> {
  const update = voiceSettingsUpdate(live, previous);
  if (update.voiceMethod === '') delete update.voiceMethod;
  if (update.voiceFallbackMethod === '') delete update.voiceFallbackMethod;
  return update;
}

/** The phone number voice configuration provider. */
export class PhoneNumberVoiceConfigProvider extends TwilioProviderBase implements pulumi.dynamic.ResourceProvider {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const inputs = { voiceMethod: 'POST', ...news };
    return { inputs, failures: checkPhoneNumberInputs(inputs) };
  }

  /**
   * Another number replaces (the old one gets its settings back first); changed URLs update in place; so do
   * settings changed outside Pulumi (Console drift), which the next update puts back. In a preview, a number not
   * known yet counts as another number and an unknown URL as a changed one (the engine's reading of unknowns).
   * New provider code updates too, which re-applies the settings.
   */
  async diff(
    id: string,
    olds: PhoneNumberVoiceConfigOutputs,
    news: PhoneNumberVoiceConfigInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    if (isUnknown(news.phoneNumber) || olds.phoneNumber !== news.phoneNumber)
      return { changes: true, replaces: ['phoneNumber'], deleteBeforeReplace: false };
    const inputChanges = changedKeys(olds as never, news as never, [
      'voiceUrl',
      'voiceMethod',
      'voiceFallbackUrl',
      'voiceFallbackMethod',
    ]);
    const live = await this.fetchBySid(id, olds.phoneNumber);
    const drift = settingsDrift(voiceSettingsOf(live), olds.applied ?? desiredVoiceSettings(olds));
    return {
      changes: inputChanges.length + drift.length > 0 || this.upgraded(olds, news),
      replaces: [],
      stables: ['sid', 'accountSid', 'previous'],
      deleteBeforeReplace: false,
    };
  }

  /** Adopts the number: finds it by exact E.164, records its settings, applies ours. */
  async create(inputs: PhoneNumberVoiceConfigInputs): Promise<pulumi.dynamic.CreateResult> {
    const number = await this.findByNumber(inputs.phoneNumber);
    const previous = voiceSettingsOf(number);
    const applied = await this.apply(number, desiredVoiceSettings(inputs));
    const outs: PhoneNumberVoiceConfigOutputs = {
      ...inputs,
      sid: number.sid,
      accountSid: number.accountSid,
      applied,
      previous,
      providerVersion: providerVersionOf(inputs),
    };
    return { id: number.sid, outs };
  }

  /**
   * Refresh: records the settings now on the number as `live` and keeps `applied` (what the stack set), so the
   * next diff still sees Console drift and the next update puts the settings back. A number that left the account
   * is gone from the stack. Import is refused: there is no earlier state to restore on destroy.
   */
  async read(id: string, props: PhoneNumberVoiceConfigOutputs): Promise<pulumi.dynamic.ReadResult> {
    if (props.phoneNumber === undefined) {
      throw new TwilioProvisioningError(
        `a phone number's voice configuration cannot be imported (pulumi import): the stack adopts the number itself. Set config ${configKey('phoneNumber', this.project)} to the number and run pulumi up: it finds ${id} by its E.164 number, records its voice settings (restored by pulumi destroy) and points it at the stack.`,
      );
    }
    let live: NumberLike;
    try {
      live = await this.fetchBySid(id, props.phoneNumber);
    } catch (error) {
      if (error instanceof TwilioProvisioningError && error.status === 404) return { id: '', props: {} };
      throw error;
    }
    return { id, props: { ...props, live: voiceSettingsOf(live) } };
  }

  async update(
    id: string,
    olds: PhoneNumberVoiceConfigOutputs,
    news: PhoneNumberVoiceConfigInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    const live = await this.fetchBySid(id, news.phoneNumber);
    const applied = await this.apply(live, desiredVoiceSettings(news));
    const outs: PhoneNumberVoiceConfigOutputs = {
      ...news,
      sid: id,
      accountSid: olds.accountSid,
      applied,
      previous: olds.previous,
      providerVersion: providerVersionOf(news),
    };
    return { outs };
  }

  /** Puts the earlier settings back. Never DELETEs: that would release the number. */
  async delete(id: string, props: PhoneNumberVoiceConfigOutputs): Promise<void> {
    let live: NumberLike;
    try {
      live = await this.fetchBySid(id, props.phoneNumber);
    } catch (error) {
      // The number left the account (released or ported out): nothing to restore.
      if (error instanceof TwilioProvisioningError && error.status === 404) return;
      throw error;
    }
    const update = restoreUpdate(voiceSettingsOf(live), props.previous);
    if (Object.keys(update).length === 0) return;
    await this.call(`restoring the earlier voice settings of ${props.phoneNumber}`, (c) =>
      c.api.v2010.account.incomingPhoneNumbers(id).update(update),
    );
  }

  private async findByNumber(phoneNumber: string): Promise<NumberLike> {
    const found = await this.call(`looking up ${phoneNumber}`, (c: TwilioRestClient) =>
      findIncomingNumber(c, phoneNumber),
    );
    if (found === undefined) {
      throw new TwilioProvisioningError(
        `the Twilio account has no incoming phone number ${phoneNumber}; buy or port it in Twilio first (this stack adopts an existing number and never buys or releases one), or fix config ${configKey('phoneNumber', this.project)}`,
        404,
        20404,
      );
    }
    return found as NumberLike;
  }

  private async fetchBySid(sid: string, phoneNumber: string): Promise<NumberLike> {
    return (await this.call(`reading the voice settings of ${phoneNumber} (${sid})`, (c) =>
      c.api.v2010.account.incomingPhoneNumbers(sid).fetch(),
    )) as NumberLike;
  }

  /** Writes only the settings that differ; returns what the number has afterwards. */
  private async apply(number: NumberLike, wanted: NumberVoiceSettings): Promise<NumberVoiceSettings> {
    const update = voiceSettingsUpdate(voiceSettingsOf(number), wanted);
    if (Object.keys(update).length === 0) return voiceSettingsOf(number);
    const updated = await this.call(`updating the voice settings of ${number.phoneNumber}`, (c) =>
      c.api.v2010.account.incomingPhoneNumbers(number.sid).update(update),
    );
    return voiceSettingsOf(updated as NumberLike);
  }
}
