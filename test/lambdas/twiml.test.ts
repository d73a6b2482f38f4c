import { readAgentTwimlConfig, readConferenceConfig } from '../../lambdas/shared/config';
import { agentTwiml, conferenceTwiml, hangupTwiml } from '../../lambdas/shared/twiml';

describe('conferenceTwiml', () => {
  it('puts the caller into the named conference with label, events and AI-friendly defaults', () => {
    const xml = conferenceTwiml(
      {
        conferenceName: 'conf-CA1',
        statusCallbackUrl: 'https://x.example.com/twilio/conference/events?caller=%2B1&callerCallSid=CA1',
      },
      readConferenceConfig({}),
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference participantLabel="caller" startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" jitterBufferSize="small" waitUrl="" maxParticipants="10" statusCallback="https://x.example.com/twilio/conference/events?caller=%2B1&amp;callerCallSid=CA1" statusCallbackMethod="POST" statusCallbackEvent="start end join leave mute hold modify">conf-CA1</Conference></Dial></Response>',
    );
  });

  it('uses configured wait music, beep and buffer', () => {
    const config = readConferenceConfig({
      CONFERENCE_WAIT_URL: 'https://music.example.com/hold.mp3',
      CONFERENCE_BEEP: 'onEnter',
      CONFERENCE_JITTER_BUFFER_SIZE: 'large',
      CONFERENCE_END_ON_CALLER_EXIT: 'false',
    });
    const xml = conferenceTwiml({ conferenceName: 'c', statusCallbackUrl: 'https://x/e' }, config);
    expect(xml).toContain('waitUrl="https://music.example.com/hold.mp3"');
    expect(xml).toContain('beep="onEnter"');
    expect(xml).toContain('jitterBufferSize="large"');
    expect(xml).toContain('endConferenceOnExit="false"');
  });
});

describe('agentTwiml', () => {
  const parameters = [
    { name: 'caller', value: '+15557654321' },
    { name: 'note', value: '<b>"quoted" & \'single\'</b>' },
  ];

  it('connects a Media Stream with one escaped Parameter per context value', () => {
    const xml = agentTwiml(parameters, readAgentTwimlConfig({ AGENT_STREAM_URL: 'wss://agent.example.com/media' }));
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example.com/media"><Parameter name="caller" value="+15557654321"/><Parameter name="note" value="&lt;b>&quot;quoted&quot; &amp; \'single\'&lt;/b>"/></Stream></Connect></Response>',
    );
  });

  it('connects ConversationRelay with its configured attributes', () => {
    const config = readAgentTwimlConfig({
      AGENT_MODE: 'conversation-relay',
      AGENT_STREAM_URL: 'wss://relay.example.com/ws',
      CONVERSATION_RELAY_WELCOME_GREETING: 'Hi! How can I help?',
      CONVERSATION_RELAY_LANGUAGE: 'en-US',
      CONVERSATION_RELAY_TTS_PROVIDER: 'ElevenLabs',
      CONVERSATION_RELAY_VOICE: 'UgBBYS2sOqTuMpoF3BR0',
      CONVERSATION_RELAY_TRANSCRIPTION_PROVIDER: 'Deepgram',
      CONVERSATION_RELAY_DTMF_DETECTION: 'true',
    });
    const xml = agentTwiml(parameters.slice(0, 1), config);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><ConversationRelay url="wss://relay.example.com/ws" welcomeGreeting="Hi! How can I help?" language="en-US" ttsProvider="ElevenLabs" voice="UgBBYS2sOqTuMpoF3BR0" transcriptionProvider="Deepgram" dtmfDetection="true"><Parameter name="caller" value="+15557654321"/></ConversationRelay></Connect></Response>',
    );
  });

  it('plays the demo audio and hangs up in play mode', () => {
    const xml = agentTwiml(
      parameters,
      readAgentTwimlConfig({ AGENT_MODE: 'play', AGENT_PLAY_URL: 'https://demo.twilio.com/docs/cowbell.mp3' }),
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://demo.twilio.com/docs/cowbell.mp3</Play><Hangup/></Response>',
    );
  });

  it('hangs up quietly as the fallback', () => {
    expect(hangupTwiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  });
});
