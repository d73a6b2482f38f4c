/**
 * `npm run verify` as a person (or the deploy workflow) runs it, through npm, against the sandbox standing in for a
 * deployed stack: the stack's values from `pulumi stack output` and its Twilio credentials from `pulumi config` (a
 * stand-in `pulumi` on PATH) or from flags and environment, the plan and its cost before any dial, the Markdown
 * summary, exit codes, and a SIGTERM mid-call that still hangs the call up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { FakePulumi } from '../setup/support/fake-pulumi';
import { descendants, isAlive } from './support/processes';
import { liveCalls } from './support/live-calls';

const ROOT = path.resolve(__dirname, '..', '..');
/** A PATH with node, npm and sh but no Pulumi CLI. */
const PATH_WITHOUT_PULUMI = [...new Set([path.dirname(process.execPath), '/usr/bin', '/bin'])].join(':');
const started: ChildProcess[] = [];
const tempDirs: string[] = [];

/** A job summary file that already holds an earlier step's text, as $GITHUB_STEP_SUMMARY may. */
function summaryFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'verify-summary-'));
  tempDirs.push(dir);
  const file = path.join(dir, 'summary.md');
  writeFileSync(file, '## Earlier step\n\n');
  return file;
}

/** Runs `npm run verify -- <args>` with exactly `env` (and a PATH); collects its output. */
function verify(args: string[], env: Record<string, string>) {
  const child = spawn('npm', ['run', 'verify', '--silent', '--', ...args], {
    cwd: ROOT,
    env: { PATH: PATH_WITHOUT_PULUMI, HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output, closed };
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  // Only if a test failed midway: end what this file started, by pid.
  for (const child of started)
    if (child.pid)
      for (const pid of [child.pid, ...descendants(child.pid)]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

const TOKEN = 'a-participants-token-that-must-not-be-printed';
const FAKE_VALUES = {
  VERIFY_PHONE_NUMBER: '+15005550006',
  VERIFY_API_BASE_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  PARTICIPANTS_API_TOKEN: TOKEN,
  TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'an-auth-token-that-must-not-be-printed',
};

describe('npm run verify without a stack to call', () => {
  it('when asked for --help, it prints the usage and exits 0', async () => {
    const run = verify(['--help'], {});

    expect(await run.closed).toBe(0);
    expect(run.output.stdout).toContain('Usage: npm run verify -- --stack <name>');
  });

  it('when --stack is missing, it says so and exits 2', async () => {
    const run = verify([], {});

    expect(await run.closed).toBe(2);
    expect(run.output.stderr).toContain('--stack <name> is required');
  });

  it('when values are missing and there is no Pulumi CLI, it lists each one, where to give it, and exits 2', async () => {
    const run = verify(['--stack', 'dev'], {});

    expect(await run.closed).toBe(2);
    expect(run.output.stdout).toContain('The Pulumi CLI is not on PATH');
    for (const missing of [
      'the stack’s number (--phone-number, VERIFY_PHONE_NUMBER or output phoneNumber) is missing',
      'the API base URL (--api-base-url, VERIFY_API_BASE_URL or output apiBaseUrl) is missing',
      'the participants API token (env PARTICIPANTS_API_TOKEN or output participantsApiToken) is missing',
      'TWILIO_ACCOUNT_SID',
    ])
      expect(run.output.stderr).toContain(missing);
  });

  it('when values are missing and a summary file is given, it appends why the call was not placed to it', async () => {
    const summary = summaryFile();

    const run = verify(['--stack', 'dev', '--summary', summary], { PARTICIPANTS_API_TOKEN: TOKEN });

    expect(await run.closed).toBe(2);
    const written = readFileSync(summary, 'utf8');
    expect(written).toMatch(/^## Earlier step\n\n### ✗ Acceptance call of stack dev: not placed\n\n- /);
    expect(written).toContain(
      '- the API base URL (--api-base-url, VERIFY\\_API\\_BASE\\_URL or output apiBaseUrl) is missing',
    );
    expect(written).not.toContain(TOKEN);
  });

  it('when the Pulumi CLI cannot read the stack’s config, it says so and takes the credentials from the environment', async () => {
    const pulumi = new FakePulumi({
      stackOutputs: { phoneNumber: FAKE_VALUES.VERIFY_PHONE_NUMBER, apiBaseUrl: FAKE_VALUES.VERIFY_API_BASE_URL },
      configError: 'error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE',
    });
    tempDirs.push(pulumi.dir);

    const run = verify(['--stack', 'dev', '--dry-run'], {
      PARTICIPANTS_API_TOKEN: TOKEN,
      PATH: pulumi.path(PATH_WITHOUT_PULUMI),
    });

    expect(await run.closed).toBe(2);
    expect(run.output.stdout).toContain(
      'pulumi config failed: error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE',
    );
    expect(run.output.stderr).toContain('no Twilio Account SID: set config twilioAccountSid or TWILIO_ACCOUNT_SID');
  });

  it('when run with --dry-run, it prints the plan and what one run costs, with the prices’ sources, and dials nothing', async () => {
    const run = verify(['--stack', 'dev', '--dry-run'], FAKE_VALUES);

    expect(await run.closed).toBe(0);
    const out = run.output.stdout;
    expect(out).toContain('Acceptance call for stack dev');
    expect(out).toContain('+15005550006 -> https://abc123.execute-api.us-east-1.amazonaws.com/twilio/voice/inbound');
    expect(out).toMatch(/a passing run: about \$0\.\d{4}; at most \$0\.\d{4} \(TimeLimit: 1 min per leg\)/);
    expect(out).toContain('https://www.twilio.com/en-us/voice/pricing/us');
    expect(out).toContain('<Pause length="60"/>');
    expect(out).not.toContain('<Dial');
    expect(out).toContain('--dry-run: nothing dialled.');
    expect(out + run.output.stderr).not.toContain(TOKEN);
    expect(out + run.output.stderr).not.toContain(FAKE_VALUES.TWILIO_AUTH_TOKEN);
  });
});

describe('npm run verify against the sandbox', () => {
  let sandbox: Sandbox;
  const fakes: FakePulumi[] = [];
  beforeEach(async () => {
    sandbox = await startSandbox({
      quiet: true,
      twilio: { timeScale: 1, callsPerSecond: Number.POSITIVE_INFINITY },
    });
  });
  afterEach(async () => {
    await sandbox.stop();
    for (const fake of fakes.splice(0)) fake.remove();
  });

  /** The Twilio side of the environment: the account's credentials and the emulator as Twilio's API. */
  const twilioEnv = () => ({
    TWILIO_ACCOUNT_SID: sandbox.twilio.accountSid,
    TWILIO_AUTH_TOKEN: sandbox.twilio.authToken,
    TWILIO_API_BASE_URL: sandbox.twilio.baseUrl,
  });
  it('when the Pulumi CLI is on PATH, it reads the stack’s outputs through it, passes every step and exits 0', async () => {
    // A stand-in `pulumi` that records its arguments and prints the stack's outputs, as `pulumi stack output` does.
    const pulumi = new FakePulumi({
      stackOutputs: {
        apiBaseUrl: sandbox.apiBaseUrl,
        webhookUrls: sandbox.webhookUrls,
        phoneNumber: sandbox.phoneNumber,
        twimlAppSid: sandbox.twimlAppSid,
        participantsApiToken: sandbox.apiToken,
      },
    });
    fakes.push(pulumi);

    const run = verify(['--stack', 'sandbox', '--hold', '1', '--agent-deadline', '10'], {
      ...twilioEnv(),
      PATH: pulumi.path(PATH_WITHOUT_PULUMI),
    });

    expect(await run.closed).toBe(0);
    expect(pulumi.calls().map((c) => c.argv.join(' '))).toEqual(['stack output --json --show-secrets --stack sandbox']);
    const out = run.output.stdout;
    expect(out).toContain(`✓ the TwiML App points at the stack: ${sandbox.twimlAppSid}`);
    expect(out).toMatch(/✓ the AI agent joins the conference: CA[0-9a-f]{32} "ai-agent" connected/);
    expect(out).toMatch(/✓ every leg the test call created has ended: test call CA[0-9a-f]{32} completed/);
    expect(out).toMatch(/Hop +Twilio \(UTC\)/);
    expect(out).toContain('PASSED');
    expect(out + run.output.stderr).not.toContain(sandbox.apiToken);
    expect(await liveCalls(sandbox)).toEqual([]);
  });

  it('when the environment has no Twilio credentials, it takes the stack’s from its config, passes, and appends the outcome and hop table to the summary', async () => {
    // The deploy workflow's case: the stack file holds the credentials; GitHub holds no Twilio secret.
    const pulumi = new FakePulumi({
      stackOutputs: {
        apiBaseUrl: sandbox.apiBaseUrl,
        webhookUrls: sandbox.webhookUrls,
        phoneNumber: sandbox.phoneNumber,
        twimlAppSid: sandbox.twimlAppSid,
        participantsApiToken: sandbox.apiToken,
      },
      stackConfig: {
        'aws:region': { value: 'us-east-1', secret: false },
        'voice-ai-conference:twilioAccountSid': { value: sandbox.twilio.accountSid, secret: false },
        'voice-ai-conference:twilioAuthToken': { value: sandbox.twilio.authToken, secret: true },
        'voice-ai-conference:twilioApiKeySid': { value: '', secret: false },
      },
    });
    fakes.push(pulumi);
    const summary = summaryFile();

    const run = verify(['--stack', 'acme/sandbox', '--hold', '1', '--agent-deadline', '10', '--summary', summary], {
      TWILIO_API_BASE_URL: sandbox.twilio.baseUrl,
      PATH: pulumi.path(PATH_WITHOUT_PULUMI),
    });

    expect(await run.closed).toBe(0);
    expect(pulumi.calls().map((c) => c.argv.join(' '))).toEqual([
      'stack output --json --show-secrets --stack acme/sandbox',
      'config --json --show-secrets --stack acme/sandbox',
    ]);
    expect(run.output.stdout).toContain('PASSED');
    const written = readFileSync(summary, 'utf8');
    expect(written).toMatch(/^## Earlier step\n\n### ✓ Acceptance call of stack acme\/sandbox: PASSED\n/);
    expect(written).toContain('| Hop | Twilio (UTC) | +s Twilio | seen +ms |');
    expect(written).toMatch(/\| agent connected in the conference \| +\| +\| \d+ \|/);
    for (const secret of [sandbox.twilio.authToken, sandbox.apiToken])
      expect(run.output.stdout + run.output.stderr + written).not.toContain(secret);
    expect(await liveCalls(sandbox)).toEqual([]);
  });

  it('when the test call is refused (a From the account does not own), it names the step and cause and exits 1', async () => {
    const run = verify(['--stack', 'sandbox', '--from', '+15550009999'], {
      ...twilioEnv(),
      VERIFY_PHONE_NUMBER: sandbox.phoneNumber,
      VERIFY_API_BASE_URL: sandbox.apiBaseUrl,
      PARTICIPANTS_API_TOKEN: sandbox.apiToken,
    });

    expect(await run.closed).toBe(1);
    expect(run.output.stdout).toMatch(
      /FAILED at "Twilio places the test call" \(dial\): Twilio refused the test call: 21210/,
    );
  });

  it('when npm gets a SIGTERM mid-call, the run hangs the test call up, says so and exits 143', async () => {
    const run = verify(['--stack', 'sandbox', '--hold', '120', '--time-limit', '300'], {
      ...twilioEnv(),
      VERIFY_PHONE_NUMBER: sandbox.phoneNumber,
      VERIFY_API_BASE_URL: sandbox.apiBaseUrl,
      PARTICIPANTS_API_TOKEN: sandbox.apiToken,
    });
    await sandbox.twilio.waitUntil(
      () => run.output.stdout.includes('✓ the AI agent joins the conference'),
      60_000,
      'the agent joined',
    );

    run.child.kill('SIGTERM');

    expect(await run.closed).toBe(143);
    expect(run.output.stdout).toContain('SIGTERM: hanging up the test call');
    expect(run.output.stdout).toMatch(/✗ the agent’s media is up .*: interrupted \(SIGTERM\)/);
    expect(run.output.stdout).toMatch(
      /✓ every leg the test call created has ended: test call CA[0-9a-f]{32} completed/,
    );
    expect(await liveCalls(sandbox)).toEqual([]);
  });
});
