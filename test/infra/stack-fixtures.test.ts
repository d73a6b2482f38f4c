/**
 * The test-owned stack fixtures (test/fixtures/stacks): each says what it exercises, and the reader takes only a
 * stack name and plain config, refusing what belongs in a team's stack file (secrets, encryption settings).
 */
import { readFileSync } from 'node:fs';
import { fixtureFile, fixtureNames, parseStackFixture, stackFixture } from '../support/stack-fixtures';

describe.each(fixtureNames())('fixture %s', (name) => {
  it('when read, starts with a comment saying what it exercises and names its stack', () => {
    // Arrange
    const text = readFileSync(fixtureFile(name), 'utf8');

    // Act
    const fixture = stackFixture(name);

    // Assert
    expect(text).toMatch(new RegExp(`^# Fixture "${name}": \\S`));
    expect(text).toContain(`Runs as Pulumi stack "${fixture.stackName}".`);
    expect(fixture.config['voice-ai-conference:phoneNumber']).toMatch(/^\+\d+$/);
  });
});

describe('parseStackFixture', () => {
  it('when config holds lists, numbers and booleans, it hands them over as Pulumi does: strings, lists as JSON', () => {
    // Arrange
    const text = [
      'stack: qa',
      'config:',
      '  aws:region: eu-west-1',
      '  voice-ai-conference:allowedDialTargets: ["+1*", "client:*"]',
      '  voice-ai-conference:logRetentionDays: 7',
      '  voice-ai-conference:alarms: true',
    ].join('\n');

    // Act
    const fixture = parseStackFixture('qa-like', text);

    // Assert
    expect(fixture).toEqual({
      name: 'qa-like',
      stackName: 'qa',
      config: {
        'aws:region': 'eu-west-1',
        'voice-ai-conference:allowedDialTargets': '["+1*","client:*"]',
        'voice-ai-conference:logRetentionDays': '7',
        'voice-ai-conference:alarms': 'true',
      },
    });
  });

  it.each([
    [
      'a secure: secret',
      'stack: dev\nconfig:\n  voice-ai-conference:twilioAuthToken:\n    secure: v1:abc',
      'voice-ai-conference:twilioAuthToken is not a plain value (a secure: secret?)',
    ],
    [
      'an encryption salt',
      'stack: dev\nencryptionsalt: v1:abc\nconfig: {}',
      'has encryptionsalt: a fixture holds only stack and config',
    ],
    ['no stack name', 'config:\n  aws:region: us-east-1', 'stack: must be the Pulumi stack name'],
    ['a stack name with a space', 'stack: my dev\nconfig: {}', 'stack: must be the Pulumi stack name'],
    ['a key without namespace', 'stack: dev\nconfig:\n  phoneNumber: "+15005550006"', 'config key phoneNumber'],
    ['no config map', 'stack: dev\nconfig: [a]', 'config: must be a map'],
    ['a key without value', 'stack: dev\nconfig:\n  aws:region:', 'aws:region has no value'],
  ])('when a fixture holds %s, it refuses it naming the fixture and why', (_case, text, why) => {
    // Act
    const parse = () => parseStackFixture('broken', text);

    // Assert
    expect(parse).toThrow(`stack fixture broken: ${why}`);
  });

  it('when a fixture does not exist, the error lists the fixtures there are', () => {
    // Act
    const read = () => stackFixture('no-such-fixture');

    // Assert
    expect(read).toThrow(
      `no stack fixture no-such-fixture in test/fixtures/stacks (there are: ${fixtureNames().join(', ')})`,
    );
  });
});
