/** Baseline `inbound`: the same TwiML as ours, written with `require('twilio')` of the whole SDK. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import twilio from 'twilio';
import { formOf, signedUrlOf, status, xml, type NaiveResponse } from './naive-http';

const authToken = process.env.TWILIO_AUTH_TOKEN ?? '';

/** The Lambda entry point, as API Gateway invokes it. */
export async function handler(event: APIGatewayProxyEventV2): Promise<NaiveResponse> {
  const params = formOf(event);
  const url = signedUrlOf(event);
  if (!twilio.validateRequest(authToken, event.headers['x-twilio-signature'] ?? '', url, params)) return status(403);
  const callSid = params.CallSid ?? '';
  if (!/^CA[0-9a-fA-F]{32}$/.test(callSid)) return status(400);
  const query = new URLSearchParams({ caller: params.From ?? '', callerCallSid: callSid }).toString();
  const response = new twilio.twiml.VoiceResponse();
  response.dial().conference(
    {
      participantLabel: 'caller',
      startConferenceOnEnter: true,
      endConferenceOnExit: true,
      beep: 'false',
      jitterBufferSize: 'small',
      waitUrl: '',
      maxParticipants: 10,
      statusCallback: `https://${event.requestContext.domainName}/twilio/conference/events?${query}`,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify'],
    },
    `conf-${callSid}`,
  );
  return xml(response.toString());
}
