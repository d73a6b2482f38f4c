/** What the TwiML App's handler returns for the agent leg: a stream, a ConversationRelay session, or audio. */
import { CONFIG_DEFAULTS } from './defaults';
import { bool, ConfigError, type Env, isLoopback, list, oneOf, optional, url } from './read';

export const AGENT_TWIML_ENV = {
  agentMode: 'AGENT_MODE',
  agentStreamUrl: 'AGENT_STREAM_URL',
  agentPlayUrl: 'AGENT_PLAY_URL',
  agentContextAllowlist: 'AGENT_CONTEXT_ALLOWLIST',
  relayWelcomeGreeting: 'CONVERSATION_RELAY_WELCOME_GREETING',
  relayLanguage: 'CONVERSATION_RELAY_LANGUAGE',
  relayTtsProvider: 'CONVERSATION_RELAY_TTS_PROVIDER',
  relayVoice: 'CONVERSATION_RELAY_VOICE',
  relayTranscriptionProvider: 'CONVERSATION_RELAY_TRANSCRIPTION_PROVIDER',
  relayInterruptible: 'CONVERSATION_RELAY_INTERRUPTIBLE',
  relayDtmfDetection: 'CONVERSATION_RELAY_DTMF_DETECTION',
} as const;

/** What the agent leg can run. */
export const AGENT_MODES = ['stream', 'conversation-relay', 'play'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

/** ConversationRelay attributes the agent TwiML carries. */
export interface ConversationRelayConfig {
  readonly welcomeGreeting?: string;
  readonly language?: string;
  readonly ttsProvider?: string;
  readonly voice?: string;
  readonly transcriptionProvider?: string;
  readonly interruptible?: string;
  readonly dtmfDetection?: boolean;
}

/** What the TwiML App's handler returns for the agent leg. */
export interface AgentTwimlConfig {
  readonly mode: AgentMode;
  readonly streamUrl?: string;
  readonly playUrl?: string;
  /** Context keys passed on to the agent; every other custom parameter is dropped. */
  readonly contextAllowlist: readonly string[];
  readonly conversationRelay: ConversationRelayConfig;
}

/**
 * Reads the context names the agent receives; the participants API refuses others up front, the agent handler
 * drops them.
 */
export function readContextAllowlist(env: Env): readonly string[] {
  const contextAllowlist = list(env, AGENT_TWIML_ENV.agentContextAllowlist, CONFIG_DEFAULTS.agentContextAllowlist);
  for (const name of contextAllowlist) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      throw new ConfigError(
        AGENT_TWIML_ENV.agentContextAllowlist,
        'must be a comma-separated list of names (letters, digits, _ . -)',
      );
    }
  }
  return contextAllowlist;
}

/** Reads what the agent leg's TwiML does. */
export function readAgentTwimlConfig(env: Env): AgentTwimlConfig {
  const E = AGENT_TWIML_ENV;
  const mode = oneOf(env, E.agentMode, AGENT_MODES, CONFIG_DEFAULTS.agentMode);
  const streamUrl = url(env, E.agentStreamUrl, ['wss:', 'ws:'], mode !== 'play');
  // Twilio only connects to wss://; plain ws:// is accepted for loopback hosts so the local sandbox needs no TLS.
  if (streamUrl !== undefined && new URL(streamUrl).protocol === 'ws:' && !isLoopback(new URL(streamUrl).hostname)) {
    throw new ConfigError(E.agentStreamUrl, 'must be a wss:// URL (ws:// is accepted only for 127.0.0.1 or localhost)');
  }
  if (streamUrl !== undefined && new URL(streamUrl).search !== '') {
    throw new ConfigError(E.agentStreamUrl, 'must not carry a query string (context goes in <Parameter> elements)');
  }
  const playUrl = url(env, E.agentPlayUrl, ['http:', 'https:'], mode === 'play');
  const contextAllowlist = readContextAllowlist(env);
  return {
    mode,
    streamUrl,
    playUrl,
    contextAllowlist,
    conversationRelay: {
      welcomeGreeting: optional(env, E.relayWelcomeGreeting),
      language: optional(env, E.relayLanguage),
      ttsProvider: optional(env, E.relayTtsProvider),
      voice: optional(env, E.relayVoice),
      transcriptionProvider: optional(env, E.relayTranscriptionProvider),
      interruptible: optional(env, E.relayInterruptible),
      dtmfDetection: bool(env, E.relayDtmfDetection, CONFIG_DEFAULTS.relayDtmfDetection),
    },
  };
}
