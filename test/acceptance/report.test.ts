/** The acceptance call's outcome as Markdown (the deploy job's summary), pure. */
import { notRunMarkdown, summaryMarkdown } from '../../lambdas/acceptance/report';
import type { AcceptanceResult, StepOutcome } from '../../lambdas/acceptance/run';
import type { CallLeg } from '../../lambdas/acceptance/records';

const at = (seconds: number) => new Date(Date.UTC(2025, 0, 2, 12, 0, seconds));
const leg = (sid: string, created: number, started: number | null): CallLeg => ({
  sid,
  from: '+15550002222',
  to: '+15550001111',
  direction: 'outbound-api',
  status: 'in-progress',
  parentCallSid: null,
  dateCreated: at(created),
  startTime: started === null ? null : at(started),
  endTime: null,
});
const step = (id: StepOutcome['id'], title: string, ok: boolean, detail: string, atMs: number): StepOutcome => ({
  id,
  title,
  ok,
  detail,
  atMs,
});

const PASSED: AcceptanceResult = {
  ok: true,
  steps: [
    step('dial', 'Twilio places the test call', true, 'CA1 queued', 400),
    step('agentJoined', 'the AI agent joins the conference', true, 'CA3 "ai-agent" connected', 4200),
  ],
  observations: {
    outbound: leg('CA1', 0, 1),
    agentCall: leg('CA3', 2, 3),
    seenMs: { created: 350, agentConnected: 4150.4 },
  },
  legs: [],
};

const FAILED: AcceptanceResult = {
  ok: false,
  steps: [step('agentJoined', 'the AI agent joins the conference', false, 'no agent after 30 s | gave up', 30000)],
  failure: {
    step: 'agentJoined',
    title: 'the AI agent joins the conference',
    cause: 'the agent webhook answered <Dial> instead of <Connect>',
    alerts: [
      {
        sid: 'NO1',
        errorCode: '11200',
        logLevel: 'error',
        alertText: 'Msg=timeout',
        resourceSid: 'CA3',
        requestUrl: 'https://api.example.com/twilio/voice/agent',
        dateGenerated: at(5),
        moreInfo: 'https://www.twilio.com/docs/errors/11200',
      },
    ],
  },
  observations: { seenMs: {} },
  legs: [],
};

/** The Markdown table rows of `markdown` (lines starting with a pipe), split into cells at unescaped pipes. */
const tableRows = (markdown: string) =>
  markdown
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );

describe('summaryMarkdown', () => {
  it('when the call passed, it heads with PASSED and the stack, lists each step and the hops as a table', () => {
    // Act
    const markdown = summaryMarkdown('acme/dev', PASSED);

    // Assert
    expect(markdown.split('\n')[0]).toBe('### ✓ Acceptance call of stack acme/dev: PASSED');
    expect(markdown).toContain('- ✓ Twilio places the test call: CA1 queued (+0.4 s)');
    expect(tableRows(markdown)).toEqual([
      ['Hop', 'Twilio (UTC)', '+s Twilio', 'seen +ms'],
      ['---', '---', '---:', '---:'],
      ['test call created (Calls API)', '12:00:00', '0', '350'],
      ['test call answered', '12:00:01', '1', ''],
      ['agent leg answered (agent webhook TwiML)', '12:00:03', '3', ''],
      ['agent connected in the conference', '', '', '4150'],
    ]);
    expect(markdown).toContain('Time to agent: 3 s by Twilio');
    expect(markdown.endsWith('\n\n')).toBe(true);
  });

  it('when the call failed, it heads with the failed step, gives the cause and Twilio’s alerts, shown literally', () => {
    // Act
    const markdown = summaryMarkdown('dev', FAILED);

    // Assert
    expect(markdown.split('\n')[0]).toBe(
      '### ✗ Acceptance call of stack dev: FAILED at “the AI agent joins the conference”',
    );
    expect(markdown).toContain('the agent webhook answered \\<Dial\\> instead of \\<Connect\\>');
    expect(markdown).toMatch(
      /^- Twilio alert 11200 HTTP retrieval failure .* https:\/\/www\.twilio\.com\/docs\/errors\/11200$/m,
    );
    expect(markdown).toContain('- ✗ the AI agent joins the conference: no agent after 30 s \\| gave up (+30.0 s)');
    // Nothing was observed: no hop table.
    expect(tableRows(markdown)).toEqual([]);
  });
});

describe('notRunMarkdown', () => {
  it('when the call could not be placed, it says so and lists each problem', () => {
    // Act
    const markdown = notRunMarkdown('dev', [
      'the API base URL is missing',
      'no Twilio Account SID: set config p:twilioAccountSid',
    ]);

    // Assert
    expect(markdown).toBe(
      '### ✗ Acceptance call of stack dev: not placed\n\n- the API base URL is missing\n- no Twilio Account SID: set config p:twilioAccountSid\n\n',
    );
  });
});
