import {
  agentAddress,
  briefingQuery,
  type CallerState,
  type ColdTransferState,
  connectActionQuery,
  decodeAgentEnded,
  decodeEventsQuery,
  decodeLegState,
  encodeCallerState,
  encodeColdTransfer,
  encodeLegState,
  type LegState,
  MAX_CALL_TOKEN_CHARS,
  readContext,
} from '../../lambdas/shared/call-state';

const CALL = 'CA0123456789abcdef0123456789abcdef';
const CONF = 'CF0123456789abcdef0123456789abcdef';
const APP = 'AP0123456789abcdef0123456789abcdef';
/** A CallToken's shape: URL-encoded JSON, so `%`, `&`-free but full of `%22` and `=`. */
const TOKEN = '%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9.e30.sig%3D%3D%22%7D';

/** The query Twilio sends back: the part after `?` of a URL the stack wrote. */
const queryOf = (url: string) => url.slice(url.indexOf('?') + 1);

describe('call state in URLs', () => {
  describe('the conference status callback', () => {
    describe.each<[string, CallerState]>([
      ['a phone caller', { caller: '+15551234567', callerCallSid: CALL }],
      ['a caller with a CallToken', { caller: '+15551234567', callerCallSid: CALL, callToken: TOKEN }],
      ['a SIP caller with spaces and & =', { caller: 'sip:a b&c=d@example.com', callerCallSid: CALL }],
      ['an anonymous caller', { caller: '', callerCallSid: CALL }],
      ['a unicode display name', { caller: 'client:Zoë 東京', callerCallSid: CALL }],
    ])('when %s is encoded', (_name, state) => {
      it('decodes to the same caller state', () => {
        const decoded = decodeEventsQuery(encodeCallerState(state));

        expect(decoded).toEqual({ action: 'conference', ...state });
      });
    });
  });

  describe('the cold transfer completion', () => {
    describe.each<[string, ColdTransferState]>([
      ['the default agent label', { conferenceSid: CONF, agentLabel: 'ai-agent' }],
      [
        'a label with spaces and unicode (Twilio takes any label without /)',
        { conferenceSid: CONF, agentLabel: 'AI agent Zoë' },
      ],
      ['a label of 128 characters', { conferenceSid: CONF, agentLabel: 'a'.repeat(128) }],
    ])('when %s is encoded', (_name, state) => {
      it('decodes to the same transfer', () => {
        expect(decodeEventsQuery(encodeColdTransfer(state))).toEqual({ action: 'complete-cold-transfer', ...state });
      });
    });
  });

  describe('the leg status callback', () => {
    const base: LegState = {
      leg: 'agent',
      attempt: 1,
      conferenceSid: CONF,
      callerCallSid: CALL,
      attended: false,
      context: {},
    };
    describe.each<[string, LegState]>([
      ['the first agent leg', base],
      ['a retry with a join time', { ...base, attempt: 3, callerJoinedAt: 1_765_000_000_123, attended: true }],
      ['a fallback leg', { ...base, leg: 'fallback', attempt: 10 }],
      [
        'a context with URL-special characters',
        { ...base, context: { caller: '+15551234567', note: 'a&b=c?d#e %2F', [`callToken`]: TOKEN } },
      ],
      ['context names like the state names', { ...base, context: { leg: 'x', attempt: '99', 'ctx.deep': 'y' } }],
    ])('when %s is encoded', (_name, state) => {
      it('decodes to the same state', () => {
        expect(decodeLegState(encodeLegState(state))).toEqual(state);
      });
    });
  });

  describe('the agent: app: address, Voice URL and <Connect action>', () => {
    describe.each([
      ['a plain call', { caller: '+15551234567', callerCallSid: CALL, conference: 'conf-1' }],
      [
        'a call with a CallToken and odd characters',
        { caller: 'sip:a b&c@x.example', callerCallSid: CALL, conference: 'conf-1', callToken: TOKEN },
      ],
    ])('when the context of %s goes out on the app: address', (_name, context) => {
      it('reaches the agent, and its session end reads the same call back', () => {
        const agentQuery = queryOf(agentAddress(APP, context));
        const { parameters } = readContext(agentQuery, Object.keys(context));

        const ended = decodeAgentEnded(connectActionQuery(agentQuery, parameters));

        expect(Object.fromEntries(parameters.map((p) => [p.name, p.value]))).toEqual(context);
        expect(ended).toEqual({
          briefing: false,
          call: {
            conference: context.conference,
            callerCallSid: CALL,
            caller: context.caller,
            callToken: 'callToken' in context ? context.callToken : undefined,
            context,
          },
        });
      });
    });

    it('when the allow-list leaves the call names out, the <Connect action> still carries them from the signed query', () => {
      const context = { caller: '+15551234567', callerCallSid: CALL, conference: 'conf-1', ticket: 'T-1' };
      const agentQuery = queryOf(agentAddress(APP, context));
      const { parameters } = readContext(agentQuery, ['ticket']);

      const ended = decodeAgentEnded(connectActionQuery(agentQuery, parameters));

      expect(ended.call).toEqual({ conference: 'conf-1', callerCallSid: CALL, caller: '+15551234567', context });
    });

    it('when a session is redirected to brief the human, its end reads as the briefing of the same call', () => {
      const query = connectActionQuery(queryOf(agentAddress(APP, { callerCallSid: CALL, conference: 'c' })), []);

      const ended = decodeAgentEnded(briefingQuery(query));

      expect(ended).toEqual({
        briefing: true,
        call: { conference: 'c', callerCallSid: CALL, context: { callerCallSid: CALL, conference: 'c' } },
      });
    });
  });

  describe('hostile or foreign queries', () => {
    it.each([
      ['an unknown leg', `leg=human&attempt=1&conferenceSid=${CONF}&callerCallSid=${CALL}`],
      ['attempt 0', `leg=agent&attempt=0&conferenceSid=${CONF}&callerCallSid=${CALL}`],
      ['attempt 11', `leg=agent&attempt=11&conferenceSid=${CONF}&callerCallSid=${CALL}`],
      ['a fractional attempt', `leg=agent&attempt=1.5&conferenceSid=${CONF}&callerCallSid=${CALL}`],
      ['a conference name for the SID', `leg=agent&attempt=1&conferenceSid=conf-1&callerCallSid=${CALL}`],
      ['a SID with a newline', `leg=agent&attempt=1&conferenceSid=${CONF}%0A&callerCallSid=${CALL}`],
      ['no caller call', `leg=agent&attempt=1&conferenceSid=${CONF}`],
      ['an empty query', ''],
    ])('when a leg status query has %s, it is not a leg state', (_name, query) => {
      expect(decodeLegState(query)).toBeUndefined();
    });

    it('when callerJoinedAt is not a plain number, the state decodes without it', () => {
      const query = `leg=agent&attempt=1&conferenceSid=${CONF}&callerCallSid=${CALL}&callerJoinedAt=1e20`;

      expect(decodeLegState(query)?.callerJoinedAt).toBeUndefined();
    });

    it.each([
      ['a conference name', `action=complete-cold-transfer&conferenceSid=conf-1&agentLabel=ai-agent`],
      ['a label with /', `action=complete-cold-transfer&conferenceSid=${CONF}&agentLabel=a%2Fb`],
      ['an empty label', `action=complete-cold-transfer&conferenceSid=${CONF}&agentLabel=`],
      ['a label over 128', `action=complete-cold-transfer&conferenceSid=${CONF}&agentLabel=${'a'.repeat(129)}`],
    ])('when a cold transfer query has %s, it is not a cold transfer', (_name, query) => {
      expect(decodeEventsQuery(query).action).toBe('conference');
    });

    it('when the conference callback carries a malformed call SID or an over-long token, they are left out', () => {
      const query = `caller=x&callerCallSid=CA1&callToken=${'t'.repeat(MAX_CALL_TOKEN_CHARS + 1)}`;

      expect(decodeEventsQuery(query)).toEqual({ action: 'conference', caller: 'x' });
    });

    it.each([
      ['a dot-segment conference', `conference=..&callerCallSid=${CALL}`],
      ['a conference with /', `conference=a%2Fb&callerCallSid=${CALL}`],
      ['a malformed caller call', 'conference=c&callerCallSid=CAxyz'],
    ])('when a <Connect action> query has %s, it names no call', (_name, query) => {
      expect(decodeAgentEnded(query).call).toBeUndefined();
    });
  });
});
