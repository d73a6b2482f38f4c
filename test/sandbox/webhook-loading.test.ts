import type { ApplicationRecord, IncomingNumberRecord } from '../../sandbox/twilio/state';
import { appendCustomParameters, inboundSource } from '../../sandbox/twilio/webhook-loading';

const number = (over: Partial<IncomingNumberRecord>): IncomingNumberRecord =>
  ({
    sid: 'PN00000000000000000000000000000001',
    voiceUrl: null,
    voiceMethod: 'POST',
    voiceFallbackUrl: null,
    voiceFallbackMethod: 'POST',
    voiceApplicationSid: null,
    trunkSid: null,
    ...over,
  }) as IncomingNumberRecord;

const app = (over: Partial<ApplicationRecord>): ApplicationRecord =>
  ({
    sid: 'AP00000000000000000000000000000001',
    voiceUrl: null,
    voiceMethod: 'POST',
    voiceFallbackUrl: null,
    voiceFallbackMethod: 'POST',
    ...over,
  }) as ApplicationRecord;

describe('inboundSource (what an inbound call to a number runs)', () => {
  const numberUrl = { voiceUrl: 'https://n.example/voice', voiceFallbackUrl: 'https://n.example/fallback' };
  describe.each([
    [
      'the number has its own voice URL and fallback',
      number(numberUrl),
      undefined,
      ['voice-url', 'https://n.example/voice', 'https://n.example/fallback'],
    ],
    [
      'the number is bound to an App with a voice URL',
      number({ ...numberUrl, voiceApplicationSid: 'AP00000000000000000000000000000001' }),
      app({ voiceUrl: 'https://a.example/voice', voiceMethod: 'GET' }),
      ['app-voice-url', 'https://a.example/voice', undefined],
    ],
    [
      'the number is bound to an App without a voice URL (its own URL is not used)',
      number({ ...numberUrl, voiceApplicationSid: 'AP00000000000000000000000000000001' }),
      app({}),
      undefined,
    ],
    [
      'the number is on a SIP trunk',
      number({ ...numberUrl, trunkSid: 'TK00000000000000000000000000000001' }),
      undefined,
      undefined,
    ],
    ['the number has no voice URL', number({}), undefined, undefined],
  ])('when %s', (_case, numberRecord, appRecord, expected) => {
    it(expected ? `it fetches ${expected[1]}` : 'it has nothing to run', () => {
      // Act
      const source = inboundSource(numberRecord, appRecord);

      // Assert
      if (!expected) return expect(source).toBeUndefined();
      const [purpose, url, fallback] = expected;
      expect(source).toMatchObject({ kind: 'url', purpose, url });
      expect(source?.kind === 'url' ? source.fallback?.url : 'twiml').toBe(fallback);
    });
  });
});

describe("appendCustomParameters (an app: leg's parameters on the App voice URL)", () => {
  describe.each([
    ['there are no parameters', 'https://a.example/v', '', 'https://a.example/v'],
    ['the URL has no query', 'https://a.example/v', 'k=v', 'https://a.example/v?k=v'],
    ['the URL has a query', 'https://a.example/v?a=1', 'k=v', 'https://a.example/v?a=1&k=v'],
    ['the URL has a fragment', 'https://a.example/v#rc=2', 'k=v', 'https://a.example/v?k=v#rc=2'],
    ['a value has a space and non-ASCII', 'https://a.example/v', 'k=a b\u00e9', 'https://a.example/v?k=a%20b%C3%A9'],
    ['a value has an escape and a lone %', 'https://a.example/v', 'k=%2F%zz', 'https://a.example/v?k=%2F%25zz'],
  ])('when %s', (_case, url, query, expected) => {
    it(`it gives ${expected}`, () => {
      // Act
      const result = appendCustomParameters(url, query);

      // Assert
      expect(result).toBe(expected);
    });
  });
});
