/**
 * The test-owned stack configurations (test/fixtures/stacks/<fixture>.yaml) every program run of the tests and of
 * `npm run snapshot` starts from. Teams own Pulumi.<stack>.yaml and may change or delete them; no test reads them
 * to run the program, so a team's values or secrets never change a test's outcome.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures', 'stacks');

/** A fixture: the stack the program runs as, and its config as the strings Pulumi hands the program. */
export interface StackFixture {
  /** The file name without .yaml: what the fixture exercises (its snapshot has the same name). */
  readonly name: string;
  /** The Pulumi stack name of a run (resource names include it). */
  readonly stackName: string;
  /** `namespace:key` to value; lists as JSON, as Pulumi passes them. */
  readonly config: Record<string, string>;
}

// Pulumi's own rule for a stack name's characters; the program adds the name to every resource name.
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a fixture file's text: a Pulumi stack file's `config:` map (namespaced keys) plus `stack:`, the stack name
 * of a run. Refuses secrets (`secure:` values, which only a team's Pulumi backend can decrypt; the test runners set
 * test secrets themselves) and anything else a stack file may hold, naming the fixture and the key.
 */
export function parseStackFixture(name: string, text: string): StackFixture {
  const fail = (why: string): never => {
    throw new Error(`stack fixture ${name}: ${why}`);
  };
  const doc = YAML.parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail('is not a YAML map');
  const { stack, config, ...rest } = doc as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) fail(`has ${extra.join(', ')}: a fixture holds only stack and config`);
  if (typeof stack !== 'string' || !STACK_NAME.test(stack))
    fail('stack: must be the Pulumi stack name of the run (letters, digits, _ . -)');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return fail('config: must be a map');
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!/^[^:\s]+:[^:\s]+$/.test(key)) fail(`config key ${key} must be namespaced (voice-ai-conference:key, aws:key)`);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      fail(`${key} is not a plain value (a secure: secret?); fixtures hold no secrets, the test runners set them`);
    if (value === null || value === undefined) fail(`${key} has no value`);
    values[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { name, stackName: stack as string, config: values };
}

/** The fixture names, sorted (one per test/fixtures/stacks/*.yaml). */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The path of a fixture's file. */
export function fixtureFile(name: string): string {
  return path.join(FIXTURES_DIR, `${name}.yaml`);
}

/** Reads and parses fixture `name` (throws naming the fixtures there are when it does not exist). */
export function stackFixture(name: string): StackFixture {
  let text: string;
  try {
    text = readFileSync(fixtureFile(name), 'utf8');
  } catch {
    throw new Error(`no stack fixture ${name} in test/fixtures/stacks (there are: ${fixtureNames().join(', ')})`);
  }
  return parseStackFixture(name, text);
}
