/**
 * Dynamic provider of a TwiML Application: create, read, diff (inputs and live drift), update in place, delete.
 */
import type * as pulumi from '@pulumi/pulumi';
import { isTwilioFailure } from '../../lambdas/shared/errors';
import { TwilioProvisioningError } from './errors';
import { providerVersionOf, TwilioProviderBase } from './provider-base';
import { applicationParams, changedKeys, checkTwimlAppInputs, TWIML_APP_KEYS, type TwimlAppInputs } from './settings';

/** Outputs of a TwiML App: its inputs plus the SID and owning account, and the provider code's fingerprint. */
export interface TwimlAppOutputs extends TwimlAppInputs {
  readonly sid: string;
  readonly accountSid: string;
  readonly providerVersion?: string;
}

interface ApplicationLike {
  sid: string;
  accountSid: string;
  friendlyName: string;
  voiceUrl: string;
  voiceMethod: string;
  voiceFallbackUrl: string | null;
  voiceFallbackMethod: string | null;
  statusCallback: string | null;
  statusCallbackMethod: string | null;
}

function outputsOf(app: ApplicationLike): TwimlAppOutputs {
  return {
    sid: app.sid,
    accountSid: app.accountSid,
    friendlyName: app.friendlyName,
    voiceUrl: app.voiceUrl,
    voiceMethod: app.voiceMethod as TwimlAppInputs['voiceMethod'],
    voiceFallbackUrl: app.voiceFallbackUrl ?? '',
    voiceFallbackMethod: (app.voiceFallbackMethod ?? 'POST') as TwimlAppInputs['voiceMethod'],
    statusCallback: app.statusCallback ?? '',
    statusCallbackMethod: (app.statusCallbackMethod ?? 'POST') as TwimlAppInputs['voiceMethod'],
  };
}

const isNotFound = (error: unknown) => isTwilioFailure(error) && (error.status === 404 || error.code === 20404);

/** The TwiML App provider. Holds no state of its own (see TwilioProviderBase). */
export class TwimlAppProvider extends TwilioProviderBase implements pulumi.dynamic.ResourceProvider {
  async check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const inputs = { voiceMethod: 'POST', ...news };
    return { inputs, failures: checkTwimlAppInputs(inputs) };
  }

  /**
   * Compares inputs, then the live App: a changed field (or new provider code) updates in place, an App deleted
   * outside Pulumi is re-created.
   */
  async diff(id: string, olds: TwimlAppOutputs, news: TwimlAppInputs): Promise<pulumi.dynamic.DiffResult> {
    const live = await this.fetch(id);
    if (!live) return { changes: true, replaces: ['sid'], deleteBeforeReplace: true };
    const changed = new Set([
      ...changedKeys(applicationParams(olds), applicationParams(news), TWIML_APP_KEYS),
      ...changedKeys(applicationParams(olds), applicationParams(live), TWIML_APP_KEYS),
    ]);
    return {
      changes: changed.size > 0 || this.upgraded(olds, news),
      replaces: [],
      stables: ['sid', 'accountSid'],
      deleteBeforeReplace: false,
    };
  }

  async create(inputs: TwimlAppInputs): Promise<pulumi.dynamic.CreateResult> {
    const app = await this.call(`creating the TwiML App "${inputs.friendlyName}"`, (c) =>
      c.api.v2010.account.applications.create(applicationParams(inputs)),
    );
    return { id: app.sid, outs: { ...outputsOf(app), providerVersion: providerVersionOf(inputs) } };
  }

  /** Refresh: the App as Twilio has it now (the next diff compares it with the inputs). Import is refused. */
  async read(id: string, props: TwimlAppOutputs): Promise<pulumi.dynamic.ReadResult> {
    if (props.sid === undefined && props.friendlyName === undefined) {
      throw new TwilioProvisioningError(
        `a TwiML App cannot be imported (pulumi import): pulumi up creates the stack's own App and pulumi destroy deletes it. Leave ${id} as it is, or delete it in the Twilio Console once the stack's App serves your calls.`,
      );
    }
    const live = await this.fetch(id);
    return live ? { id, props: { ...props, ...live } } : { id: '', props: {} };
  }

  async update(id: string, _olds: TwimlAppOutputs, news: TwimlAppInputs): Promise<pulumi.dynamic.UpdateResult> {
    const app = await this.call(`updating the TwiML App ${id}`, (c) =>
      c.api.v2010.account.applications(id).update(applicationParams(news)),
    );
    return { outs: { ...outputsOf(app), providerVersion: providerVersionOf(news) } };
  }

  /** Deletes the App; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    await this.call(`deleting the TwiML App ${id}`, async (c) => {
      try {
        await c.api.v2010.account.applications(id).remove();
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }

  private async fetch(id: string): Promise<TwimlAppOutputs | undefined> {
    return this.call(`reading the TwiML App ${id}`, async (c) => {
      try {
        return outputsOf(await c.api.v2010.account.applications(id).fetch());
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }
}
