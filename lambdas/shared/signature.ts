/**
 * The one Twilio signature check. It rebuilds the exact URL Twilio requested (the public base URL the stack
 * gave Twilio, the path, and the raw query string byte for byte: re-encoding the query breaks the signature of
 * TwiML App calls) and delegates the HMAC to twilio's own validator.
 */
import { validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import type { WebhookConfig } from './config';
import { parseForm, type HttpRequest } from './http';

/** The path after the stage prefix API Gateway puts in `rawPath` for a named stage. */
function pathWithoutStage(request: Pick<HttpRequest, 'rawPath' | 'stage'>): string {
  const { rawPath, stage } = request;
  if (stage && stage !== '$default' && (rawPath === `/${stage}` || rawPath.startsWith(`/${stage}/`))) {
    return rawPath.slice(stage.length + 1) || '/';
  }
  return rawPath;
}

/**
 * The base URL Twilio uses for this API: the configured public base URL (custom domains, the sandbox), else the
 * request's own domain over https plus the stage prefix when the stage is named.
 */
export function publicBaseUrl(
  request: Pick<HttpRequest, 'rawPath' | 'stage' | 'domainName'>,
  config: WebhookConfig,
): string {
  if (config.publicBaseUrl) return config.publicBaseUrl;
  const stagePrefix =
    request.stage && request.stage !== '$default' && pathWithoutStage(request) !== request.rawPath
      ? `/${request.stage}`
      : '';
  return `https://${request.domainName}${stagePrefix}`;
}

/**
 * The full URL Twilio signed for this request.
 * @example signedUrl({ rawPath: '/twilio/voice/agent', rawQueryString: 'caller=%2B1555', stage: '$default', domainName: 'x.execute-api.us-east-1.amazonaws.com' }, {})
 * // 'https://x.execute-api.us-east-1.amazonaws.com/twilio/voice/agent?caller=%2B1555'
 */
export function signedUrl(
  request: Pick<HttpRequest, 'rawPath' | 'rawQueryString' | 'stage' | 'domainName'>,
  config: WebhookConfig,
): string {
  const path = config.publicBaseUrl ? pathWithoutStage(request) : request.rawPath;
  const base = config.publicBaseUrl ?? `https://${request.domainName}`;
  return base + path + (request.rawQueryString ? `?${request.rawQueryString}` : '');
}

/** A callback URL on this API for one of the stack's routes (e.g. the events route in the inbound TwiML). */
export function routeUrl(
  request: Pick<HttpRequest, 'rawPath' | 'stage' | 'domainName'>,
  config: WebhookConfig,
  path: string,
): string {
  return publicBaseUrl(request, config) + path;
}

/** Whether the request carries a valid `X-Twilio-Signature` for the given Auth Token. */
export function hasValidTwilioSignature(request: HttpRequest, authToken: string, config: WebhookConfig): boolean {
  const signature = request.headers['x-twilio-signature'];
  if (!signature) return false;
  const url = signedUrl(request, config);
  // JSON (and other non-form) bodies are covered by the bodySHA256 query parameter instead of the form params.
  if (new URLSearchParams(request.rawQueryString).has('bodySHA256')) {
    return validateRequestWithBody(authToken, signature, url, request.body);
  }
  const contentType = request.headers['content-type'] ?? '';
  const isForm = contentType.startsWith('application/x-www-form-urlencoded');
  // A body the signature does not cover (not form-encoded, no bodySHA256) could be anything: refuse it.
  if (!isForm && request.body !== '') return false;
  return validateRequest(authToken, signature, url, isForm ? parseForm(request.body) : {});
}
