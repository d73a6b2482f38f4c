/**
 * `CallToken`s (pure). Twilio sends one with the webhook of an incoming call on a Twilio number; passed on a new
 * call or conference participant, it lets that leg carry the incoming call's caller ID (OpenAPI spec
 * `twilio_api_v2010.json`, CreateParticipant/CreateCall `CallToken`: "A token string needed to invoke a forwarded
 * call. A call_token is generated when an incoming call is received on a Twilio number ... A forwarded call should
 * bear the same CallerID of the original incoming call"; Changelog 2023-10-25 "CallToken support for Conference
 * /Participants API"). Without an accepted token, a phone `From` must be a number of the account or a verified
 * caller ID, else error 21210 ("'From' phone number not verified", https://www.twilio.com/docs/errors/21210).
 *
 * The shape copies what Twilio's webhooks carry: URL-encoded JSON with a signed `parentCallInfoToken` (a JWS over
 * the call SID, from, to and issue time) and `identityHeaderTokens` (SHAKEN PASSporTs; none here). Which calls
 * stay eligible is UNCONFIRMED in Twilio's docs: the emulator accepts a token only while its incoming call is live,
 * and only for that call's own `From`.
 */
import { randomBytes } from 'node:crypto';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A `CallToken` for an incoming call, shaped like Twilio's. */
export function issueCallToken(call: { sid: string; from: string; to: string }, issuedAt: Date): string {
  const header = base64url(JSON.stringify({ alg: 'ES256' }));
  const payload = base64url(
    JSON.stringify({
      callSid: call.sid,
      from: call.from,
      to: call.to,
      iat: String(Math.floor(issuedAt.getTime() / 1000)),
    }),
  );
  const token = `${header}.${payload}.${base64url(randomBytes(64))}`;
  return encodeURIComponent(JSON.stringify({ parentCallInfoToken: token, identityHeaderTokens: [] }));
}

/** The calls a token check looks at. */
export interface TokenCall {
  readonly callToken: string | null;
  readonly from: string;
  readonly status: string;
}

const ENDED = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

/**
 * Whether a create's `From` may be used: an owned or verified number, or the caller ID of a live incoming call
 * whose `CallToken` the create passed.
 */
export function callerIdAccepted(
  from: string,
  callToken: string | undefined,
  ownsCallerId: (from: string) => boolean,
  calls: Iterable<TokenCall>,
): boolean {
  if (ownsCallerId(from)) return true;
  if (callToken === undefined || callToken === '') return false;
  for (const call of calls) if (call.callToken === callToken) return call.from === from && !ENDED.has(call.status);
  return false;
}
