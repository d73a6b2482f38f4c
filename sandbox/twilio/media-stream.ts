/**
 * The Twilio side of `<Connect><Stream>` (Media Streams) and `<Connect><ConversationRelay>`: a WebSocket client
 * that opens a signed handshake and speaks Twilio's messages. The `<Connect>` lasts until either side closes.
 */
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import WebSocket from 'ws';
import type { Timeline } from './events';
import { newSid } from './sids';

/** How a stream ended: the agent closed it, Twilio did (the call ended), or it failed. */
export type StreamEnd =
  | { by: 'agent'; handoffData?: string }
  | { by: 'twilio' }
  | { by: 'error'; message: string; failure: StreamFailure };

/** What went wrong with a stream's WebSocket: the connection refused, timed out, the handshake not answered 101. */
export type StreamFailure = 'refused' | 'timeout' | 'handshake' | 'other';

/**
 * The Debugger code of a stream whose WebSocket failed, from Twilio's error pages. `<Stream>`: 31902 "Stream -
 * WebSocket - Connection Refused" (https://www.twilio.com/docs/api/errors/31902), 31901 "Connection Timeout" ("didn't
 * receive any response from the server"), 31920 "Handshake Error" ("an HTTP code different from 101"), 31920 for
 * anything else. `<ConversationRelay>`: 64102 "Unable to Connect to Websocket URL" ("There is not a websocket server
 * available at the url", "not responding correctly"; https://www.twilio.com/docs/api/errors/64102).
 */
export function streamFailureCode(kind: StreamOptions['kind'], failure: StreamFailure): number {
  if (kind === 'conversation-relay') return 64102;
  if (failure === 'refused') return 31902;
  if (failure === 'timeout') return 31901;
  return 31920;
}

/** What a stream needs to know about its call. */
export interface StreamOptions {
  readonly kind: 'stream' | 'conversation-relay';
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: string;
  readonly applicationSid: string | null;
  readonly customParameters: Record<string, string>;
  /** `media` frames of 20 ms mulaw silence sent after `start`. */
  readonly mediaFrames: number;
  /** Track names of `start.tracks`. */
  readonly tracks?: readonly string[];
}

/** An open stream: `ended` settles when the socket closes; `stop()` ends it from Twilio's side. */
export interface StreamSession {
  readonly streamSid: string;
  readonly ended: Promise<StreamEnd>;
  stop(): void;
}

/** Opens the WebSocket and runs the Twilio side of the protocol. */
export function openStream(options: StreamOptions, timeline: Timeline): StreamSession {
  const streamSid = options.kind === 'stream' ? newSid('MZ') : newSid('VX');
  let sequence = 0;
  let stoppedByTwilio = false;
  let handoffData: string | undefined;
  // Twilio signs the handshake too: the URL, no POST parameters.
  const socket = new WebSocket(options.url, {
    headers: { 'X-Twilio-Signature': getExpectedTwilioSignature(options.authToken, options.url, {}) },
    handshakeTimeout: 10000,
  });
  const send = (message: Record<string, unknown>, event: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(message));
    timeline.emit({ type: 'stream-message', callSid: options.callSid, streamSid, direction: 'sent', event });
  };

  const ended = new Promise<StreamEnd>((resolve) => {
    let failure: { message: string; kind: StreamFailure } | undefined;
    socket.on('open', () => {
      timeline.emit({
        type: 'stream-started',
        callSid: options.callSid,
        streamSid,
        url: options.url,
        kind: options.kind,
        customParameters: { ...options.customParameters },
      });
      if (options.kind === 'conversation-relay') {
        send(
          {
            type: 'setup',
            sessionId: streamSid,
            callSid: options.callSid,
            parentCallSid: '',
            from: options.from,
            to: options.to,
            forwardedFrom: '',
            callerName: '',
            direction: options.direction,
            callType: 'PSTN',
            callStatus: 'RINGING',
            accountSid: options.accountSid,
            applicationSid: options.applicationSid,
            customParameters: options.customParameters,
          },
          'setup',
        );
        return;
      }
      send({ event: 'connected', protocol: 'Call', version: '1.0.0' }, 'connected');
      send(
        {
          event: 'start',
          sequenceNumber: String(++sequence),
          start: {
            accountSid: options.accountSid,
            streamSid,
            callSid: options.callSid,
            tracks: [...(options.tracks ?? ['inbound'])],
            mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
            customParameters: options.customParameters,
          },
          streamSid,
        },
        'start',
      );
      // 20 ms of mulaw silence (0xFF) per frame, as a phone leg sends it.
      const payload = Buffer.alloc(160, 0xff).toString('base64');
      for (let chunk = 1; chunk <= options.mediaFrames; chunk++) {
        send(
          {
            event: 'media',
            sequenceNumber: String(++sequence),
            media: { track: 'inbound', chunk: String(chunk), timestamp: String((chunk - 1) * 20), payload },
            streamSid,
          },
          'media',
        );
      }
    });
    socket.on('message', (data) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      const event = String(message.event ?? message.type ?? 'unknown');
      timeline.emit({ type: 'stream-message', callSid: options.callSid, streamSid, direction: 'received', event });
      if (options.kind === 'stream' && event === 'mark') {
        // Twilio echoes a mark once the audio before it has played.
        send(
          { event: 'mark', sequenceNumber: String(++sequence), streamSid, mark: (message as { mark?: unknown }).mark },
          'mark',
        );
      }
      if (options.kind === 'conversation-relay' && event === 'end') {
        const data = (message as { handoffData?: unknown }).handoffData;
        handoffData = typeof data === 'string' ? data : data === undefined ? undefined : JSON.stringify(data);
        socket.close(1000);
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const kind = error.code === 'ECONNREFUSED' ? 'refused' : /timed? ?out/i.test(error.message) ? 'timeout' : 'other';
      failure ??= { message: error.message, kind };
    });
    socket.on('unexpected-response', (_req, res) => {
      failure = { message: `handshake answered ${res.statusCode}`, kind: 'handshake' };
      socket.terminate();
    });
    socket.on('close', () => {
      const by = stoppedByTwilio ? 'twilio' : failure ? 'error' : 'agent';
      timeline.emit({ type: 'stream-stopped', callSid: options.callSid, streamSid, by });
      if (by === 'twilio') resolve({ by });
      else if (failure) resolve({ by: 'error', message: failure.message, failure: failure.kind });
      else resolve({ by: 'agent', ...(handoffData !== undefined && { handoffData }) });
    });
  });

  return {
    streamSid,
    ended,
    stop() {
      if (stoppedByTwilio) return;
      stoppedByTwilio = true;
      if (options.kind === 'stream')
        send(
          {
            event: 'stop',
            sequenceNumber: String(++sequence),
            streamSid,
            stop: { accountSid: options.accountSid, callSid: options.callSid },
          },
          'stop',
        );
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000);
      // A peer that never answers the close handshake must not keep the emulator alive.
      const force = setTimeout(() => socket.terminate(), 1000);
      force.unref();
      socket.once('close', () => clearTimeout(force));
    },
  };
}
