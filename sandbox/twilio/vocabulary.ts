/**
 * Event names Twilio accepts where a status callback is subscribed, shared by the REST resources and the TwiML
 * checker so the emulator refuses the same values everywhere.
 */

/** `StatusCallbackEvent` of a call leg (Twilio docs: Call resource, Conference Participant resource, TwiML <Dial> nouns). */
export const CALL_EVENTS: ReadonlySet<string> = new Set(['initiated', 'ringing', 'answered', 'completed']);

/** `statusCallbackEvent` / `ConferenceStatusCallbackEvent` of a conference (Twilio docs: TwiML Voice: <Conference>). */
export const CONFERENCE_EVENTS: ReadonlySet<string> = new Set([
  'start',
  'end',
  'join',
  'leave',
  'mute',
  'hold',
  'modify',
  'speaker',
  'announcement',
]);
