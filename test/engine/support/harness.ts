/**
 * One engine-protocol harness per test file: the sandbox's Twilio emulator with the stack fixture's number seeded, Pulumi's
 * dynamic-provider host started and configured as the engine does it, and a deployment over it. Program runs are
 * cached, as they cost seconds each.
 */
import { createTwilioClient, type TwilioRestClient } from '../../../lambdas/shared/twilio-client';
import { startTwilioEmulator, type TwilioEmulator } from '../../../sandbox/twilio';
import { Deployment } from './deployment';
import { HARNESS_SECRETS, PROJECT, ROOT, runProgram, stackConfig, type ProgramRun, type StackConfig } from './program';
import { ProviderHost } from './provider-host';
import type { Registration } from './stand-ins';

/** The type prefix of the stack's dynamic (Twilio) resources. */
export const DYNAMIC = 'pulumi-nodejs:dynamic/';
export const TWIML_APP = 'pulumi-nodejs:dynamic/twilio:TwimlApp';
export const PHONE_NUMBER = 'pulumi-nodejs:dynamic/twilio:PhoneNumberVoiceConfig';
/** What the seeded number pointed at before the stack adopted it. */
export const EARLIER_VOICE_URL = 'https://demo.twilio.com/welcome/voice/';

/** A `project:key` config key. */
export const key = (k: string) => `${PROJECT}:${k}`;

/** The dynamic resources a run registered, in registration order. */
export function dynamicResources(run: ProgramRun): Registration[] {
  return run.registrations.filter((r) => r.type.startsWith(DYNAMIC));
}

const runs = new Map<string, Promise<ProgramRun>>();

/** Runs the program (once per test file for the same arguments) with stack fixture `fixture`'s config. */
export function programRun(
  fixture: string,
  dryRun: boolean,
  overrides: Record<string, string | undefined> = {},
): Promise<ProgramRun> {
  const cacheKey = JSON.stringify([fixture, dryRun, overrides]);
  const cached = runs.get(cacheKey);
  if (cached) return cached;
  const run = runProgram({ dryRun, config: stackConfig(fixture, overrides) });
  runs.set(cacheKey, run);
  return run;
}

/** A started harness. */
export interface Harness {
  readonly twilio: TwilioEmulator;
  readonly host: ProviderHost;
  readonly deployment: Deployment;
  readonly config: StackConfig;
  /** Someone in the Twilio Console (the REST API with the account's credentials). */
  readonly console: TwilioRestClient;
  stop(): Promise<void>;
}

/** Options of startHarness. */
export interface HarnessOptions {
  /** The stack fixture (test/fixtures/stacks) whose config the host gets; default minimal-dev. */
  readonly fixture?: string;
  /** Config on top of the fixture's (bare keys are project keys; undefined removes a key). */
  readonly overrides?: Record<string, string | undefined>;
  /** Numbers the account owns (default: the fixture's phoneNumber). */
  readonly numbers?: readonly string[];
}

/** Starts the emulator and the provider host, and configures the host with the fixture's config. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fixture = options.fixture ?? 'minimal-dev';
  const base = stackConfig(fixture);
  const twilio = await startTwilioEmulator({
    accountSid: base.values[key('twilioAccountSid')],
    authToken: HARNESS_SECRETS.twilioAuthToken,
  });
  const config = stackConfig(fixture, { twilioApiBaseUrl: twilio.baseUrl, ...options.overrides });
  for (const number of options.numbers ?? [base.values[key('phoneNumber')]])
    twilio.addIncomingNumber(number, { voiceUrl: EARLIER_VOICE_URL });
  const host = await ProviderHost.start(ROOT, PROJECT, config.values);
  try {
    await host.handshake(ROOT).catch((error: { code?: number }) => {
      if (error.code !== 12) throw error; // UNIMPLEMENTED: the engine falls back to Configure's answer
    });
    await host.getPluginInfo();
    await host
      .checkConfig(`urn:pulumi:${config.stackName}::${PROJECT}::pulumi:providers:pulumi-nodejs::default`, {})
      .catch((error: { code?: number }) => {
        if (error.code !== 12) throw error; // UNIMPLEMENTED: the engine takes the config as it is
      });
    await host.configure(config.values, config.secretKeys);
  } catch (error) {
    await host.stop();
    await twilio.stop();
    throw error;
  }
  const console = createTwilioClient({
    accountSid: twilio.accountSid,
    username: twilio.accountSid,
    password: twilio.authToken,
    baseUrl: twilio.baseUrl,
  });
  return {
    twilio,
    host,
    deployment: new Deployment(host),
    config,
    console,
    async stop() {
      await host.stop();
      await twilio.stop();
    },
  };
}
