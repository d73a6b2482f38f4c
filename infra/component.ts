/**
 * The whole stack as one reusable component. It only wires the builders together, in the order the dependencies
 * need: secrets, the API (its endpoint is in the webhook URLs), the TwiML App, the functions, routes and stage,
 * the custom domain, the phone number, the canary (with `canarySchedule`), then the dashboard and the alarms. Each builder creates one area's resources; what they
 * are made of (names, route → function map, policies, alarm definitions) is decided in plain modules.
 *
 * @example
 * const stack = new VoiceAiConference('voice', { settings, secrets, codeDir: 'dist' });
 * export const apiBaseUrl = stack.apiBaseUrl;
 */
import * as pulumi from '@pulumi/pulumi';
import { HANDLERS, type HandlerName } from '../lambdas/routes';
import { buildAlarms } from './alarms-builder';
import { buildApi, buildRoutes } from './api-builder';
import { buildCanary } from './canary-builder';
import { buildDashboard } from './dashboard-builder';
import { buildDomain } from './domain-builder';
import { buildFunctions } from './functions-builder';
import { buildScope } from './scope';
import { buildSecrets, type SecretInputs } from './secrets-builder';
import type { StackSettings } from './stack-config';
import { buildNumberConfig, buildTwimlApp } from './twilio-builder';
import { addAgentCommand, participantsEndpoint, webhookUrls, type WebhookUrls } from './urls';

/** The component's type token. */
export const COMPONENT_TYPE = 'voiceai:stack:VoiceAiConference';

/** Arguments of the component. */
export interface VoiceAiConferenceArgs {
  readonly settings: StackSettings;
  /** Secret values from Pulumi secret config; `participantsApiToken` is generated when absent. */
  readonly secrets: SecretInputs;
  /** Folder holding each function's bundle folder, `<function>/index.js` (scripts/build.mjs writes dist/). */
  readonly codeDir: string;
}

/** The stack: AWS API + functions and the Twilio configuration that points at them. */
export class VoiceAiConference extends pulumi.ComponentResource {
  readonly apiBaseUrl: pulumi.Output<string>;
  readonly webhookUrls: pulumi.Output<WebhookUrls>;
  readonly twimlAppSid: pulumi.Output<string>;
  readonly phoneNumber: pulumi.Output<string>;
  readonly participantsEndpoint: pulumi.Output<string>;
  /** Shell code that defines `add_agent <conference>` (the token is read from the secret output when it runs). */
  readonly addAgentCommand: pulumi.Output<string>;
  readonly participantsApiToken: pulumi.Output<string>;
  /** Per handler, the name of the function that serves it (one name for inbound, agent and events when combined). */
  readonly functionNames: Record<HandlerName, pulumi.Output<string>>;
  /** Where DNS must point the custom domain (a regional API Gateway hostname), when one is configured. */
  readonly customDomainTarget?: pulumi.Output<string>;

  constructor(name: string, args: VoiceAiConferenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super(COMPONENT_TYPE, name, {}, opts);
    const { settings } = args;
    const scope = buildScope(settings, this);

    const secrets = buildSecrets(scope, args.secrets);
    const api = buildApi(scope);
    this.apiBaseUrl = settings.publicBaseUrl !== undefined ? pulumi.output(settings.publicBaseUrl) : api.apiEndpoint;
    this.webhookUrls = this.apiBaseUrl.apply(webhookUrls);
    const app = buildTwimlApp(scope, this.webhookUrls);
    const functions = buildFunctions(scope, {
      codeDir: args.codeDir,
      secretArns: secrets.arns,
      twimlAppSid: app.sid,
    });
    const stage = buildRoutes(scope, api, functions);
    const domain = buildDomain(scope, api, stage);
    this.customDomainTarget = domain?.target;
    // Only now point the number at the stack: every route (and the custom domain) it reaches is in place.
    const number = buildNumberConfig(scope, this.webhookUrls, [stage, ...(domain?.serving ?? [])]);
    // The canary's first run waits for the number: before, its call would not reach the stack.
    const canary =
      settings.canary &&
      buildCanary(scope, {
        canary: settings.canary,
        codeDir: args.codeDir,
        apiBaseUrl: this.apiBaseUrl,
        twimlAppSid: app.sid,
        secretArns: secrets.arns,
        ready: [number],
      });
    buildDashboard(scope, functions, api, canary);
    if (settings.alarms.enabled) buildAlarms(scope, functions, api);

    this.twimlAppSid = app.sid;
    this.phoneNumber = number.phoneNumber;
    this.participantsEndpoint = this.apiBaseUrl.apply(participantsEndpoint);
    this.addAgentCommand = this.apiBaseUrl.apply((base) => addAgentCommand(base, settings));
    this.participantsApiToken = secrets.participantsApiToken;
    this.functionNames = Object.fromEntries(
      HANDLERS.map((h) => [h, functions.find((f) => f.planned.handlers.includes(h))!.function.name]),
    ) as Record<HandlerName, pulumi.Output<string>>;
    this.registerOutputs({
      apiBaseUrl: this.apiBaseUrl,
      webhookUrls: this.webhookUrls,
      twimlAppSid: this.twimlAppSid,
      phoneNumber: this.phoneNumber,
      participantsEndpoint: this.participantsEndpoint,
    });
  }
}
