/**
 * Pure TwiML builders. They write through `twiml-writer.ts`, which escapes every attribute and text value and is
 * proven to write exactly what twilio's own `VoiceResponse` writes for these verbs.
 */
import type { AgentTwimlConfig, ConferenceConfig } from './config';
import { element, text, twimlResponse } from './twiml-writer';

/** The conference events the stack subscribes to; the first participant's TwiML fixes them for the conference. */
export const CONFERENCE_EVENTS = ['start', 'end', 'join', 'leave', 'mute', 'hold', 'modify'] as const;

/** What the caller's conference TwiML needs besides the static conference settings. */
export interface ConferenceTwimlInput {
  readonly conferenceName: string;
  /** The events route, with the per-call context query the events handler needs. */
  readonly statusCallbackUrl: string;
}

/**
 * TwiML that puts the caller into their own conference, labelled, with conference events sent to the stack.
 * The caller starts the conference (they hear `waitUrl` until the agent joins) and, by default, ends it on exit.
 */
export function conferenceTwiml(input: ConferenceTwimlInput, config: ConferenceConfig): string {
  const conference = element(
    'Conference',
    {
      participantLabel: config.callerLabel,
      startConferenceOnEnter: true,
      endConferenceOnExit: config.endConferenceOnCallerExit,
      beep: config.beep,
      jitterBufferSize: config.jitterBufferSize,
      waitUrl: config.waitUrl,
      maxParticipants: config.maxParticipants,
      statusCallback: input.statusCallbackUrl,
      statusCallbackMethod: 'POST',
      statusCallbackEvent: CONFERENCE_EVENTS,
    },
    text(input.conferenceName),
  );
  return twimlResponse(element('Dial', {}, conference));
}

/** One context value handed to the agent as a `<Parameter>`. */
export interface AgentParameter {
  readonly name: string;
  readonly value: string;
}

/**
 * TwiML for the agent leg: `<Connect><Stream>` (default), `<Connect><ConversationRelay>`, or the story's demo
 * (`<Play>` then `<Hangup>`). Context values become `<Parameter>` children.
 */
export function agentTwiml(
  parameters: readonly AgentParameter[],
  config: AgentTwimlConfig,
  /** Where Twilio reports the end of the stream or session (`<Connect action>`). */
  actionUrl?: string,
): string {
  if (config.mode === 'play') {
    return twimlResponse(element('Play', {}, text(config.playUrl as string)), element('Hangup', {}));
  }
  const parameterElements = parameters.map(({ name, value }) => element('Parameter', { name, value }));
  const relay = config.conversationRelay;
  const target =
    config.mode === 'conversation-relay'
      ? element(
          'ConversationRelay',
          {
            url: config.streamUrl,
            welcomeGreeting: relay.welcomeGreeting,
            language: relay.language,
            ttsProvider: relay.ttsProvider,
            voice: relay.voice,
            transcriptionProvider: relay.transcriptionProvider,
            interruptible: relay.interruptible,
            dtmfDetection: relay.dtmfDetection,
          },
          ...parameterElements,
        )
      : element('Stream', { url: config.streamUrl }, ...parameterElements);
  const connectAttributes = actionUrl === undefined ? {} : { action: actionUrl, method: 'POST' };
  return twimlResponse(element('Connect', connectAttributes, target));
}

/** TwiML that ends a leg quietly: the agent leg's fallback, so a failing agent never talks into the conference. */
export function hangupTwiml(): string {
  return twimlResponse(element('Hangup', {}));
}

/** TwiML that tells the caller nobody can take the call and hangs up: the deliberate end of the recovery ladder. */
export function fallbackMessageTwiml(message: string): string {
  return twimlResponse(element('Say', {}, text(message)), element('Hangup', {}));
}

/** TwiML that sends the leg to another TwiML URL (POST): a warm handoff reconnects the agent so it can brief. */
export function redirectTwiml(url: string): string {
  return twimlResponse(element('Redirect', { method: 'POST' }, text(url)));
}
