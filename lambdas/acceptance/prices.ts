/**
 * What one acceptance call costs: Twilio's published US list prices, in one place. The figures were taken from
 * Twilio's US voice pricing page and support articles; they were NOT re-read from this machine (no internet), so
 * check them against `source` before quoting them. Twilio bills every leg (every Call SID) by the started minute
 * ("How are Twilio voice and calling product minutes rounded for billing?",
 * https://support.twilio.com/hc/en-us/articles/223132307), and a conference adds a per-participant-minute price on
 * top of the legs' minutes.
 */

/** One billed item of the test call. */
export interface Price {
  readonly what: string;
  readonly usdPerMinute: number;
  readonly source: string;
}

const US_VOICE_PRICING = 'https://www.twilio.com/en-us/voice/pricing/us';

/** Twilio's US per-minute prices for the legs one acceptance call creates. */
export const TWILIO_US_PRICES = {
  /** The test call: an API-created call to the stack's (US) number. */
  outboundCall: { what: 'test call (outbound to a US number)', usdPerMinute: 0.014, source: US_VOICE_PRICING },
  /** The same call arriving on the stack's number (local; volume-pricing article: $0.0085/min). */
  inboundLocal: {
    what: 'the call arriving on the stack’s number (US local)',
    usdPerMinute: 0.0085,
    source: 'https://support.twilio.com/hc/en-us/articles/223183328',
  },
  /** The agent leg: an `app:` leg of the TwiML App, billed as a Voice SDK (Client) leg. */
  agentLeg: { what: 'agent leg (app:, Voice SDK rate)', usdPerMinute: 0.004, source: US_VOICE_PRICING },
  /** `<Connect><Stream>` minutes of the agent leg (agentMode stream). */
  mediaStreams: { what: 'Media Streams on the agent leg', usdPerMinute: 0.004, source: US_VOICE_PRICING },
  /** `<Connect><ConversationRelay>` minutes of the agent leg (agentMode conversation-relay), instead of Media Streams. */
  conversationRelay: {
    what: 'ConversationRelay on the agent leg',
    usdPerMinute: 0.07,
    source: 'https://www.twilio.com/en-us/products/conversational-ai/conversationrelay',
  },
  /** Conference, per participant minute (caller and agent). */
  conferenceParticipant: {
    what: 'conference, per participant (caller and agent)',
    usdPerMinute: 0.0018,
    source: US_VOICE_PRICING,
  },
} as const satisfies Record<string, Price>;
