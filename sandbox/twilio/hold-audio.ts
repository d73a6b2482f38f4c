/**
 * What a held participant's `HoldUrl` answer gives them to hear (pure). Participant resource, `HoldUrl`: "The URL may
 * return an MP3 file, a WAV file, or a TwiML document that contains `<Play>`, `<Say>`, `<Pause>`, or `<Redirect>`
 * verbs."
 */
import { CODES } from './errors';
import { parseTwiml, TwimlError } from './twiml-parser';
import type { WebhookResponse } from './webhook-client';

/** The verbs a hold document may use. */
export const HOLD_VERBS: ReadonlySet<string> = new Set(['Play', 'Say', 'Pause', 'Redirect']);

/** Whether the hold audio plays, or why not (a Debugger alert with Twilio's code; the participant hears silence). */
export type HoldAudioOutcome =
  | { readonly status: 'playing'; readonly kind: 'audio' | 'twiml' }
  | { readonly status: 'failed'; readonly code: number; readonly message: string };

/** Judges a HoldUrl answer: an MP3/WAV file or a TwiML document of hold verbs plays; anything else fails. */
export function holdAudioOutcome(
  response: Pick<WebhookResponse, 'status' | 'body' | 'contentType' | 'error'>,
): HoldAudioOutcome {
  if (response.status === null || response.status < 200 || response.status >= 300)
    return {
      status: 'failed',
      code: response.error === 'timeout' ? CODES.httpConnectionFailure : CODES.httpRetrievalFailure,
      message: `HoldUrl answered ${response.status ?? response.error}`,
    };
  const type = response.contentType.split(';')[0].trim().toLowerCase();
  if (/^audio\/(mpeg|mp3|wav|wave|x-wav)$/.test(type)) return { status: 'playing', kind: 'audio' };
  if (!/^(text|application)\/xml$/.test(type))
    return {
      status: 'failed',
      code: CODES.invalidContentType,
      message: `HoldUrl answered Content-Type ${type || '(none)'}`,
    };
  try {
    const verbs = parseTwiml(response.body).response.children.map((verb) => verb.name);
    const other = verbs.find((verb) => !HOLD_VERBS.has(verb));
    if (other !== undefined)
      return { status: 'failed', code: CODES.schemaValidation, message: `<${other}> is not allowed in hold TwiML` };
    return { status: 'playing', kind: 'twiml' };
  } catch (error) {
    if (!(error instanceof TwimlError)) throw error;
    return { status: 'failed', code: error.code, message: error.message };
  }
}
