/**
 * The frame every Twilio-facing handler runs in: parse the event once, load configuration once per container,
 * verify `X-Twilio-Signature` before anything else, log with call correlation, and never leak internals.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ConfigError, type TwilioConfig, type WebhookConfig } from './config';
import {
  formValue,
  parseEvent,
  parseForm,
  textResponse,
  type FormParams,
  type HttpRequest,
  type HttpResponse,
} from './http';
import { rootLogger, type Logger } from './log';
import { metrics } from './metrics';
import { secrets } from './secrets';
import { hasValidTwilioSignature } from './signature';

/** Configuration every Twilio-facing handler has. */
export interface WebhookHandlerConfig {
  readonly twilio: TwilioConfig;
  readonly webhook: WebhookConfig;
}

/** What a verified webhook invocation gets. */
export interface WebhookInvocation<C> {
  readonly request: HttpRequest;
  readonly params: FormParams;
  readonly config: C;
  readonly log: Logger;
}

/** A handler body: runs only for a request whose signature verified. */
export type WebhookBody<C> = (invocation: WebhookInvocation<C>) => Promise<HttpResponse>;

/**
 * Wraps a handler body as an HTTP API Lambda handler.
 * @example export const handler = twilioWebhook('inbound', loadConfig, async ({ params }) => xmlResponse(...));
 */
export function twilioWebhook<C extends WebhookHandlerConfig>(name: string, loadConfig: () => C, body: WebhookBody<C>) {
  return async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const request = parseEvent(event);
    const log = rootLogger().child({ handler: name, requestId: request.requestId });
    if (request.method !== 'POST') return textResponse(405, 'Method Not Allowed');

    let config: C;
    let signatureValid: boolean;
    try {
      config = loadConfig();
      const { webhook: webhookConfig, twilio } = config;
      // Resolved even for an unsigned request, so a misconfigured secret shows as a 500 whatever is sent.
      await secrets.accepted(twilio.authToken);
      // Only a signature that matches no token we hold may mean a rotation: no signature, no refetch.
      signatureValid =
        request.headers['x-twilio-signature'] !== undefined &&
        (await secrets.verify(twilio.authToken, (tokens) =>
          tokens.some((token) => hasValidTwilioSignature(request, token, webhookConfig)),
        ));
    } catch (error) {
      // A 500 makes Twilio try the fallback URL; the message names the setting, never a value.
      log.error('configuration unavailable', { error: describeError(error) });
      return textResponse(500, 'Service misconfigured');
    }

    if (!signatureValid) {
      log.warn('rejected request with a missing or invalid Twilio signature', {
        hasSignature: request.headers['x-twilio-signature'] !== undefined,
      });
      // A spike means forgery, a wrong PUBLIC_BASE_URL, or a token rotation done out of order: prod alarms on it.
      metrics().count('SignatureRejected', { Handler: name });
      return textResponse(403, 'Forbidden: invalid Twilio signature');
    }

    const params = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      ? parseForm(request.body)
      : {};
    const callLog = log.child({
      callSid: formValue(params, 'CallSid'),
      conferenceSid: formValue(params, 'ConferenceSid'),
      idempotencyToken: request.headers['i-twilio-idempotency-token'],
    });
    try {
      return await body({ request, params, config, log: callLog });
    } catch (error) {
      callLog.error('handler failed', { error: describeError(error) });
      return textResponse(500, 'Internal error');
    }
  };
}

/** A loggable description of an error: name, message and Twilio code, never the stack or request data. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof ConfigError) return { name: error.name, message: error.message };
  if (error instanceof Error) {
    const { status, code } = error as Error & { status?: number; code?: number | string };
    return {
      name: error.name,
      message: error.message,
      ...(status !== undefined && { status }),
      ...(code !== undefined && { code }),
    };
  }
  return { name: typeof error };
}
