/** Baseline `events`: adds the agent when the caller joins, through the whole SDK's REST client. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import twilio from 'twilio';
import { formOf, signedUrlOf, status, type NaiveResponse } from './naive-http';
import { naiveClient } from './naive-rest-client';

const env = process.env;
const client = naiveClient(env.TWILIO_ACCOUNT_SID ?? '', env.TWILIO_AUTH_TOKEN ?? '', env.TWILIO_API_BASE_URL);

/** The Lambda entry point, as API Gateway invokes it. */
export async function handler(event: APIGatewayProxyEventV2): Promise<NaiveResponse> {
  const params = formOf(event);
  if (
    !twilio.validateRequest(
      env.TWILIO_AUTH_TOKEN ?? '',
      event.headers['x-twilio-signature'] ?? '',
      signedUrlOf(event),
      params,
    )
  )
    return status(403);
  if (params.StatusCallbackEvent !== 'participant-join' || params.ParticipantLabel !== 'caller') return status(204);
  const query = new URLSearchParams(event.rawQueryString);
  const context = new URLSearchParams({
    caller: query.get('caller') ?? '',
    callerCallSid: params.CallSid ?? '',
    conference: params.FriendlyName ?? '',
  });
  try {
    await client.conferences(params.ConferenceSid ?? '').participants.create({
      from: env.AGENT_FROM_NUMBER ?? '',
      to: `app:${env.TWIML_APP_SID}?${context.toString()}`,
      label: 'ai-agent',
      timeout: 15,
      beep: 'false',
      startConferenceOnEnter: true,
      endConferenceOnExit: false,
    });
  } catch (error) {
    // 16026: the label is taken, the agent is already there.
    if ((error as { code?: number }).code !== 16026) throw error;
  }
  return status(204);
}
