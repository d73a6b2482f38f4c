/**
 * Realistic first events for each handler, built with the tests' own helpers so they are signed exactly as
 * Twilio signs them and shaped exactly as API Gateway (HTTP API, payload 2.0) delivers them.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  apiGatewayEvent,
  APP_SID,
  baseEnv,
  callParams,
  conferenceEventParams,
  sid,
  twilioEvent,
} from '../../test/lambdas/support/events';
import { encodeContext } from '../../lambdas/shared/agent-context';

export type HandlerName = 'inbound' | 'agent' | 'events' | 'participants';
export const HANDLERS: readonly HandlerName[] = ['inbound', 'agent', 'events', 'participants'];
/** TwiML handlers answer from memory; REST handlers make one Twilio REST call per event. */
export const KIND: Record<HandlerName, 'twiml' | 'rest'> = {
  inbound: 'twiml',
  agent: 'twiml',
  events: 'rest',
  participants: 'rest',
};

export const API_TOKEN = 'api-token-abcdefghijklmnopqrstuvwxyz';

/** Headers API Gateway adds to every request; part of what a handler parses. */
const GATEWAY_HEADERS = {
  'x-amzn-trace-id': 'Root=1-6743a2b1-3c0f8e2d4a5b6c7d8e9f0a1b',
  'x-forwarded-for': '54.172.60.1',
  'x-forwarded-port': '443',
  'x-forwarded-proto': 'https',
  accept: '*/*',
  'cache-control': 'max-age=259200',
};

/** Location fields and a CallToken as Twilio sends them on a real inbound call (~1.5 KB form body in all). */
function inboundExtras(n: number): Record<string, string> {
  const place = { City: 'SAN FRANCISCO', Country: 'US', State: 'CA', Zip: '94105' };
  const extras: Record<string, string> = { StirVerstat: 'TN-Validation-Passed-A' };
  for (const who of ['Called', 'Caller', 'From', 'To']) for (const [k, v] of Object.entries(place)) extras[who + k] = v;
  extras.CallToken = JSON.stringify({
    parentCallInfoToken: `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(600)}${n}`,
    identityHeaderTokens: [],
  });
  return extras;
}

/** The environment the handlers run with in the bench (local stub for REST; errors-only logging). */
export function benchEnv(stubBaseUrl: string): Record<string, string> {
  return baseEnv({ TWILIO_API_BASE_URL: stubBaseUrl, LOG_LEVEL: 'error' });
}

/** The n-th realistic event for `handler` (distinct CallSids, so no run is served from a warmed-up cache). */
export function eventFor(handler: HandlerName, n = 1): APIGatewayProxyEventV2 {
  const callerCallSid = sid('CA', n);
  const conference = `conf-${callerCallSid}`;
  switch (handler) {
    case 'inbound':
      return twilioEvent({
        path: '/twilio/voice/inbound',
        headers: GATEWAY_HEADERS,
        params: { ...callParams({ CallSid: callerCallSid }), ...inboundExtras(n) },
      });
    case 'agent':
      return twilioEvent({
        path: '/twilio/voice/agent',
        headers: GATEWAY_HEADERS,
        rawQueryString: encodeContext({ caller: '+15557654321', callerCallSid, conference }),
        params: callParams({
          CallSid: sid('CA', 100000 + n),
          To: `app:${APP_SID}`,
          From: '+15550001111',
          Direction: 'inbound',
          CallStatus: 'ringing',
        }),
      });
    case 'events':
      return twilioEvent({
        path: '/twilio/conference/events',
        headers: GATEWAY_HEADERS,
        rawQueryString: encodeContext({ caller: '+15557654321', callerCallSid }),
        params: conferenceEventParams('participant-join', {
          ConferenceSid: sid('CF', n),
          FriendlyName: conference,
          CallSid: callerCallSid,
        }),
      });
    case 'participants':
      return apiGatewayEvent({
        method: 'POST',
        path: `/conferences/${conference}/participants`,
        routeKey: 'POST /conferences/{conference}/participants',
        pathParameters: { conference },
        headers: { ...GATEWAY_HEADERS, authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ context: { ticket: `T-${n}`, language: 'fr-FR', customerId: `cust-${n}` } }),
        base64: false,
      });
  }
}
