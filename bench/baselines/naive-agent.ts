/** Baseline `agent`: `<Connect><Stream>` with the allowed custom parameters, using the whole SDK. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import twilio from 'twilio';
import { formOf, signedUrlOf, status, xml, type NaiveResponse } from './naive-http';

const authToken = process.env.TWILIO_AUTH_TOKEN ?? '';
const streamUrl = process.env.AGENT_STREAM_URL ?? '';
const allowed = new Set(['caller', 'callerCallSid', 'conference', 'customerId', 'ticket', 'language']);

/** The Lambda entry point, as API Gateway invokes it. */
export async function handler(event: APIGatewayProxyEventV2): Promise<NaiveResponse> {
  const params = formOf(event);
  if (!twilio.validateRequest(authToken, event.headers['x-twilio-signature'] ?? '', signedUrlOf(event), params))
    return status(403);
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({ url: streamUrl });
  for (const [name, value] of new URLSearchParams(event.rawQueryString)) {
    if (allowed.has(name) && value.length < 500) stream.parameter({ name, value });
  }
  return xml(response.toString());
}
