/**
 * Shared pieces of the hardening tests: the secrets under test and every form they could leak in, output
 * capture (console and raw stdout/stderr), leak and stack-trace detectors, request builders for the four
 * handlers, and handler loading with the whole environment under control.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  apiGatewayEvent,
  baseEnv,
  loadHandler,
  sid,
  type HandlerResponse,
  type TestHandler,
} from '../../lambdas/support/events';

export { ACCOUNT_SID, AUTH_TOKEN, sid };

/** The participants API bearer token of the test environment. */
export const API_TOKEN = baseEnv().PARTICIPANTS_API_TOKEN;
/** An API key secret, for the configuration that uses an API key for REST calls. */
export const API_KEY_SID = `SK${'2'.repeat(32)}`;
export const API_KEY_SECRET = 'test-api-key-secret-ZYXWVUTSRQ9876';

/** Module paths of the handlers (loaded fresh per container by {@link load}). */
export const MODULES = {
  inbound: require.resolve('../../../lambdas/inbound'),
  agent: require.resolve('../../../lambdas/agent'),
  events: require.resolve('../../../lambdas/events'),
  participants: require.resolve('../../../lambdas/participants'),
} as const;
export type HandlerKey = keyof typeof MODULES;

/** Webhook paths Twilio calls. */
export const PATHS = {
  inbound: '/twilio/voice/inbound',
  agent: '/twilio/voice/agent',
  agentFallback: '/twilio/voice/agent-fallback',
  events: '/twilio/conference/events',
} as const;

/** The environment of a hardening run: every log line is emitted (debug) so the scans see everything. */
export function hardeningEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return baseEnv({ LOG_LEVEL: 'debug', ...overrides });
}

/** Loads a handler as a fresh Lambda container with exactly `env`. */
export function load(handler: HandlerKey, env: Record<string, string>): TestHandler {
  return loadHandler(MODULES[handler], env);
}

// ---------------------------------------------------------------------------------------------------------
// Secrets and the forms they could appear in

function base64Windows(value: string, urlSafe: boolean): string[] {
  // A secret inside a larger base64 text is encoded at one of three alignments; keep the characters that
  // depend only on the secret's own bytes.
  const bytes = Buffer.from(value, 'utf8');
  const windows: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const full = Buffer.concat([Buffer.alloc(offset, 0x20), bytes]).toString(urlSafe ? 'base64url' : 'base64');
    const start = Math.ceil((offset * 4) / 3);
    const end = Math.floor(((offset + bytes.length) * 4) / 3);
    windows.push(full.slice(start, end));
  }
  return windows;
}

/** Named forms of a secret: raw, URL-encoded, form-encoded, base64 (three alignments), base64url, JSON-escaped. */
export function secretForms(name: string, value: string): { name: string; needle: string }[] {
  const forms: { name: string; needle: string }[] = [
    { name: `${name} (raw)`, needle: value },
    { name: `${name} (URL-encoded)`, needle: encodeURIComponent(value) },
    { name: `${name} (form-encoded)`, needle: new URLSearchParams({ x: value }).toString().slice(2) },
    { name: `${name} (JSON string)`, needle: JSON.stringify(value).slice(1, -1) },
    ...base64Windows(value, false).map((needle, i) => ({ name: `${name} (base64, alignment ${i})`, needle })),
    ...base64Windows(value, true).map((needle, i) => ({ name: `${name} (base64url, alignment ${i})`, needle })),
  ];
  const unique = new Map(forms.map((f) => [f.needle, f]));
  return [...unique.values()].filter((f) => f.needle.length >= 12);
}

/** Every form of every secret of the test environment, plus the REST Basic credential. */
export const SECRET_NEEDLES = [
  ...secretForms('Twilio Auth Token', AUTH_TOKEN),
  ...secretForms('participants API token', API_TOKEN),
  ...secretForms('API key secret', API_KEY_SECRET),
  {
    name: 'REST Basic credential (Auth Token)',
    needle: Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64'),
  },
  {
    name: 'REST Basic credential (API key)',
    needle: Buffer.from(`${API_KEY_SID}:${API_KEY_SECRET}`).toString('base64'),
  },
];

/**
 * The names (never the values) of the secret forms found in `text`; an empty list means no leak.
 * Case-insensitive for the hex-free URL-encoded forms would be overkill: the secrets are ASCII and the forms
 * above cover every encoding the handlers use.
 */
export function leakedSecrets(text: string): string[] {
  return SECRET_NEEDLES.filter((s) => text.includes(s.needle)).map((s) => s.name);
}

/** Signs of a stack trace or of server file layout in a text. */
const STACK_PATTERNS: { name: string; pattern: RegExp }[] = [
  { name: 'stack frame ("at fn (file:line:col)")', pattern: /\bat [^\n]*?\(?[^\s()]+:\d+:\d+\)?/ },
  { name: 'stack frame line ("\\n    at ")', pattern: /\n\s+at\s/ },
  { name: 'source file reference', pattern: /[\w.-]+\.(?:ts|js|mjs|cjs):\d+/ },
  { name: 'server path', pattern: /(?:\/work\/|\/var\/task\/|\/opt\/nodejs|node_modules|\/home\/|\/tmp\/)/ },
  { name: 'stack property', pattern: /"stack"\s*:/ },
];

/** The names of the stack-trace signs found in `text`. */
export function stackTraceSigns(text: string): string[] {
  return STACK_PATTERNS.filter((s) => s.pattern.test(text)).map((s) => s.name);
}

/** Everything a client sees of a response: status line, headers and body, as one text. */
export function responseText(response: HandlerResponse): string {
  return [
    String(response.statusCode),
    ...Object.entries(response.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    response.body ?? '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Output capture (shared by every suite: test/support/output-capture.ts)

export { OutputCapture } from '../../support/output-capture';

// ---------------------------------------------------------------------------------------------------------
// Participants API requests

export const CONFERENCE = `conf-${sid('CA', 1)}`;
export const CONFERENCE_SID = sid('CF', 5);
export const ACCOUNT_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}`;

export const API_ROUTES = {
  add: 'POST /conferences/{conference}/participants',
  list: 'GET /conferences/{conference}/participants',
  update: 'PATCH /conferences/{conference}/participants/{participant}',
  remove: 'DELETE /conferences/{conference}/participants/{participant}',
  transfer: 'POST /conferences/{conference}/transfers',
  complete: 'POST /conferences/{conference}/transfers/complete',
  cancel: 'POST /conferences/{conference}/transfers/cancel',
  supervise: 'POST /conferences/{conference}/supervisors',
  superviseMode: 'PATCH /conferences/{conference}/supervisors/{participant}',
} as const;

export interface ApiCall {
  routeKey?: string;
  body?: unknown;
  rawBody?: string;
  /** Headers to add; `null` removes a default header (authorization, content-type). */
  headers?: Record<string, string | null>;
  rawQueryString?: string;
  pathParameters?: Record<string, string>;
  base64?: boolean;
}

/** A participants API event as API Gateway delivers it, authenticated with the bearer token unless told otherwise. */
export function apiEvent(call: ApiCall = {}): APIGatewayProxyEventV2 {
  const template = call.routeKey ?? API_ROUTES.add;
  const [method, pathTemplate] = template.split(' ');
  const pathParameters = call.pathParameters ?? {
    conference: CONFERENCE,
    ...(pathTemplate.includes('{participant}') && { participant: 'ai-agent' }),
  };
  const path = pathTemplate
    .replace('{conference}', encodeURIComponent(pathParameters.conference ?? ''))
    .replace('{participant}', encodeURIComponent(pathParameters.participant ?? ''));
  const headers: Record<string, string> = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return apiGatewayEvent({
    method,
    path,
    routeKey: template,
    pathParameters,
    rawQueryString: call.rawQueryString,
    headers,
    body: call.rawBody ?? (call.body === undefined ? '' : JSON.stringify(call.body)),
    base64: call.base64 ?? false,
  });
}

/** The JSON error of a participants API response. */
export function apiError(response: HandlerResponse): {
  code: string;
  message: string;
  field?: string;
  twilioCode?: number;
} {
  return (
    JSON.parse(response.body) as { error: { code: string; message: string; field?: string; twilioCode?: number } }
  ).error;
}

// ---------------------------------------------------------------------------------------------------------
// Webhook parameters

export { conferenceEventParams } from '../../lambdas/support/events';

/** The query the inbound handler puts on the events callback URL. */
export const CALLER_QUERY = `caller=%2B15557654321&callerCallSid=${sid('CA', 1)}`;
