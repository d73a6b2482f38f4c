/**
 * Baseline `participants` (add-agent route): bearer check, JSON body, then the same three Twilio requests ours
 * makes, through the whole SDK: the conference looked up by name, its participants listed (the caller's leg is
 * what the agent's status callback recovers for), and the Participants create.
 */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { bodyOf, type NaiveResponse } from './naive-http';
import { naiveClient } from './naive-rest-client';

const env = process.env;
const client = naiveClient(env.TWILIO_ACCOUNT_SID ?? '', env.TWILIO_AUTH_TOKEN ?? '', env.TWILIO_API_BASE_URL);
const expected = Buffer.from(`Bearer ${env.PARTICIPANTS_API_TOKEN ?? ''}`);

function json(statusCode: number, body: unknown): NaiveResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The Lambda entry point, as API Gateway invokes it. */
export async function handler(event: APIGatewayProxyEventV2): Promise<NaiveResponse> {
  const given = Buffer.from(event.headers.authorization ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return json(401, { error: { code: 'unauthorized' } });
  const body = JSON.parse(bodyOf(event) || '{}') as { context?: Record<string, string> };
  const name = event.pathParameters?.conference ?? '';
  const conferences = await client.conferences.list({ friendlyName: name, limit: 20 });
  const active = conferences.find((c) => c.status === 'in-progress') ?? conferences.find((c) => c.status === 'init');
  if (!active) return json(404, { error: { code: 'not_found' } });
  const participants = await client.conferences(active.sid).participants.list({ limit: 250 });
  const caller = participants.find((p) => p.label === 'caller');
  const to = `app:${env.TWIML_APP_SID}?${new URLSearchParams(body.context ?? {}).toString()}`;
  const participant = await client.conferences(active.sid).participants.create({
    from: env.AGENT_FROM_NUMBER ?? '',
    to,
    label: 'ai-agent',
    timeout: 15,
    ...(caller && {
      statusCallback: `https://${event.requestContext.domainName}/twilio/calls/status?callerCallSid=${caller.callSid}`,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    }),
  });
  return json(201, {
    callSid: participant.callSid,
    conferenceSid: participant.conferenceSid,
    label: participant.label,
    status: participant.status,
  });
}
