/** The public URL Twilio was given, used to rebuild the URL Twilio signed. */
import { type Env, url } from './read';

export const WEBHOOK_ENV = {
  publicBaseUrl: 'PUBLIC_BASE_URL',
  logLevel: 'LOG_LEVEL',
} as const;

/** The public URL Twilio was given, when it differs from the request's own domain (custom domains). */
export interface WebhookConfig {
  readonly publicBaseUrl?: string;
}

/** Reads the public base URL used to rebuild the URL Twilio signed. */
export function readWebhookConfig(env: Env): WebhookConfig {
  const publicBaseUrl = url(env, WEBHOOK_ENV.publicBaseUrl, ['http:', 'https:'], false);
  return { publicBaseUrl: publicBaseUrl?.replace(/\/+$/, '') };
}
