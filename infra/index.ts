/**
 * The Pulumi program (Pulumi.yaml `main`): reads the stack's typed config, declares the stack, exports its outputs.
 */
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { bundleDir } from './bundles';
import { VoiceAiConference } from './component';
import { readStackSettings } from './stack-config';

const config = new pulumi.Config();
const project = pulumi.getProject();
const stack = pulumi.getStack();

const settings = readStackSettings(
  (key) => config.get(key),
  {
    twilioAuthToken: config.get('twilioAuthToken') !== undefined,
    twilioApiKeySecret: config.get('twilioApiKeySecret') !== undefined,
    participantsApiToken: config.get('participantsApiToken') !== undefined,
  },
  project,
  stack,
);

const voice = new VoiceAiConference(`${settings.namePrefix}-${stack}`, {
  settings,
  secrets: {
    twilioAuthToken: config.requireSecret('twilioAuthToken'),
    twilioApiKeySecret: config.getSecret('twilioApiKeySecret'),
    participantsApiToken: config.getSecret('participantsApiToken'),
  },
  codeDir: bundleDir(path.resolve(__dirname, '..')),
});

export const apiBaseUrl = voice.apiBaseUrl;
export const webhookUrls = voice.webhookUrls;
export const inboundWebhookUrl = voice.webhookUrls.inbound;
export const agentWebhookUrl = voice.webhookUrls.agent;
export const conferenceEventsUrl = voice.webhookUrls.events;
export const twimlAppSid = voice.twimlAppSid;
export const phoneNumber = voice.phoneNumber;
export const participantsEndpoint = voice.participantsEndpoint;
export const addAgentCommand = voice.addAgentCommand;
export const participantsApiToken = voice.participantsApiToken;
export const functionNames = voice.functionNames;
/** Where DNS must point the custom domain; a stack without one says so instead of exporting nothing. */
export const customDomainTarget = voice.customDomainTarget ?? 'none (customDomainName is not set)';
