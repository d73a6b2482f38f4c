/**
 * Every curl example in the repository's Markdown, and the stack output `addAgentCommand` used the way the docs show,
 * run against a sandbox with the stack's default configuration (the agent joins every call by itself) and get the
 * answer the README's participants API table promises for their route (status and JSON fields). They run as written,
 * through bash, curl and a stand-in `pulumi` on the PATH that answers `pulumi stack output` with this sandbox's
 * outputs (the secret token only with `--show-secrets`); only the example conference name (`conf-CA…`) becomes a live
 * call's, and the variables the README leaves to the reader (`$API_URL`, `$PARTICIPANTS_API_TOKEN`) are set.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../../sandbox';
import { addAgentCommand, participantsEndpoint } from '../../infra/urls';
import { API_PATHS, routeKey } from '../../lambdas/routes';
import { matchRoute } from '../../sandbox/api-gateway/server';
import { fencedBlocks, repoMarkdownFiles, ROOT } from './support/markdown';

const run = promisify(execFile);

/** The shell variables the README's examples use without setting them, and what they stand for. */
const READER_VARIABLES = {
  API_URL: (s: Sandbox) => s.apiBaseUrl,
  PARTICIPANTS_API_TOKEN: (s: Sandbox) => s.apiToken,
} as const;
const EXAMPLE_CONFERENCE = /conf-CA[0-9a-fA-F]*(?:…|\.\.\.)/g;
const SHELL = ['bash', 'sh', 'shell', 'console'];
const ADD_PARTICIPANT = routeKey({ method: 'POST', path: API_PATHS.participants });

/** The lines of a shell block, continuation lines joined. */
function shellLines(shell: string): string[] {
  return shell
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim());
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

const shellBlocks = repoMarkdownFiles().flatMap((file) =>
  fencedBlocks(readFileSync(path.join(ROOT, file), 'utf8'))
    .filter((b) => SHELL.includes(b.lang))
    .map((b) => ({ where: `${file}:${b.line}`, lines: shellLines(b.body) })),
);
/** Each block's curl commands, with the block's variable assignments (`BASE=$(pulumi stack output …)`) run first. */
const examples = shellBlocks
  .map(({ where, lines }) => ({
    where,
    assignments: lines.filter((l) => /^[A-Za-z_]\w*=/.test(l)),
    commands: lines.filter((l) => /^curl\s/.test(l)),
  }))
  .filter((e) => e.commands.length > 0);
/** Each block that evals the stack output and calls the `add_agent` it defines. */
const stackOutputUses = shellBlocks
  .map(({ where, lines }) => ({
    where,
    script: [
      ...lines.filter((l) => /^eval "\$\(pulumi stack output (?:--stack \S+ )?addAgentCommand\)"/.test(l)),
      ...lines.filter((l) => /^add_agent\s/.test(l)),
    ],
  }))
  .filter((u) => u.script.length > 0);
/** The stacks the docs name (`--stack dev`): the sandbox stands in for each. */
const documentedStacks = [
  ...new Set(
    stackOutputUses.flatMap((u) => u.script.flatMap((l) => [...l.matchAll(/--stack (\S+)/g)].map((m) => m[1]))),
  ),
];
const answers = documentedAnswers();

let sandbox: Sandbox;
let workDir: string;
let pathWithPulumi: string;

/**
 * A stand-in `pulumi` answering `pulumi stack output [--stack <s>] [--show-secrets] <name>` from files, as the CLI
 * does for the selected stack (the first) or `--stack`: a secret output prints `[secret]` unless `--show-secrets`
 * is given; a stack it does not know fails.
 */
function installPulumi(
  dir: string,
  outputsByStack: Readonly<Record<string, Record<string, string>>>,
  secrets: readonly string[],
) {
  mkdirSync(path.join(dir, 'bin'));
  for (const [stack, outputs] of Object.entries(outputsByStack)) {
    mkdirSync(path.join(dir, 'outputs', stack), { recursive: true });
    for (const [name, value] of Object.entries(outputs)) writeFileSync(path.join(dir, 'outputs', stack, name), value);
  }
  const stack = Object.keys(outputsByStack)[0];
  const script = `#!/usr/bin/env bash
[ "$1 $2" = "stack output" ] || { echo "stand-in pulumi: only 'stack output' is known" >&2; exit 1; }
shift 2
stack=${stack} show=0 name=
while [ $# -gt 0 ]; do
  case $1 in
    --stack) stack=$2; shift ;;
    --show-secrets) show=1 ;;
    -*) echo "stand-in pulumi: unknown flag $1" >&2; exit 1 ;;
    *) name=$1 ;;
  esac
  shift
done
file=${JSON.stringify(path.join(dir, 'outputs'))}/$stack/$name
[ -f "$file" ] || { echo "error: no stack output $name on stack $stack" >&2; exit 255; }
case " ${secrets.join(' ')} " in *" $name "*) [ $show = 1 ] || { echo '[secret]'; exit 0; } ;; esac
cat "$file"; echo
`;
  writeFileSync(path.join(dir, 'bin', 'pulumi'), script);
  chmodSync(path.join(dir, 'bin', 'pulumi'), 0o755);
}

beforeAll(async () => {
  sandbox = await startSandbox({ quiet: true });
  workDir = mkdtempSync(path.join(tmpdir(), 'curl-examples-'));
  const outputsOf = (stack: string) => ({
    apiBaseUrl: sandbox.apiBaseUrl,
    participantsEndpoint: participantsEndpoint(sandbox.apiBaseUrl),
    participantsApiToken: sandbox.apiToken,
    addAgentCommand: addAgentCommand(sandbox.apiBaseUrl, { ...sandbox.settings, stack }),
  });
  installPulumi(
    workDir,
    Object.fromEntries([sandbox.settings.stack, ...documentedStacks].map((stack) => [stack, outputsOf(stack)])),
    ['participantsApiToken'],
  );
  pathWithPulumi = `${path.join(workDir, 'bin')}${path.delimiter}${process.env.PATH}`;
});
afterAll(async () => {
  await sandbox?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

it('finds the documented curl examples, the uses of the add_agent output and the answers the README promises', () => {
  expect(examples.map((e) => e.where)).toEqual(expect.arrayContaining([expect.stringMatching(/^README\.md:/)]));
  expect(stackOutputUses.map((e) => e.where)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^docs\/deploy\.md:/)]),
  );
  expect(stackOutputUses.every((u) => u.script.some((l) => l.startsWith('add_agent ')))).toBe(true);
  expect(answers.size).toBeGreaterThanOrEqual(5);
});

/** A live call: the caller and the agent the stack added are in its conference; resolves with its name. */
async function liveConference(): Promise<string> {
  const { callSid } = await sandbox.placeInboundCall({ from: '+15557654321' });
  const conference = `conf-${callSid}`;
  await sandbox.twilio.waitUntil(
    () =>
      ['caller', 'ai-agent'].every((label) =>
        sandbox.twilio.participants(conference).some((p) => p.label === label && p.status === 'connected'),
      ),
    // Generous: the sandbox answers in milliseconds, but a shared CI machine can stall a process for seconds.
    20_000,
    'the caller and the agent in the conference',
  );
  return conference;
}

/** Runs a script through bash with the stand-in pulumi and the reader's variables; what it printed and its code. */
async function bash(script: string, env: Record<string, string> = {}) {
  const readerVariables = Object.fromEntries(
    Object.entries(READER_VARIABLES).map(([name, value]) => [name, value(sandbox)]),
  );
  return run('bash', ['-c', script], { env: { ...process.env, ...readerVariables, ...env, PATH: pathWithPulumi } })
    .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }))
    .catch((error: { code: number; stdout: string; stderr: string }) => error);
}

/** Runs one documented curl command after its block's assignments; what came back and was promised. */
async function runDocumented(command: string, assignments: readonly string[], conference: string) {
  const assigned = new Set(assignments.map((a) => a.split('=')[0]));
  const unknown = [...command.matchAll(/\$\{?(\w+)/g)]
    .map((m) => m[1])
    .filter((v) => !assigned.has(v) && !(v in READER_VARIABLES));
  const bodyFile = path.join(workDir, `answer-${Math.random().toString(36).slice(2)}.json`);
  const script = [
    'set -e',
    ...assignments,
    `${command.replace(EXAMPLE_CONFERENCE, conference)} -o "$CURL_ANSWER" -w '%{http_code} %{url_effective}'`,
  ].join('\n');
  const { stdout, stderr } = await bash(script, { CURL_ANSWER: bodyFile });
  const [status, url] = stdout.split(' ');
  const method = /-X\s+(\w+)/.exec(command)?.[1] ?? 'GET';
  const promised = url ? answers.get(matchRoute(method, new URL(url).pathname)?.routeKey ?? '') : undefined;
  return { unknown, status: Number(status), stderr, answer: readFileSync(bodyFile, 'utf8'), promised };
}

describe.each(examples)('the curl examples at $where', ({ assignments, commands }) => {
  it('each get the status and JSON fields the README documents for their route, in order, on a live call', async () => {
    // Arrange
    const conference = await liveConference();

    for (const command of commands) {
      // Act
      const { unknown, status, stderr, answer, promised } = await runDocumented(command, assignments, conference);

      // Assert
      expect({ command, unknown, status, stderr }).toEqual({
        command,
        unknown: [],
        status: promised?.status,
        stderr: '',
      });
      expect(Object.keys(JSON.parse(answer)).sort()).toEqual(expect.arrayContaining(promised!.fields.sort()));
    }
  });
});

describe.each(stackOutputUses)('the stack output addAgentCommand as used at $where', ({ script }) => {
  it('adds a second agent to a live call whose agent the stack added, with the answer the README documents', async () => {
    // Arrange
    const conference = await liveConference();
    const sent = JSON.parse(/ -d '([^']*)'/.exec(addAgentCommand(sandbox.apiBaseUrl, sandbox.settings))![1]);

    // Act
    const { code, stdout, stderr } = await bash(script.join('\n').replace(EXAMPLE_CONFERENCE, conference));

    // Assert
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const served = sandbox.api.invocations.filter(
      (i) => i.routeKey === ADD_PARTICIPANT && i.path === `/conferences/${conference}/participants`,
    );
    const promised = answers.get(ADD_PARTICIPANT)!;
    expect(served.map((i) => i.status)).toEqual([promised.status]);
    const added = JSON.parse(stdout);
    expect(Object.keys(added)).toEqual(expect.arrayContaining(promised.fields));
    expect(added.label).toBe('ai-agent-2');
    const session = await sandbox.agent!.waitForSession((s) => s.callSid === added.callSid);
    expect(session.customParameters).toEqual(sent.context ?? {});
    expect(
      sandbox.twilio
        .participants(conference)
        .filter((p) => p.status === 'connected')
        .map((p) => p.label)
        .sort(),
    ).toEqual(['ai-agent', 'ai-agent-2', 'caller']);
  });
});

it('when add_agent is called without a conference, it says how to call it and sends nothing', async () => {
  // Arrange
  const adds = () => sandbox.api.invocations.filter((i) => i.routeKey === ADD_PARTICIPANT).length;
  const before = adds();

  // Act
  const { code, stderr } = await bash('eval "$(pulumi stack output addAgentCommand)"\nadd_agent');

  // Assert
  expect(code).toBe(2);
  expect(stderr).toMatch(/^usage: add_agent <conference>/);
  expect(adds()).toBe(before);
});
