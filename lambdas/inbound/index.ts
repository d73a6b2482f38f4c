/**
 * The phone number's voice webhook: answers an inbound call with TwiML that puts the caller into a conference
 * of their own, labelled, with the conference's events sent to the events route.
 */
import { carriedCallToken, encodeCallerState } from '../shared/call-state';
import { once, readConferenceConfig, readTwilioConfig, readWebhookConfig } from '../shared/config';
import { isCallSid } from '../shared/identifiers';
import { formValue, textResponse, xmlResponse } from '../shared/http';
import { maskPhone } from '../shared/log';
import { routeUrl } from '../shared/signature';
import { conferenceTwiml } from '../shared/twiml';
import { twilioWebhook } from '../shared/webhook';
import { TWILIO_PATHS } from '../routes';

const loadConfig = once(() => ({
  twilio: readTwilioConfig(process.env),
  webhook: readWebhookConfig(process.env),
  conference: readConferenceConfig(process.env),
}));

/** The conference of one call: URL-safe (it goes into REST paths) and free of personal data. */
export function conferenceNameFor(callSid: string, prefix: string): string {
  return `${prefix}${callSid}`;
}

export const handler = twilioWebhook('inbound', loadConfig, async ({ request, params, config, log }) => {
  const callSid = formValue(params, 'CallSid') ?? '';
  if (!isCallSid(callSid)) return textResponse(400, 'Bad Request: CallSid missing or malformed');
  const caller = formValue(params, 'From') ?? '';
  const conferenceName = conferenceNameFor(callSid, config.conference.namePrefix);
  // Twilio's CallToken lets a transfer present the caller's number to the human: carried (a secret: never logged)
  // on the signed callback URL, unless it is too long for one.
  const token = formValue(params, 'CallToken');
  const callToken = carriedCallToken(token);
  // The conference is per call, so its status callback URL can carry the caller's context to the events
  // handler; the signature covers the query, so it cannot be forged.
  const statusCallbackUrl = `${routeUrl(request, config.webhook, TWILIO_PATHS.events)}?${encodeCallerState({
    caller,
    callerCallSid: callSid,
    callToken,
  })}`;
  log.info('caller sent to conference', {
    conference: conferenceName,
    from: maskPhone(caller),
    callToken: callToken !== undefined ? 'carried' : token === undefined || token === '' ? 'none' : 'too long',
  });
  return xmlResponse(conferenceTwiml({ conferenceName, statusCallbackUrl }, config.conference));
});
