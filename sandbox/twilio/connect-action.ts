/**
 * The noun-specific parameters of a `<Connect action>` request (pure). TwiML <Connect>
 * (https://www.twilio.com/docs/voice/twiml/connect): "When the <Connect> verb ends, Twilio sends an HTTP request to
 * this URL with Twilio's standard request parameters along with some parameters specific to the nested noun."
 * ConversationRelay ("TwiML Voice: <ConversationRelay>", https://www.twilio.com/docs/voice/twiml/connect/conversationrelay)
 * adds `SessionId`, `SessionStatus`, `SessionDuration` (seconds) and `HandoffData` when the app ended the session
 * with an `end` message carrying `handoffData` (ConversationRelay WebSocket messages,
 * https://www.twilio.com/docs/voice/conversationrelay/websocket-messages). The SessionStatus values are
 * UNCONFIRMED: `ended` (the app closed or ended the session), `completed` (the call ended it), `failed` (the
 * WebSocket failed). `<Stream>` adds nothing beyond the standard call parameters.
 */
import type { StreamEnd } from './media-stream';

/** How the session behind a `<Connect>` ended: as the stream reported it, or because the call ended. */
export type ConnectEnd = StreamEnd | 'call-ended';

/** The parameters `<Connect><noun>` adds to its action request. */
export function connectActionParams(
  noun: string,
  sessionId: string,
  end: ConnectEnd,
  durationSeconds: number,
): Record<string, string> {
  if (noun !== 'ConversationRelay') return {};
  const status = end === 'call-ended' ? 'completed' : end.by === 'error' ? 'failed' : 'ended';
  const handoffData = end !== 'call-ended' && end.by === 'agent' ? end.handoffData : undefined;
  return {
    SessionId: sessionId,
    SessionStatus: status,
    SessionDuration: String(durationSeconds),
    ...(handoffData !== undefined && { HandoffData: handoffData }),
  };
}
