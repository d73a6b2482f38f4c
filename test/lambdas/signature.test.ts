import { getExpectedTwilioSignature, getExpectedBodyHash } from 'twilio/lib/webhooks/webhooks';
import { hasValidTwilioSignature, publicBaseUrl, signedUrl } from '../../lambdas/shared/signature';
import { parseEvent } from '../../lambdas/shared/http';
import { apiGatewayEvent, AUTH_TOKEN, callParams, DOMAIN, formBody, twilioEvent } from './support/events';

describe('signedUrl', () => {
  describe.each([
    [
      '$default stage, request domain',
      { rawPath: '/twilio/voice/agent', rawQueryString: 'a=1', stage: '$default', domainName: DOMAIN },
      {},
      `https://${DOMAIN}/twilio/voice/agent?a=1`,
    ],
    [
      'named stage keeps the stage in the path',
      { rawPath: '/prod/twilio/voice/agent', rawQueryString: '', stage: 'prod', domainName: DOMAIN },
      {},
      `https://${DOMAIN}/prod/twilio/voice/agent`,
    ],
    [
      'custom domain base URL with a mapping path',
      { rawPath: '/twilio/voice/agent', rawQueryString: 'x=%2B1', stage: '$default', domainName: 'voice.example.com' },
      { publicBaseUrl: 'https://voice.example.com/v1' },
      'https://voice.example.com/v1/twilio/voice/agent?x=%2B1',
    ],
    [
      'configured base URL with a named stage drops the stage prefix',
      { rawPath: '/prod/twilio/voice/agent', rawQueryString: '', stage: 'prod', domainName: DOMAIN },
      { publicBaseUrl: `https://${DOMAIN}/prod` },
      `https://${DOMAIN}/prod/twilio/voice/agent`,
    ],
    [
      'the raw query is kept byte for byte',
      { rawPath: '/a', rawQueryString: 'b=2&a=%7e+x&a=1', stage: '$default', domainName: DOMAIN },
      {},
      `https://${DOMAIN}/a?b=2&a=%7e+x&a=1`,
    ],
  ])('%s', (_name, request, config, expected) => {
    it(`is ${expected}`, () => {
      expect(signedUrl(request, config)).toBe(expected);
    });
  });

  it('gives callbacks the same base: stage prefix for a named stage on the execute-api domain', () => {
    expect(publicBaseUrl({ rawPath: '/dev/twilio/voice/inbound', stage: 'dev', domainName: DOMAIN }, {})).toBe(
      `https://${DOMAIN}/dev`,
    );
  });
});

describe('hasValidTwilioSignature', () => {
  const params = callParams();
  const path = '/twilio/voice/agent';

  describe.each([
    ['base64 form body on $default', { base64: true, stage: '$default' }],
    ['plain-text form body', { base64: false, stage: '$default' }],
    ['named stage', { base64: true, stage: 'live' }],
    [
      'custom-parameter query string',
      { base64: true, stage: '$default', rawQueryString: 'caller=%2B15557654321&note=a%20b%26c%3Dd&name=Zo%C3%AB' },
    ],
  ])('accepts a genuine request: %s', (_name, variant) => {
    it('verifies', () => {
      const event = twilioEvent({ path, params, ...variant });
      expect(hasValidTwilioSignature(parseEvent(event), AUTH_TOKEN, {})).toBe(true);
    });
  });

  it('accepts a request signed for the configured public URL with its port dropped (https)', () => {
    const event = twilioEvent({
      path,
      params,
      domainName: 'voice.example.com',
      signedUrl: `https://voice.example.com${path}`,
    });
    expect(
      hasValidTwilioSignature(parseEvent(event), AUTH_TOKEN, { publicBaseUrl: 'https://voice.example.com:443' }),
    ).toBe(true);
  });

  describe.each([
    ['no signature header', { signature: null }],
    ['a signature made with another token', { authToken: 'another-token' }],
    ['a signature for another URL', { signedUrl: `https://${DOMAIN}/twilio/voice/inbound` }],
    [
      'a signature for a reordered query string',
      { rawQueryString: 'b=2&a=1', signedUrl: `https://${DOMAIN}${path}?a=1&b=2` },
    ],
    ['garbage', { signature: 'not-base64!!' }],
  ])('rejects %s', (_name, variant) => {
    it('fails', () => {
      const event = twilioEvent({ path, params, ...variant });
      expect(hasValidTwilioSignature(parseEvent(event), AUTH_TOKEN, {})).toBe(false);
    });
  });

  it('rejects a valid signature replayed with other parameters', () => {
    const event = twilioEvent({ path, params });
    const tampered = { ...event, body: Buffer.from(formBody({ ...params, From: '+19005550000' })).toString('base64') };
    expect(hasValidTwilioSignature(parseEvent(tampered), AUTH_TOKEN, {})).toBe(false);
  });

  it('rejects an unsigned non-form body', () => {
    const url = `https://${DOMAIN}${path}`;
    const event = apiGatewayEvent({
      path,
      headers: {
        'content-type': 'application/json',
        'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, {}),
      },
      body: '{"a":1}',
      base64: false,
    });
    expect(hasValidTwilioSignature(parseEvent(event), AUTH_TOKEN, {})).toBe(false);
  });

  it('accepts a JSON body covered by bodySHA256 and rejects it once the body changes', () => {
    const body = '{"event":"x"}';
    const rawQueryString = `bodySHA256=${getExpectedBodyHash(body)}`;
    const url = `https://${DOMAIN}${path}?${rawQueryString}`;
    const headers = {
      'content-type': 'application/json',
      'x-twilio-signature': getExpectedTwilioSignature(AUTH_TOKEN, url, {}),
    };
    const genuine = apiGatewayEvent({ path, rawQueryString, headers, body, base64: false });
    const altered = apiGatewayEvent({ path, rawQueryString, headers, body: '{"event":"y"}', base64: false });
    expect(hasValidTwilioSignature(parseEvent(genuine), AUTH_TOKEN, {})).toBe(true);
    expect(hasValidTwilioSignature(parseEvent(altered), AUTH_TOKEN, {})).toBe(false);
  });
});
