/**
 * The per-test stage of the hardening tests: a Twilio stand-in serving one conference (the caller already in it)
 * and captured console output, fresh for each test; process.env is restored after the describe block.
 */
import { TwilioStub } from '../../lambdas/support/twilio-stub';
import { OutputCapture } from './harness';
import { ConferenceWorld } from './twilio-world';

/** What each test of a describe block gets; read its fields inside tests and hooks (they change per test). */
export interface ConferenceFixture {
  readonly stub: TwilioStub;
  readonly world: ConferenceWorld;
  readonly output: OutputCapture;
}

/** Registers the hooks of the stage in the calling describe block and returns its per-test state. */
export function useConferenceFixture(): ConferenceFixture {
  const savedEnv = process.env;
  const fixture = {} as { stub: TwilioStub; world: ConferenceWorld; output: OutputCapture };
  beforeEach(async () => {
    fixture.stub = await new TwilioStub().start();
    fixture.world = new ConferenceWorld().seed('caller').install(fixture.stub);
    fixture.output = new OutputCapture().start();
  });
  afterEach(async () => {
    fixture.output.stop();
    await fixture.stub.stop();
  });
  afterAll(() => {
    process.env = savedEnv;
  });
  return fixture;
}
