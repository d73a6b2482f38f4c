/** The sandbox with the agent in ConversationRelay mode: the agent receives `setup` with the call's context. */
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    quiet: true,
    agentMode: 'conversation-relay',
    config: { relayWelcomeGreeting: 'Hi! How can I help?', relayLanguage: 'en-US' },
  });
});

afterAll(async () => {
  await sandbox?.stop();
});

it('connects the agent through ConversationRelay with the caller’s context in setup', async () => {
  // Act
  const { callSid } = await sandbox.placeInboundCall({ from: '+15550000042' });
  const session = await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);

  // Assert
  expect(session.kind).toBe('conversation-relay');
  expect(session.events[0]).toBe('setup');
  expect(session.customParameters).toEqual({
    caller: '+15550000042',
    callerCallSid: callSid,
    conference: `conf-${callSid}`,
  });
  const twiml =
    sandbox.twilio.webhooks.find((w) => w.purpose === 'app-voice-url' && w.url.includes(callSid))?.responseBody ?? '';
  expect(twiml).toContain('<ConversationRelay');
  expect(twiml).toContain('welcomeGreeting="Hi! How can I help?"');
});
