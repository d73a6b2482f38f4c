/**
 * The `<Connect><Stream|ConversationRelay>` verb (https://www.twilio.com/docs/voice/twiml/connect): opens the
 * WebSocket (media-stream.ts), waits until one side closes it or the leg is interrupted, raises the stream's
 * failure code, and requests the verb's `action` URL with what ended the connection. Keeps the open streams so
 * that the engine's stop closes every WebSocket.
 */
import type { CallSession, TwimlSource } from './call-session';
import { connectActionParams } from './connect-action';
import { CODES } from './errors';
import type { Timeline } from './events';
import type { LegLifecycle, VoiceEngineOptions } from './leg-lifecycle';
import { openStream, streamFailureCode, type StreamEnd, type StreamSession } from './media-stream';
import type { AccountState } from './state';
import { parametersOf, type XmlElement } from './twiml-parser';
import { actionSource, type WebhookLoader } from './webhook-loading';

function secondsSince(startedAt: number): number {
  return Math.round((Date.now() - startedAt) / 1000);
}

/** Runs `<Connect>` verbs and owns the WebSockets they open. */
export class ConnectVerb {
  private readonly streams = new Set<StreamSession>();

  constructor(
    private readonly state: AccountState,
    private readonly legs: LegLifecycle,
    private readonly loader: WebhookLoader,
    private readonly timeline: Timeline,
    private readonly options: VoiceEngineOptions,
  ) {}

  /** `<Connect><Stream|ConversationRelay>`: opens the WebSocket and waits until one side closes it. */
  async run(
    session: CallSession,
    connect: XmlElement,
    signal: AbortSignal,
  ): Promise<TwimlSource | undefined | 'continue'> {
    const noun = connect.children[0];
    if (!noun || (noun.name !== 'Stream' && noun.name !== 'ConversationRelay')) {
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: `<Connect><${noun?.name ?? ''}> is not emulated`,
        callSid: session.call.sid,
      });
      return 'continue';
    }
    const url = noun.attributes.url;
    const target = /^wss?:\/\//.test(url) ? new URL(url) : undefined;
    const loopback = target && ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname);
    // Twilio accepts wss:// only; plain ws:// is allowed here for local agents on loopback.
    if (!target || (target.protocol !== 'wss:' && !loopback)) {
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: `<${noun.name}> url must be wss://, got ${url}`,
        callSid: session.call.sid,
      });
      await this.legs.finish(session, 'completed');
      return undefined;
    }
    if (target.search)
      this.timeline.alert({
        code: CODES.schemaValidation,
        message: `<${noun.name}> url must not carry a query string; use <Parameter>`,
        callSid: session.call.sid,
      });
    const customParameters = parametersOf(noun);
    for (const [name, value] of Object.entries(customParameters)) {
      if (name.length >= 500 || value.length >= 500)
        this.timeline.alert({
          code: CODES.schemaValidation,
          message: `<Parameter ${name.slice(0, 40)}> is 500 characters or more`,
          callSid: session.call.sid,
        });
    }
    const openedAt = Date.now();
    const stream = openStream(
      {
        kind: noun.name === 'Stream' ? 'stream' : 'conversation-relay',
        url,
        accountSid: this.state.accountSid,
        authToken: this.state.authToken,
        callSid: session.call.sid,
        from: session.call.from,
        to: session.call.to,
        direction: session.call.direction,
        applicationSid: session.call.applicationSid,
        customParameters,
        mediaFrames: this.options.mediaFrames,
      },
      this.timeline,
    );
    this.streams.add(stream);
    void stream.ended.then(() => this.streams.delete(stream));
    const aborted = new Promise<'aborted'>((resolve) =>
      signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    );
    const outcome: StreamEnd | 'aborted' = await Promise.race([stream.ended, aborted]);
    const connectAction = connect.attributes.action;
    if (outcome === 'aborted') {
      stream.stop();
      await stream.ended;
      // TwiML <Connect> (https://www.twilio.com/docs/voice/twiml/connect): "When the <Connect> verb ends, Twilio
      // sends an HTTP request to this URL". A leg that hung up still reports it; its answer has nothing to run on.
      if (session.ended && connectAction)
        this.loader.notifyAfterHangup(
          session,
          actionSource(
            session,
            connectAction,
            connect.attributes.method,
            connectActionParams(noun.name, stream.streamSid, 'call-ended', secondsSince(openedAt)),
          ),
        );
      return undefined;
    }
    if (outcome.by === 'error') {
      this.timeline.alert({
        code: streamFailureCode(noun.name === 'Stream' ? 'stream' : 'conversation-relay', outcome.failure),
        message: `WebSocket ${url} failed: ${outcome.message}`,
        callSid: session.call.sid,
        url,
      });
    }
    // TwiML <Connect>: with an action URL Twilio requests it and runs the TwiML it returns; without one, "<Connect>
    // will finish and Twilio will move on to the next TwiML verb ... If there is no further verb, Twilio will end
    // the phone call."
    if (connectAction)
      return actionSource(
        session,
        connectAction,
        connect.attributes.method,
        connectActionParams(noun.name, stream.streamSid, outcome, secondsSince(openedAt)),
      );
    return 'continue';
  }

  /** Closes every open WebSocket; resolves once all are closed. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.streams].map((stream) => {
        stream.stop();
        return stream.ended;
      }),
    );
  }
}
