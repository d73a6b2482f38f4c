/** The acceptance call's judgement, pure: drift, the inbound leg, refusals, alerts and the diagnosis. */
import {
  alertMessage,
  appDrift,
  describeAlert,
  diagnose,
  dialRefusalCause,
  credentialsCause,
  numberDrift,
  participantsApiCause,
  pickInboundLeg,
  relevantAlerts,
  sanitizeAlert,
  type StepId,
  withoutQueries,
} from '../../lambdas/acceptance/judge';
import type { AcceptanceTarget } from '../../lambdas/acceptance/plan';
import { type AlertInfo, type CallLeg, type NumberConfig, TwilioRequestError } from '../../lambdas/acceptance/records';

const BASE = 'https://api.example.com';
const TARGET: AcceptanceTarget = {
  stack: 'dev',
  phoneNumber: '+15550001111',
  from: '+15550001111',
  apiBaseUrl: BASE,
  webhooks: {
    inbound: `${BASE}/twilio/voice/inbound`,
    agent: `${BASE}/twilio/voice/agent`,
    agentFallback: `${BASE}/twilio/voice/agent-fallback`,
  },
  conferencePrefix: 'conf-',
  callerLabel: 'caller',
  agentLabel: 'ai-agent',
  agentMode: 'stream',
};
const sid = (prefix: string, n: number) => `${prefix}${String(n).padStart(32, '0')}`;

describe('numberDrift', () => {
  const number = (changes: Partial<NumberConfig>): NumberConfig => ({
    sid: sid('PN', 1),
    phoneNumber: TARGET.phoneNumber,
    voiceUrl: TARGET.webhooks.inbound,
    voiceMethod: 'POST',
    voiceFallbackUrl: TARGET.webhooks.agentFallback,
    voiceApplicationSid: null,
    trunkSid: null,
    ...changes,
  });

  it.each<[string, Partial<NumberConfig>, RegExp[]]>([
    ['the stack’s configuration', {}, []],
    ['another voice URL', { voiceUrl: 'https://demo.twilio.com/welcome/voice/' }, [/voice URL is https:\/\/demo/]],
    ['no voice URL', { voiceUrl: null }, [/voice URL is \(none\)/]],
    ['GET instead of POST', { voiceMethod: 'GET' }, [/voice method is GET/]],
    ['a TwiML App taking its calls', { voiceApplicationSid: sid('AP', 9) }, [/TwiML App AP0+9/]],
    ['a SIP trunk taking its calls', { trunkSid: sid('TK', 3) }, [/SIP trunk TK0+3/]],
  ])('when the number has %s, it reports %p', (_name, changes, expected) => {
    const problems = numberDrift(number(changes), TARGET);

    expect(problems).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(problems[i]).toMatch(pattern);
  });

  it('when the TwiML App’s Voice URL is another, it reports it; the stack’s passes', () => {
    expect(appDrift({ sid: sid('AP', 1), voiceUrl: TARGET.webhooks.agent, voiceFallbackUrl: null }, TARGET)).toEqual(
      [],
    );
    expect(
      appDrift({ sid: sid('AP', 1), voiceUrl: 'https://x.example/agent', voiceFallbackUrl: null }, TARGET),
    ).toEqual([`its Voice URL is https://x.example/agent, the stack sets ${TARGET.webhooks.agent}`]);
  });
});

describe('pickInboundLeg', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));
  const leg = (n: number, changes: Partial<CallLeg>): CallLeg => ({
    sid: sid('CA', n),
    from: TARGET.from,
    to: TARGET.phoneNumber,
    direction: 'inbound',
    status: 'in-progress',
    parentCallSid: null,
    dateCreated: at(10),
    startTime: null,
    endTime: null,
    ...changes,
  });
  const outbound = leg(1, { direction: 'outbound-api', dateCreated: at(10) });

  it.each<[string, CallLeg[], number | undefined]>([
    ['only the test call itself (same To and From)', [outbound], undefined],
    ['an inbound leg created in the same second', [outbound, leg(2, {})], 2],
    ['an older inbound call from the same number (an earlier run)', [leg(3, { dateCreated: at(2) })], undefined],
    ['an inbound leg from another caller', [leg(4, { from: '+15557654321' })], undefined],
    [
      'two inbound legs after the call: the earliest wins',
      [leg(6, { dateCreated: at(12) }), leg(5, { dateCreated: at(11) })],
      5,
    ],
    ['a leg Twilio has not dated yet', [leg(7, { dateCreated: null })], 7],
  ])('among %s, it picks %p', (_name, calls, expected) => {
    expect(pickInboundLeg(calls, outbound)?.sid).toBe(expected === undefined ? undefined : sid('CA', expected));
  });
});

describe('why Twilio refused', () => {
  it.each<[number, number | undefined, RegExp]>([
    [401, 20003, /401 \(20003 Authenticate\).*TWILIO_AUTH_TOKEN/],
    [403, 20403, /403 \(20403\).*restricted API key/],
    [0, undefined, /could not be reached: connect ECONNREFUSED/],
    [500, 20500, /Twilio answered 500 \(20500\)/],
  ])('the credentials check: HTTP %p, code %p', (status, code, expected) => {
    expect(credentialsCause(new TwilioRequestError('connect ECONNREFUSED', status, code))).toMatch(expected);
  });

  it.each<[number, RegExp]>([
    [21210, /--from \+15550001111 must be a number of this account or a verified caller ID/],
    [21212, /--from .* must be a number of this account/],
    [21215, /geographic permissions/],
    [21219, /trial account/],
    [20429, /try again later/],
    [99999, /^Twilio refused the test call: 99999 nope$/],
  ])('the test call: code %p', (code, expected) => {
    expect(dialRefusalCause(new TwilioRequestError('nope', 400, code), TARGET)).toMatch(expected);
  });
});

describe('Twilio alerts', () => {
  const since = new Date(Date.UTC(2026, 11, 1, 10, 0, 0));
  const alert = (n: number, changes: Partial<AlertInfo>): AlertInfo => ({
    sid: sid('NO', n),
    errorCode: '11200',
    logLevel: 'error',
    alertText: 'Msg=boom',
    resourceSid: null,
    requestUrl: null,
    dateGenerated: since,
    moreInfo: null,
    ...changes,
  });
  const family = new Set([sid('CA', 1), sid('CA', 2)]);

  it('sorts alerts into the run’s own (by SID), those on the stack during the run, and the rest', () => {
    const own = alert(1, { resourceSid: sid('CA', 2) });
    const onStack = alert(2, { resourceSid: sid('CA', 9), requestUrl: `${BASE}/twilio/voice/agent?x=1` });
    const onWebSocket = alert(3, {
      resourceSid: sid('CA', 9),
      requestUrl: 'wss://agent.example.com/s',
      errorCode: '31920',
    });
    const elsewhere = alert(4, { resourceSid: sid('CA', 9), requestUrl: 'https://other.example.com/hook' });
    const before = alert(5, {
      requestUrl: `${BASE}/twilio/voice/inbound`,
      dateGenerated: new Date(since.getTime() - 5000),
    });

    const sorted = relevantAlerts([own, onStack, onWebSocket, elsewhere, before], family, since, `${BASE}/`);

    expect(sorted.own).toEqual([own]);
    expect(sorted.during).toEqual([onStack, onWebSocket]);
  });

  it.each([
    ['Twilio’s URL-encoded text', 'Msg=An+attempt+failed&ErrorCode=11200&LogLevel=ERROR', 'An attempt failed'],
    ['encoded fields without Msg', 'ErrorCode=11200&httpResponse=502', 'ErrorCode=11200 httpResponse=502'],
    ['plain text', 'The URL answered 502', 'The URL answered 502'],
  ])('the message of an alert with %s is %p', (_name, alertText, expected) => {
    expect(alertMessage(alert(1, { alertText }))).toBe(expected);
  });

  it('leaves the query of every URL out of what it prints or keeps (the agent URL carries the CallToken)', () => {
    const url = `${BASE}/twilio/voice/agent?caller=%2B1555&callToken=%7B%22parentCallInfoToken%22%7D`;
    const a = alert(1, {
      requestUrl: url,
      alertText: new URLSearchParams({ Msg: `POST ${url} answered HTTP 500`, url }).toString(),
    });

    const printed = describeAlert(a) + JSON.stringify(sanitizeAlert(a));

    expect(printed).not.toMatch(/callToken|parentCallInfoToken|caller=/);
    expect(describeAlert(a)).toContain(`on ${BASE}/twilio/voice/agent?…`);
    expect(withoutQueries('see wss://a.example/s?k=v#f and http://b/c')).toBe('see wss://a.example/s?… and http://b/c');
  });

  describe('diagnose', () => {
    const agentUrl = `${TARGET.webhooks.agent}?caller=x`;
    it.each<[string, StepId, AlertInfo[], AlertInfo[], StepId, RegExp]>([
      [
        'the inbound webhook failed (its own leg)',
        'inbound',
        [alert(1, { resourceSid: sid('CA', 2), requestUrl: TARGET.webhooks.inbound })],
        [],
        'inbound',
        /^the inbound webhook failed: 11200 HTTP retrieval failure on .*\/twilio\/voice\/inbound/,
      ],
      [
        'the inbound webhook failed while the run waited for the call to connect',
        'answered',
        [alert(1, { resourceSid: sid('CA', 2), requestUrl: TARGET.webhooks.inbound, errorCode: '11205' })],
        [],
        'inbound',
        /11205 HTTP connection failure/,
      ],
      [
        'the agent webhook failed on a leg the run never saw',
        'agentJoined',
        [],
        [alert(1, { requestUrl: agentUrl })],
        'agentJoined',
        /the agent webhook failed: .*\(raised during the test on the stack, not tied to its SIDs\)/,
      ],
      [
        'the agent’s WebSocket failed before the run saw the agent connected',
        'agentJoined',
        [alert(1, { errorCode: '31920', resourceSid: sid('CA', 1), requestUrl: 'wss://agent.example.com/s' })],
        [],
        'agentMedia',
        /the agent's WebSocket failed: 31920 Stream - WebSocket - Handshake Error/,
      ],
      [
        'ConversationRelay closed by the agent service',
        'agentMedia',
        [alert(1, { errorCode: '64105', resourceSid: sid('CA', 1) })],
        [],
        'agentMedia',
        /64105 ConversationRelay/,
      ],
      [
        'a conference callback failed',
        'agentJoined',
        [alert(1, { errorCode: '16011', resourceSid: sid('CF', 1), requestUrl: `${BASE}/twilio/conference/events` })],
        [],
        'agentJoined',
        /a status callback of the stack failed: 16011/,
      ],
      [
        'a call-progress callback failed (15003, which Twilio logs as a warning)',
        'agentJoined',
        [
          alert(1, {
            errorCode: '15003',
            logLevel: 'warning',
            resourceSid: sid('CA', 2),
            requestUrl: `${BASE}/twilio/conference/events`,
          }),
        ],
        [],
        'agentJoined',
        /a status callback of the stack failed: 15003 Call Progress: Warning Response to Callback URL/,
      ],
      [
        'the agent’s Stream WebSocket was refused',
        'agentJoined',
        [alert(1, { errorCode: '31902', resourceSid: sid('CA', 1), requestUrl: 'wss://agent.example.com/s' })],
        [],
        'agentMedia',
        /the agent's WebSocket failed: 31902 Stream - WebSocket - Connection Refused/,
      ],
      [
        'the agent’s ConversationRelay WebSocket could not be reached',
        'agentJoined',
        [alert(1, { errorCode: '64102', resourceSid: sid('CA', 1), requestUrl: 'wss://agent.example.com/s' })],
        [],
        'agentMedia',
        /the agent's WebSocket failed: 64102 ConversationRelay/,
      ],
      [
        'an agent webhook alert, but the run stopped earlier (no conference)',
        'inbound',
        [alert(1, { resourceSid: sid('CA', 1), requestUrl: agentUrl })],
        [],
        'inbound',
        /^the test call ended; Twilio's alert: 11200/,
      ],
      [
        'no alert at all',
        'agentJoined',
        [],
        [],
        'agentJoined',
        /^the test call ended; Twilio logged no alert about it$/,
      ],
      [
        'only a warning',
        'agentJoined',
        [alert(1, { resourceSid: sid('CA', 1), logLevel: 'warning', errorCode: '12200' })],
        [],
        'agentJoined',
        /logged no alert/,
      ],
    ])('when %s, it blames %p -> %p', (_name, step, own, during, blamed, cause) => {
      const verdict = diagnose({ step, observed: 'the test call ended', alerts: { own, during }, target: TARGET });

      expect(verdict.step).toBe(blamed);
      expect(verdict.cause).toMatch(cause);
    });
  });
});

describe('participantsApiCause', () => {
  it.each<[number, (string | null)[], RegExp | undefined]>([
    [200, ['caller', 'ai-agent'], undefined],
    [200, ['caller'], /lists caller, not ai-agent/],
    [200, [], /lists nobody, not caller and ai-agent/],
    [
      401,
      [],
      /401: the token is not the stack's \(pulumi stack output --stack dev --show-secrets participantsApiToken\)/,
    ],
    [403, [], /403: the token/],
    [404, [], /404 for the conference/],
    [502, [], /502: see the participants function's logs/],
  ])('when the API answers %p with %j, the cause is %p', (status, labels, expected) => {
    const cause = participantsApiCause(status, labels, TARGET);

    if (expected === undefined) expect(cause).toBeUndefined();
    else expect(cause).toMatch(expected);
  });
});
