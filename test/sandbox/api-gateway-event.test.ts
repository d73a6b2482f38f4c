/** The API Gateway emulator's pure parts: payload 2.0 events as AWS builds them, and responses from results. */
import { fromLambdaResult, isBinaryContentType, toApiGatewayEvent } from '../../sandbox/api-gateway/event';
import { matchRoute } from '../../sandbox/api-gateway/server';

const api = { apiId: 'sandbox', domainName: '127.0.0.1:3000' };
const request = (url: string, rawHeaders: string[], body = '') => ({
  method: 'POST',
  url,
  rawHeaders,
  body: Buffer.from(body),
  sourceIp: '127.0.0.1',
});

describe('toApiGatewayEvent', () => {
  it('keeps rawPath and rawQueryString exactly as sent and decodes queryStringParameters', () => {
    // Act
    const event = toApiGatewayEvent(
      request('/twilio/voice/agent?caller=%2B1555&note=a%20b&x=1&x=2', []),
      { routeKey: 'POST /twilio/voice/agent', pathParameters: {} },
      api,
    );

    // Assert
    expect(event.rawPath).toBe('/twilio/voice/agent');
    expect(event.rawQueryString).toBe('caller=%2B1555&note=a%20b&x=1&x=2');
    expect(event.queryStringParameters).toEqual({ caller: '+1555', note: 'a b', x: '1,2' });
  });

  it('lowercases header names, joins repeated headers and splits cookies out', () => {
    // Act
    const event = toApiGatewayEvent(
      request('/p', [
        'X-Twilio-Signature',
        'abc=',
        'X-Forwarded-For',
        '1.1.1.1',
        'x-forwarded-for',
        '2.2.2.2',
        'Cookie',
        'a=1; b=2',
      ]),
      { routeKey: 'POST /p', pathParameters: {} },
      api,
    );

    // Assert
    expect(event.headers).toEqual({ 'x-twilio-signature': 'abc=', 'x-forwarded-for': '1.1.1.1,2.2.2.2' });
    expect(event.cookies).toEqual(['a=1', 'b=2']);
  });

  describe.each([
    ['application/x-www-form-urlencoded', true],
    ['application/x-www-form-urlencoded; charset=utf-8', true],
    ['application/octet-stream', true],
    [undefined, true],
    ['application/json', false],
    ['application/json; charset=utf-8', false],
    ['text/plain', false],
    ['text/xml', false],
    ['application/xml', false],
    ['application/vnd.api+json', false],
  ])('a %s body', (contentType, base64) => {
    it(base64 ? 'arrives base64-encoded' : 'arrives as text', () => {
      // Arrange
      const body = 'CallSid=CA1&From=%2B1555';

      // Act
      const event = toApiGatewayEvent(
        request('/p', contentType ? ['Content-Type', contentType] : [], body),
        { routeKey: 'POST /p', pathParameters: {} },
        api,
      );

      // Assert
      expect(isBinaryContentType(contentType)).toBe(base64);
      expect(event.isBase64Encoded).toBe(base64);
      expect(event.body).toBe(base64 ? Buffer.from(body).toString('base64') : body);
    });
  });

  it('carries the route key, path parameters and request context of a $default stage', () => {
    // Act
    const event = toApiGatewayEvent(
      request('/conferences/conf-1/participants', []),
      { routeKey: 'POST /conferences/{conference}/participants', pathParameters: { conference: 'conf-1' } },
      api,
    );

    // Assert
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /conferences/{conference}/participants',
      pathParameters: { conference: 'conf-1' },
      isBase64Encoded: false,
    });
    expect(event.requestContext).toMatchObject({
      stage: '$default',
      domainName: '127.0.0.1:3000',
      http: { method: 'POST', path: '/conferences/conf-1/participants' },
    });
    expect(event.body).toBeUndefined();
  });
});

describe('fromLambdaResult', () => {
  it.each([
    [
      'a full result',
      { statusCode: 201, headers: { 'Content-Type': 'text/xml' }, body: '<Response/>' },
      201,
      'text/xml',
      '<Response/>',
    ],
    [
      'a base64 body',
      { statusCode: 200, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true },
      200,
      undefined,
      'hi',
    ],
    ['a plain object', { ok: true }, 200, 'application/json', '{"ok":true}'],
    ['a string', 'hello', 200, 'application/json', 'hello'],
  ])('maps %s', (_name, result, status, contentType, body) => {
    // Act
    const response = fromLambdaResult(result);

    // Assert
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe(contentType);
    expect(response.body.toString()).toBe(body);
  });
});

describe('matchRoute', () => {
  it.each([
    ['POST', '/twilio/voice/inbound', 'inbound'],
    ['POST', '/twilio/voice/agent', 'agent'],
    ['POST', '/conferences/conf-CA1/participants', 'participants'],
    ['DELETE', '/conferences/conf-CA1/participants/ai-agent', 'participants'],
    ['GET', '/twilio/voice/inbound', undefined],
    ['POST', '/twilio/voice/inbound/extra', undefined],
  ])('%s %s -> %s', (method, path, handler) => {
    // Act / Assert
    expect(matchRoute(method, path)?.handler).toBe(handler);
  });
});
