/**
 * The harness's wire encoding and the providers' unknown value, checked against @pulumi/pulumi's own runtime
 * (the program side of the same protocol), and the engine's marshalling rules the harness applies.
 */
import * as pulumi from '@pulumi/pulumi';
import * as rpc from '@pulumi/pulumi/runtime/rpc';
import { UNKNOWN_VALUE } from '../../infra/twilio/settings';
import { annotateSecrets, marshal, secret, UNKNOWN, unmarshal } from './support/wire';

describe('what @pulumi/pulumi puts on the wire', () => {
  it('marks an unknown with the string the harness and the providers use', () => {
    // Assert
    expect([UNKNOWN, UNKNOWN_VALUE]).toEqual([rpc.unknownValue, rpc.unknownValue]);
  });

  it('wraps a secret as the harness does (a monitor that supports secrets)', async () => {
    // Arrange: the mocks' monitor answers every feature but outputValues, as the harness's stand-in does for secrets.
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs });

    // Act
    const serialized = await rpc.serializeProperties(
      'wire test',
      { token: pulumi.secret('s3cr3t') },
      {
        keepOutputValues: false,
      },
    );

    // Assert
    expect(serialized).toEqual({ token: secret('s3cr3t') });
  });
});

describe('the engine marshalling a property bag for a provider', () => {
  const bag = { url: UNKNOWN, token: secret('s3cr3t'), nested: { list: [secret('a'), 'b'] } };

  it.each([
    ['keeping unknowns and secrets', { keepUnknowns: true, keepSecrets: true }, bag],
    [
      'stripping secrets (a provider that does not accept them)',
      { keepUnknowns: true, keepSecrets: false },
      { url: UNKNOWN, token: 's3cr3t', nested: { list: ['a', 'b'] } },
    ],
  ])('when %s, it sends the bag accordingly', (_name, options, expected) => {
    // Act
    const sent = unmarshal(marshal(bag, options));

    // Assert
    expect(sent).toEqual(expected);
  });

  it('when unknowns are not allowed (an update, not a preview), it refuses one', () => {
    // Act / Assert
    expect(() => marshal(bag, { keepUnknowns: false, keepSecrets: true })).toThrow('unexpected unknown value');
  });
});

describe('annotateSecrets (outputs of a provider that does not accept secrets)', () => {
  it.each([
    ['an output whose input was secret becomes secret', { a: 'x' }, { a: secret('x') }, { a: secret('x') }],
    ['an output without a secret input stays plain', { a: 'x' }, { a: 'x' }, { a: 'x' }],
    [
      'objects are followed key by key',
      { o: { k: 'v', p: 'q' } },
      { o: { k: secret('v') } },
      { o: { k: secret('v'), p: 'q' } },
    ],
    [
      'an array with a secret inside becomes one secret',
      { l: ['a', 'b'] },
      { l: [secret('a'), 'b'] },
      { l: secret(['a', 'b']) },
    ],
  ])('%s', (_name, outs, ins, expected) => {
    // Act / Assert
    expect(annotateSecrets(outs, ins)).toEqual(expected);
  });
});
