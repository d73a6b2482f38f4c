/**
 * How `npm start -- --serve` ends its calls before stopping: a call placed a moment before the stop still gets its
 * inbound webhook answered by the function, so no request is cut off and the Twilio Debugger stays quiet.
 */
import { startSandbox } from '../../sandbox';
import { hangUpLiveCalls } from '../../sandbox/shutdown';

it('when a call is placed just before the stop, its inbound webhook is answered and no debugger alert is raised', async () => {
  // Arrange: the inbound webhook has just left; it cannot have reached the API yet
  const sandbox = await startSandbox({ quiet: true });
  const { callSid } = await sandbox.placeInboundCall();

  // Act
  const callers = await hangUpLiveCalls(sandbox);
  await sandbox.stop();

  // Assert
  expect(callers).toBe(1);
  expect(sandbox.api.invocations.map((i) => [i.handler, i.callSid, i.status])).toEqual([['inbound', callSid, 200]]);
  expect(sandbox.twilio.call(callSid)?.status).toBe('canceled');
  expect(sandbox.twilio.alerts).toEqual([]);
});
