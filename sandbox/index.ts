/**
 * The local sandbox: the whole call flow on 127.0.0.1 with no accounts. A Twilio emulator (REST, voice engine,
 * conferences, Media Streams), the API Gateway emulator running the built Lambda bundles, and a sample AI
 * agent. The Twilio side is provisioned with the same dynamic providers `pulumi up` uses, and the functions get
 * the environment the Pulumi program derives from stack config.
 *
 * @example
 * const sandbox = await startSandbox();
 * const { callSid } = await sandbox.placeInboundCall({ from: '+15557654321' });
 * await sandbox.agent?.waitForSession((s) => s.customParameters?.callerCallSid === callSid);
 * await sandbox.stop();
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { HandlerName } from '../lambdas/routes';
import { ENV } from '../lambdas/shared/config';
import { FUNCTION_SPECS } from '../infra/functions';
import { configuredEnvironment, functionPlan } from '../infra/layout';
import { readStackSettings, type StackSettings } from '../infra/stack-config';
import { fixedConfigureRequest } from '../infra/twilio/credentials';
import {
  PhoneNumberVoiceConfigProvider,
  type PhoneNumberVoiceConfigOutputs,
} from '../infra/twilio/phone-number-provider';
import { TwimlAppProvider } from '../infra/twilio/twiml-app-provider';
import { webhookUrls, type WebhookUrls } from '../infra/urls';
import { ApiGatewayEmulator, type ApiInvocation, type FunctionDeployment } from './api-gateway/server';
import { SecretsManagerEmulator } from './aws/secrets-manager';
import { SampleAgent } from './sample-agent';
import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from './twilio';

/** Options of startSandbox; every one has a default. */
export interface SandboxOptions {
  /** The agent's WebSocket URL; a sample agent is started when absent. */
  readonly agentStreamUrl?: string;
  readonly agentMode?: 'stream' | 'conversation-relay';
  /** The number callers dial (seeded in the emulator as if bought in Twilio). */
  readonly phoneNumber?: string;
  /** Folder with the built bundles (default: dist/ of this checkout). */
  readonly codeDir?: string;
  /** Extra stack config (project keys, as `pulumi config set` would hold them). */
  readonly config?: Readonly<Record<string, string>>;
  /** No function log lines on the console. */
  readonly quiet?: boolean;
  /** Receives each function log line. */
  readonly onLog?: (functionName: string, line: string) => void;
  readonly onInvocation?: (invocation: ApiInvocation) => void;
  /** Options of the Twilio emulator (e.g. `callsPerSecond`, `timeScale`); its defaults otherwise. */
  readonly twilio?: TwilioEmulatorOptions;
  /** The API Gateway emulator's port (default 0: a free one). */
  readonly apiPort?: number;
  /**
   * Keeps the Auth Token and the API token in a local Secrets Manager that the functions read through
   * `*_SECRET_ARN`, as deployed (default: values in the functions' environment).
   */
  readonly secretsManager?: boolean;
}

/** A running sandbox. */
export interface Sandbox {
  readonly twilio: TwilioEmulator;
  readonly api: ApiGatewayEmulator;
  /** The sample agent, when the sandbox started one. */
  readonly agent?: SampleAgent;
  readonly apiBaseUrl: string;
  readonly webhookUrls: WebhookUrls;
  readonly phoneNumber: string;
  readonly twimlAppSid: string;
  /** The participants API's bearer token (random per sandbox). */
  readonly apiToken: string;
  /** The stack settings (stack `sandbox`) the functions' environment comes from, as the Pulumi program reads them. */
  readonly settings: StackSettings;
  /** The local Secrets Manager and the ARNs of the stack's secrets in it, with `secretsManager: true`. */
  readonly secretsManager?: {
    readonly store: SecretsManagerEmulator;
    readonly twilioAuthTokenArn: string;
    readonly participantsApiTokenArn: string;
  };
  /** What provisioning found on the number before, restored by stop(). */
  readonly previousVoiceUrl: string;
  /**
   * The API key SID each REST-calling function authenticates with, under the handler that makes its REST calls
   * (one key per function, so the emulator's record names the sender of every REST request; in the combined layout
   * only the events module of the Twilio function calls REST); the Pulumi providers use the Auth Token.
   */
  readonly functionApiKeys: Readonly<Partial<Record<HandlerName, string>>>;
  /** A caller dials the stack's number. */
  placeInboundCall(options?: { from?: string }): Promise<{ callSid: string }>;
  /** Calls the participants API with the bearer token (or `token`); resolves with status and parsed JSON. */
  participantsApi(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    apiPath: string,
    body?: unknown,
    token?: string,
    // biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers are read field by field by their callers.
  ): Promise<{ status: number; body: any }>;
  /**
   * When the way of one inbound call to its agent passed each milestone (performance.now()), from the API Gateway
   * emulator's invocations, and the time spent inside the handlers; undefined until all three webhooks ran.
   */
  callMilestones(callerCallSid: string): CallMilestones | undefined;
  /** Restores the number (as `pulumi destroy` does), deletes the App, stops everything. */
  stop(): Promise<void>;
}

/** Milestones of one call's way to its agent (performance.now() values) and the time inside our handlers. */
export interface CallMilestones {
  readonly inboundEnd: number;
  readonly eventsStart: number;
  readonly agentStart: number;
  readonly agentEnd: number;
  /** inbound + events (participant-join) + agent function time, ms. */
  readonly handlerMs: number;
}

const PROJECT = 'voice-ai-conference';
const ROOT = path.resolve(__dirname, '..');

/** Starts the sandbox. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const phoneNumber = options.phoneNumber ?? '+15005550006';
  const twilio = await startTwilioEmulator(options.twilio);
  const agent = options.agentStreamUrl ? undefined : await new SampleAgent().start();
  const api = await new ApiGatewayEmulator({
    codeDir: options.codeDir ?? path.join(ROOT, 'dist'),
    onLog: options.onLog ?? (options.quiet ? undefined : (fn, line) => console.log(`[${fn}] ${line}`)),
    onInvocation: options.onInvocation,
    port: options.apiPort,
  })
    .start()
    .catch(async (error: unknown) => {
      await agent?.stop();
      await twilio.stop();
      throw error;
    });
  const urls = webhookUrls(api.baseUrl);

  // Provisioning: the providers `pulumi up` runs, pointed at the emulator through configure().
  // A function: after an Auth Token rotation the stack config holds the new token, and teardown must use it.
  const configureRequest = () =>
    fixedConfigureRequest({
      twilioAccountSid: twilio.accountSid,
      twilioAuthToken: twilio.authToken,
      twilioApiBaseUrl: twilio.baseUrl,
    });
  const previousVoiceUrl = 'https://demo.twilio.com/welcome/voice/';
  twilio.addIncomingNumber(phoneNumber, { voiceUrl: previousVoiceUrl });
  const appProvider = new TwimlAppProvider();
  await appProvider.configure(configureRequest());
  const app = await appProvider.create({
    friendlyName: `${PROJECT}-sandbox AI agent`,
    voiceUrl: urls.agent,
    voiceMethod: 'POST',
    voiceFallbackUrl: urls.agentFallback,
    voiceFallbackMethod: 'POST',
  });
  const numberProvider = new PhoneNumberVoiceConfigProvider();
  await numberProvider.configure(configureRequest());
  const number = await numberProvider.create({
    phoneNumber,
    voiceUrl: urls.inbound,
    voiceMethod: 'POST',
    voiceFallbackUrl: urls.agentFallback,
    voiceFallbackMethod: 'POST',
  });

  // The functions' environment, from stack config exactly as the Pulumi program derives it; secrets are given
  // as values here (Secrets Manager ARNs when deployed) and REST calls go to the emulator.
  const stackConfig: Record<string, string> = {
    twilioAccountSid: twilio.accountSid,
    phoneNumber,
    agentMode: options.agentMode ?? 'stream',
    agentStreamUrl: options.agentStreamUrl ?? agent!.url,
    publicBaseUrl: api.baseUrl,
    allowedDialTargets: JSON.stringify(['+*', 'client:*', 'sip:*@sandbox.example.com']),
    logLevel: 'info',
    ...options.config,
  };
  const settings = readStackSettings(
    (k) => stackConfig[k],
    { twilioAuthToken: true, twilioApiKeySecret: false, participantsApiToken: true },
    PROJECT,
    'sandbox',
  );
  const apiToken = randomBytes(24).toString('hex');
  const store = options.secretsManager ? await new SecretsManagerEmulator().start() : undefined;
  const secretsManager = store && {
    store,
    twilioAuthTokenArn: store.createSecret(`${PROJECT}-sandbox-twilio-auth-token`, twilio.authToken),
    participantsApiTokenArn: store.createSecret(`${PROJECT}-sandbox-participants-api-token`, apiToken),
  };
  const functionApiKeys: Partial<Record<HandlerName, string>> = {};
  const functions = functionPlan(settings.functionLayout).map((planned): FunctionDeployment => {
    const environment: Record<string, string> = {
      ...configuredEnvironment(planned, settings.environment),
      ...(secretsManager
        ? { [ENV.authTokenSecretArn]: secretsManager.twilioAuthTokenArn, ...secretsManager.store.functionEnvironment() }
        : { [ENV.authToken]: twilio.authToken }),
      [ENV.apiBaseUrl]: twilio.baseUrl,
      TZ: 'UTC',
    };
    if (planned.spec.dials) {
      const key = twilio.addApiKey();
      for (const handler of planned.handlers) if (FUNCTION_SPECS[handler].dials) functionApiKeys[handler] = key.sid;
      environment[ENV.apiKeySid] = key.sid;
      environment[ENV.apiKeySecret] = key.secret;
      environment[ENV.twimlAppSid] = app.id;
    }
    if (planned.spec.secrets.includes('participantsApiToken')) {
      if (secretsManager) environment[ENV.apiTokenSecretArn] = secretsManager.participantsApiTokenArn;
      else environment[ENV.apiToken] = apiToken;
    }
    return { planned, environment };
  });
  api.startFunctions(functions);

  let stopped = false;
  return {
    twilio,
    api,
    agent,
    apiBaseUrl: api.baseUrl,
    webhookUrls: urls,
    phoneNumber,
    twimlAppSid: app.id,
    apiToken,
    settings,
    secretsManager,
    previousVoiceUrl,
    functionApiKeys,
    placeInboundCall: ({ from = '+15557654321' } = {}) => twilio.placeInboundCall({ from, to: phoneNumber }),
    callMilestones(callerCallSid) {
      const inbound = api.invocations.find((i) => i.handler === 'inbound' && i.callSid === callerCallSid);
      const events = api.invocations.find((i) => i.handler === 'events' && i.callSid === callerCallSid);
      const agentLeg = api.invocations.find(
        (i) => i.handler === 'agent' && new URLSearchParams(i.query).get('callerCallSid') === callerCallSid,
      );
      if (!inbound || !events || !agentLeg) return undefined;
      return {
        inboundEnd: inbound.endedAt,
        eventsStart: events.startedAt,
        agentStart: agentLeg.startedAt,
        agentEnd: agentLeg.endedAt,
        handlerMs: inbound.functionMs + events.functionMs + agentLeg.functionMs,
      };
    },
    async participantsApi(method, apiPath, body, token = apiToken) {
      const response = await fetch(api.baseUrl + apiPath, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await Promise.all([appProvider.configure(configureRequest()), numberProvider.configure(configureRequest())]);
        await numberProvider.delete(number.id, number.outs as PhoneNumberVoiceConfigOutputs);
        await appProvider.delete(app.id);
      } finally {
        await api.stop();
        await store?.stop();
        await agent?.stop();
        await twilio.stop();
      }
    },
  };
}
