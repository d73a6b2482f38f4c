/**
 * End-to-end through the sandbox: the built Lambda bundles behind the API Gateway emulator, the Twilio
 * emulator driven by the real `twilio` resource classes, and the sample agent.
 */
import { startSandbox, type Sandbox } from '../../sandbox';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
});

afterAll(async () => {
  await sandbox?.stop();
});

const conferenceOf = (callSid: string) => `conf-${callSid}`;

it('puts an inbound caller into their own conference and adds the agent with the caller’s context', async () => {
  // Act
  const { callSid } = await sandbox.placeInboundCall({ from: '+15557654321' });
  const session = await sandbox.agent!.waitForSession((s) => s.customParameters?.callerCallSid === callSid);

  // Assert
  expect(session.customParameters).toEqual({ caller: '+15557654321', callerCallSid: callSid, conference: conferenceOf(callSid) });
  const labels = sandbox.twilio.participants(conferenceOf(callSid)).map((p) => p.label).sort();
  expect(labels).toEqual(['ai-agent', 'caller']);
});
