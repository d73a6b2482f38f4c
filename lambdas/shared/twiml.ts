/**
 * Pure TwiML builders. They use twilio's own VoiceResponse (deep import: the TwiML module alone, not the REST
 * client), which escapes every attribute and text value.
 */
import VoiceResponse from 'twilio/lib/twiml/VoiceResponse';
import type { AgentTwimlConfig, ConferenceConfig } from './config';

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
  const response = new VoiceResponse();
  const dial = response.dial();
  dial.conference(
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
      statusCallbackEvent: [...CONFERENCE_EVENTS],
    },
    input.conferenceName,
  );
  return response.toString();
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
  const response = new VoiceResponse();
  if (config.mode === 'play') {
    response.play(config.playUrl as string);
    response.hangup();
    return response.toString();
  }
  const connect = response.connect(actionUrl === undefined ? {} : { action: actionUrl, method: 'POST' });
  const relay = config.conversationRelay;
  const target =
    config.mode === 'conversation-relay'
      ? connect.conversationRelay({
          url: config.streamUrl,
          ...(relay.welcomeGreeting !== undefined && { welcomeGreeting: relay.welcomeGreeting }),
          ...(relay.language !== undefined && { language: relay.language }),
          ...(relay.ttsProvider !== undefined && { ttsProvider: relay.ttsProvider }),
          ...(relay.voice !== undefined && { voice: relay.voice }),
          ...(relay.transcriptionProvider !== undefined && { transcriptionProvider: relay.transcriptionProvider }),
          ...(relay.interruptible !== undefined && { interruptible: relay.interruptible }),
          ...(relay.dtmfDetection !== undefined && { dtmfDetection: relay.dtmfDetection }),
        })
      : connect.stream({ url: config.streamUrl });
  for (const { name, value } of parameters) target.parameter({ name, value });
  return response.toString();
}

/** TwiML that ends a leg quietly: the agent leg's fallback, so a failing agent never talks into the conference. */
export function hangupTwiml(): string {
  const response = new VoiceResponse();
  response.hangup();
  return response.toString();
}

/** TwiML that tells the caller nobody can take the call and hangs up: the deliberate end of the recovery ladder. */
export function fallbackMessageTwiml(message: string): string {
  const response = new VoiceResponse();
  response.say(message);
  response.hangup();
  return response.toString();
}
