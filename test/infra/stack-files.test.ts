/** The committed project and stack files agree with the config table the program reads. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { CONFIG_KEYS, configReferenceMarkdown, projectConfigSchema } from '../../infra/config-schema';
import { readStackSettings } from '../../infra/stack-config';
import { PROJECT, ROOT, stackFileConfig } from './support/program';

const project = YAML.parse(readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8')) as {
  name: string;
  main: string;
  config: unknown;
};
const stacks = readdirSync(ROOT)
  .filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f))
  .map((f) => f.split('.')[1]);

describe('Pulumi.yaml', () => {
  it('names the program entry point that exists', () => {
    // Assert
    expect(project.name).toBe(PROJECT);
    expect(existsSync(path.join(ROOT, project.main))).toBe(true);
  });

  it('declares exactly the config schema of infra/config-schema.ts (regenerate: node scripts/pulumi-yaml.mjs)', () => {
    // Assert
    expect(project.config).toEqual(JSON.parse(JSON.stringify(projectConfigSchema())));
  });
});

it('infra/README.md carries the config reference of the table (regenerate: node scripts/pulumi-yaml.mjs)', () => {
  // Arrange
  const readme = readFileSync(path.join(ROOT, 'infra', 'README.md'), 'utf8');

  // Assert
  expect(readme).toContain(
    `<!-- config-reference:start -->\n${configReferenceMarkdown()}\n<!-- config-reference:end -->`,
  );
});

describe.each(stacks)('Pulumi.%s.yaml', (stack) => {
  const config = stackFileConfig(stack);

  it('sets only known keys', () => {
    // Arrange
    const known = new Set([...CONFIG_KEYS.map((k) => `${PROJECT}:${k.key}`), 'aws:region']);

    // Assert
    expect(Object.keys(config).filter((k) => !known.has(k))).toEqual([]);
  });

  it('keeps secrets out of the file (they are set with pulumi config set --secret)', () => {
    // Assert
    for (const key of CONFIG_KEYS.filter((k) => k.secret)) expect(config[`${PROJECT}:${key.key}`]).toBeUndefined();
  });

  it('is valid config once the Auth Token is set', () => {
    // Arrange
    const lookup = (key: string) => config[`${PROJECT}:${key}`];

    // Act / Assert
    expect(() =>
      readStackSettings(
        lookup,
        { twilioAuthToken: true, twilioApiKeySecret: false, participantsApiToken: false },
        PROJECT,
        stack,
      ),
    ).not.toThrow();
  });
});

it('has at least two stacks that differ where production should', () => {
  // Arrange
  const dev = stackFileConfig('dev');
  const prod = stackFileConfig('prod');

  // Assert
  expect(stacks.length).toBeGreaterThanOrEqual(2);
  for (const key of ['logRetentionDays', 'lambdaMemoryMb', 'throttlingRateLimit', 'alarms'])
    expect(prod[`${PROJECT}:${key}`]).not.toEqual(dev[`${PROJECT}:${key}`]);
});

describe('infra/README.md "Deploying from zero"', () => {
  // Values only an example can have: reserved example domains, Twilio's test numbers, zero-patterned IDs.
  const EXAMPLE = /example\.com|^\+1500555|0123456789|123456789012|^\+1\*$|^client:\*$|^\+1415555\*$/;
  const readme = readFileSync(path.join(ROOT, 'infra', 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Deploying from zero'), readme.indexOf('## Configure a stack'));

  it.each(stacks)('when Pulumi.%s.yaml holds an example value, the checklist tells what replaces it', (stack) => {
    // Arrange
    const config = stackFileConfig(stack);

    // Act
    const placeholders = Object.entries(config)
      .filter(([, value]) => {
        const values = value.startsWith('[') ? (JSON.parse(value) as string[]) : [value];
        return values.some((v) => EXAMPLE.test(v));
      })
      .map(([key]) => key.replace(`${PROJECT}:`, ''));

    // Assert
    expect(placeholders.length).toBeGreaterThan(3);
    const undocumented = placeholders.filter((key) => !table.includes(`| \`${key}\``));
    expect(undocumented).toEqual([]);
  });
});
