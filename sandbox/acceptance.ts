/**
 * The acceptance call (`npm run verify`) against a running sandbox: the stack's values as `pulumi stack output`
 * would give them, and the ports over the sandbox's emulators (the same Twilio client pointed at the emulator's base
 * URL, the participants API over HTTP). `npm start` ends with it; the tests drive it with faults.
 */
import { type AcceptanceTarget, type AcceptanceTimes, DEFAULT_TIMES } from '../lambdas/acceptance/plan';
import { participantsApi } from '../lambdas/acceptance/participants-api';
import { systemClock } from '../lambdas/acceptance/records';
import type { AcceptanceIo } from '../lambdas/acceptance/run';
import { twilioRecords } from '../lambdas/acceptance/twilio-records';
import { CONFIG_DEFAULTS } from '../lambdas/shared/config/defaults';
import type { Sandbox } from './index';

/** The sandbox's stack as the acceptance call sees it (the values the stack's outputs carry when deployed). */
export function sandboxTarget(sandbox: Sandbox, from = sandbox.phoneNumber): AcceptanceTarget {
  return {
    stack: 'sandbox',
    phoneNumber: sandbox.phoneNumber,
    from,
    apiBaseUrl: sandbox.apiBaseUrl,
    webhooks: sandbox.webhookUrls,
    twimlAppSid: sandbox.twimlAppSid,
    conferencePrefix: CONFIG_DEFAULTS.conferenceNamePrefix,
    callerLabel: CONFIG_DEFAULTS.conferenceCallerLabel,
    agentLabel: CONFIG_DEFAULTS.agentLabel,
    agentMode: CONFIG_DEFAULTS.agentMode,
  };
}

/**
 * Time budget on the sandbox: the run waits in real time, while the emulator runs Twilio's seconds (`<Pause>`,
 * `TimeLimit`) at its time scale, so the call's TimeLimit is stretched to last the same real minute. Reads are
 * frequent (the emulator answers in a millisecond) and the Debugger's alerts are there at once.
 */
export function sandboxTimes(sandbox: Sandbox, overrides: Partial<AcceptanceTimes> = {}): AcceptanceTimes {
  return {
    ...DEFAULT_TIMES,
    timeLimitSeconds: Math.ceil(DEFAULT_TIMES.timeLimitSeconds / sandbox.twilio.timeScale),
    agentDeadlineSeconds: 10,
    mediaHoldSeconds: 0.5,
    pollMs: 20,
    alertWaitSeconds: 0,
    hangUpWaitSeconds: 5,
    ...overrides,
  };
}

/** The ports over the sandbox; `credentials` replaces what a run would be given (a wrong token, a wrong Auth Token). */
export function sandboxIo(
  sandbox: Sandbox,
  credentials: { readonly apiToken?: string; readonly authToken?: string } = {},
  progress?: AcceptanceIo['progress'],
): AcceptanceIo {
  const { twilio } = sandbox;
  return {
    twilio: twilioRecords({
      accountSid: twilio.accountSid,
      username: twilio.accountSid,
      password: credentials.authToken ?? twilio.authToken,
      baseUrl: twilio.baseUrl,
    }),
    api: participantsApi(sandbox.apiBaseUrl, credentials.apiToken ?? sandbox.apiToken),
    clock: systemClock,
    ...(progress && { progress }),
  };
}
