/**
 * Every curl example in the repository's Markdown runs against the sandbox and gets the answer the README's
 * participants API table promises for its route (status and JSON fields). The examples run as written, through
 * bash and curl; only their placeholders are filled in: the variables below and the example conference name
 * (`conf-CA…`), which becomes a live call's conference.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../../sandbox';
import { exampleAddAgentRequest } from '../../infra/urls';
import { matchRoute } from '../../sandbox/api-gateway/server';
import { fencedBlocks, repoMarkdownFiles, ROOT } from './support/markdown';

const run = promisify(execFile);

/** The shell variables the examples use, and what they stand for. */
const VARIABLES = {
  API_URL: (s: Sandbox) => s.apiBaseUrl,
  BASE: (s: Sandbox) => s.apiBaseUrl,
  PARTICIPANTS_API_TOKEN: (s: Sandbox) => s.apiToken,
  TOKEN: (s: Sandbox) => s.apiToken,
} as const;
const EXAMPLE_CONFERENCE = /conf-CA[0-9a-fA-F]*(?:…|\.\.\.)/g;

/** The curl commands of a shell block, continuation lines joined, comments dropped. */
function curlCommands(shell: string): string[] {
  return shell
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^curl\s/.test(l));
}

/** The README's promise per route key: `POST /conferences/{conference}/participants` -> status and JSON fields. */
function documentedAnswers(): Map<string, { status: number; fields: string[] }> {
  const answers = new Map<string, { status: number; fields: string[] }>();
  for (const row of readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n')) {
    const cells = row.split(' | ');
    const route = /^\| `((?:POST|PATCH|DELETE|GET) \/conferences\/[^`]+)`$/.exec(cells[0] ?? '');
    const answer = /^`(\d{3})(?: \{([^`]*)\})?`/.exec(cells.at(-1) ?? '');
    if (route && answer)
      answers.set(route[1], {
        status: Number(answer[1]),
        fields: [...(answer[2] ?? '').matchAll(/"(\w+)"/g)].map((m) => m[1]),
      });
  }
  return answers;
}

const examples = repoMarkdownFiles().flatMap((file) =>
  fencedBlocks(readFileSync(path.join(ROOT, file), 'utf8'))
    .filter((b) => ['bash', 'sh', 'shell', 'console'].includes(b.lang) && curlCommands(b.body).length > 0)
    .map((b) => ({ where: `${file}:${b.line}`, commands: curlCommands(b.body) })),
);
const answers = documentedAnswers();

let sandbox: Sandbox;
let bodyDir: string;
beforeAll(async () => {
  // The README's example adds the AI agent itself: with the default agentAutoAdd the events handler has already
  // added it and the example would rightly get 409 label_in_use.
  sandbox = await startSandbox({ quiet: true, config: { agentAutoAdd: 'false' } });
  bodyDir = mkdtempSync(path.join(tmpdir(), 'curl-examples-'));
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(bodyDir, { recursive: true, force: true });
});

it('finds the documented curl examples and the answers the README promises', () => {
  expect(examples.map((e) => e.where)).toEqual(expect.arrayContaining([expect.stringMatching(/^README\.md:/)]));
  expect(answers.size).toBeGreaterThanOrEqual(5);
});

/** A live call whose caller is in their conference; resolves with the conference name. */
async function liveConference(): Promise<string> {
  const { callSid } = await sandbox.placeInboundCall({ from: '+15557654321' });
  const conference = `conf-${callSid}`;
  await sandbox.twilio.waitUntil(
    () => sandbox.twilio.participants(conference).some((p) => p.label === 'caller' && p.status === 'connected'),
    // Generous: the sandbox answers in milliseconds, but a shared CI machine can stall a process for seconds.
    20_000,
    'the caller in the conference',
  );
  return conference;
}

/** Runs one documented curl command through bash with its placeholders filled in; what came back and was promised. */
async function runDocumented(command: string, conference: string, example: RegExp) {
  const env = Object.fromEntries(Object.entries(VARIABLES).map(([name, value]) => [name, value(sandbox)]));
  const unknown = [...command.matchAll(/\$\{?(\w+)/g)].map((m) => m[1]).filter((v) => !(v in env));
  const filled = command.replace(example, conference);
  const bodyFile = path.join(bodyDir, `answer-${Math.random().toString(36).slice(2)}.json`);
  const { stdout } = await run('bash', ['-c', `${filled} -o "$CURL_ANSWER" -w '%{http_code}'`], {
    env: { ...process.env, ...env, CURL_ANSWER: bodyFile },
  });
  const method = /-X\s+(\w+)/.exec(command)?.[1] ?? 'GET';
  const expanded = filled.replace(/\$\{?(\w+)\}?/g, (_, name: string) => env[name] ?? '');
  const url = new URL(/(https?:\/\/[^'"\s]+)/.exec(expanded)![1]);
  const promised = answers.get(matchRoute(method, url.pathname)?.routeKey ?? '');
  return { unknown, status: Number(stdout), answer: readFileSync(bodyFile, 'utf8'), promised };
}

describe.each(examples)('the curl examples at $where', ({ commands }) => {
  it('each get the status and JSON fields the README documents for their route, in order, on a live call', async () => {
    // Arrange
    const conference = await liveConference();

    for (const command of commands) {
      // Act
      const { unknown, status, answer, promised } = await runDocumented(command, conference, EXAMPLE_CONFERENCE);

      // Assert
      expect({ command, unknown, status }).toEqual({ command, unknown: [], status: promised?.status });
      expect(Object.keys(JSON.parse(answer)).sort()).toEqual(expect.arrayContaining(promised!.fields.sort()));
    }
  });
});

describe('the stack output exampleAddAgentRequest (the README says to eval it)', () => {
  it('adds the agent with the documented answer once its example conference is a live one', async () => {
    // Arrange: the output for a stack served at the sandbox's URL; its first line reads the token with pulumi
    const [tokenLine, ...rest] = exampleAddAgentRequest(sandbox.apiBaseUrl, 'dev').split('\n');
    const conference = await liveConference();

    // Act
    const { unknown, status, answer, promised } = await runDocumented(
      curlCommands(rest.join('\n'))[0],
      conference,
      /conf-CA[0-9a-f]{32}/,
    );

    // Assert
    expect(tokenLine).toMatch(/^TOKEN=\$\(pulumi stack output --stack dev --show-secrets participantsApiToken\)$/);
    expect({ unknown, status }).toEqual({ unknown: [], status: promised?.status });
    expect(Object.keys(JSON.parse(answer))).toEqual(expect.arrayContaining(promised!.fields));
  });
});
