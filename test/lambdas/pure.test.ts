import { encodeContext, validateContext, ContextError } from '../../lambdas/shared/agent-context';
import { agentAddress, readContext } from '../../lambdas/shared/call-state';
import { backoffDelay, withRetry } from '../../lambdas/shared/retry';
import {
  isCallOver,
  isGone,
  isRetryableTwilioFailure,
  isTransientFailure,
  isUnavailableFailure,
  mayHaveActed,
  toApiError,
} from '../../lambdas/shared/errors';
import { maskPhone } from '../../lambdas/shared/log';
import { matchPath, ROUTES, routeKey } from '../../lambdas/routes';
import { rewriteTwilioUri } from '../../lambdas/shared/twilio-client';

describe('agent context', () => {
  describe.each([
    ['plain values', { caller: '+15551234567', ticket: 'T-1' }],
    ['spaces, & and =', { note: 'a b&c=d', q: '?x#y' }],
    ['unicode', { name: 'Zoë 東京 🚀' }],
    ['percent signs and slashes', { path: '%2F/a/%' }],
  ])('%s', (_name, context) => {
    it('survive the round trip through To=app:...? and the appended query', () => {
      const to = agentAddress(`AP${'a'.repeat(32)}`, context);
      const query = to.slice(to.indexOf('?') + 1);
      const { parameters } = readContext(query, Object.keys(context));
      expect(Object.fromEntries(parameters.map((p) => [p.name, p.value]))).toEqual(context);
    });
  });

  it('addresses the App without a query when there is no context', () => {
    expect(agentAddress('AP1', {})).toBe('app:AP1');
  });

  describe.each([
    ['a value over 499 characters', { big: 'x'.repeat(500) }, 'context.big'],
    [
      'more than 800 bytes in total',
      Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'y'.repeat(95)])),
      'context',
    ],
    ['a bad name', { 'bad name': 'v' }, 'context.bad name'],
    ['control characters', { v: 'a\u0007b' }, 'context.v'],
  ])('rejects %s', (_name, context, field) => {
    it(`naming ${field}`, () => {
      expect(() => validateContext(context)).toThrow(ContextError);
      try {
        validateContext(context);
      } catch (error) {
        expect((error as ContextError).field).toBe(field);
      }
    });
  });

  it('drops parameters off the allow-list, duplicates and over-long values, keeping the order sent', () => {
    const query = `${encodeContext({ b: '2', a: '1', secret: 'x' })}&a=again&long=${'z'.repeat(600)}`;
    const result = readContext(query, ['a', 'b', 'long']);
    expect(result.parameters).toEqual([
      { name: 'b', value: '2' },
      { name: 'a', value: '1' },
    ]);
    expect(result.dropped).toEqual([
      { name: 'secret', reason: 'not-allowed' },
      { name: 'a', reason: 'duplicate' },
      { name: 'long', reason: 'too-long' },
    ]);
  });
});

describe('withRetry', () => {
  const rateLimited = Object.assign(new Error('Too Many Requests'), { status: 429, code: 20429 });

  it('retries a retryable failure and returns the later success', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(async () => (++calls < 3 ? Promise.reject(rateLimited) : 'ok'), {
      budgetMs: 10000,
      shouldRetry: isRetryableTwilioFailure,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });
    expect(result).toBe('ok');
    expect(sleeps).toEqual([200, 400]);
  });

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0;
    const failure = Object.assign(new Error('bad'), { status: 400, code: 21211 });
    await expect(
      withRetry(
        async () => {
          calls++;
          return Promise.reject(failure);
        },
        {
          budgetMs: 10000,
          shouldRetry: isRetryableTwilioFailure,
          sleep: async () => {},
        },
      ),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('stops when the next wait would overrun the budget', async () => {
    let calls = 0;
    let now = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          return Promise.reject(rateLimited);
        },
        {
          budgetMs: 500,
          shouldRetry: () => true,
          random: () => 1,
          now: () => now,
          sleep: async (ms) => {
            now += ms;
          },
        },
      ),
    ).rejects.toBe(rateLimited);
    expect(calls).toBe(2);
  });

  it.each([
    [1, 200],
    [2, 400],
    [5, 2000],
  ])('caps the backoff ceiling (attempt %i -> %i ms)', (attempt, ceiling) => {
    expect(backoffDelay(attempt, 200, 2000, () => 1)).toBe(ceiling);
  });
});

describe('toApiError', () => {
  it.each([
    [{ status: 404, code: 20404 }, 404, 'not_found'],
    [{ status: 400, code: 16026 }, 409, 'label_in_use'],
    [{ status: 400, code: 16020 }, 409, 'conference_full'],
    [{ status: 429, code: 20429 }, 429, 'rate_limited'],
    [{ status: 401, code: 20003 }, 502, 'twilio_auth_failed'],
    [{ status: 400, code: 21211, message: "Invalid 'To' Phone Number" }, 400, 'twilio_rejected'],
    [{ status: 500, code: 20500 }, 502, 'twilio_error'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 502, 'twilio_unreachable'],
    [new TypeError('x is undefined'), 500, 'internal_error'],
  ])('maps %o to %i %s', (failure, status, code) => {
    const error = toApiError(failure);
    expect([error.status, error.code]).toEqual([status, code]);
    expect(JSON.stringify(error.toBody())).not.toMatch(/\bat .+:\d+:\d+/);
  });
});

describe('failure predicates', () => {
  const twilio = (status: number, code?: number) => Object.assign(new Error('twilio'), { status, code });
  const network = (code: string) => Object.assign(new Error('network'), { code });

  describe.each([
    // name, error, transient, unavailable, may have acted, gone, call over
    ['429', twilio(429), true, true, false, false, false],
    ['20429', twilio(400, 20429), true, true, false, false, false],
    ['16030 (add failed, retry later)', twilio(500, 16030), true, true, false, false, false],
    ['a 503', twilio(503), false, true, true, false, false],
    ['a connection reset', network('ECONNRESET'), true, true, true, false, false],
    ['a timeout', network('ETIMEDOUT'), true, true, true, false, false],
    ['20404', twilio(404, 20404), false, false, false, true, true],
    ['a bare 404', twilio(404), false, false, false, true, true],
    ['21220 (call not in progress)', twilio(400, 21220), false, false, false, false, true],
    ['16026 (duplicate label)', twilio(400, 16026), false, false, false, false, false],
    ['a 401', twilio(401, 20003), false, false, false, false, false],
    ['a programming error', new TypeError('x is undefined'), false, false, false, false, false],
  ])('when the failure is %s', (_name, error, transient, unavailable, acted, gone, over) => {
    it(`every operation retries it: ${transient}; the reads and the guarded create: ${unavailable}`, () => {
      expect(isTransientFailure(error)).toBe(transient);
      expect(isUnavailableFailure(error)).toBe(unavailable);
    });

    it(`Twilio may have acted: ${acted}; the participant is gone: ${gone}; the call is over: ${over}`, () => {
      expect(mayHaveActed(error)).toBe(acted);
      expect(isGone(error)).toBe(gone);
      expect(isCallOver(error)).toBe(over);
    });
  });
});

describe('maskPhone', () => {
  it.each([
    ['+15557654321', '+155***4321'],
    ['sip:alice@pbx.example.com', 'sip:***'],
    ['client:alice', 'client:***'],
    ['anonymous', 'anonymous'],
  ])('%s -> %s', (input, masked) => {
    expect(maskPhone(input)).toBe(masked);
  });
});

describe('routes', () => {
  it('has one route per method and path', () => {
    const keys = ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each([
    ['/conferences/{conference}/participants', '/conferences/conf-1/participants', { conference: 'conf-1' }],
    [
      '/conferences/{conference}/participants/{participant}',
      '/conferences/c/participants/ai-agent',
      { conference: 'c', participant: 'ai-agent' },
    ],
    ['/conferences/{conference}/participants', '/conferences//participants', undefined],
    ['/conferences/{conference}/participants', '/conferences/a/b/participants', undefined],
    ['/twilio/voice/inbound', '/twilio/voice/inbound', {}],
  ])('matchPath(%s, %s)', (template, path, expected) => {
    expect(matchPath(template, path)).toEqual(expected);
  });
});

describe('rewriteTwilioUri', () => {
  it.each([
    [
      'https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?Page=1',
      'http://127.0.0.1:9/',
      'http://127.0.0.1:9/2010-04-01/Accounts/AC1/Calls.json?Page=1',
    ],
    ['https://api.us1.twilio.com/2010-04-01/x', 'http://127.0.0.1:9', 'http://127.0.0.1:9/2010-04-01/x'],
    ['https://example.com/x', 'http://127.0.0.1:9', 'https://example.com/x'],
  ])('%s', (uri, base, expected) => {
    expect(rewriteTwilioUri(uri, base)).toBe(expected);
  });
});
