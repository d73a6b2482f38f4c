/**
 * `npm run setup` against the sandbox's Twilio emulator over real HTTP on 127.0.0.1, the numbers and bindings
 * arranged with the full `twilio` SDK, and a stand-in `pulumi` first on PATH that records its argv and stdin:
 * the report of what adoption changes, the exact commands, secrets only on stdin, and nothing written (no
 * `pulumi config set`, no Twilio write) whenever a check fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSetup } from '../../scripts/setup/main';
import { startTwilioEmulator, type TwilioEmulator } from '../../sandbox/twilio';
import { fullSdkClient } from '../sandbox/support/twilio-sdk';
import { FakePulumi, type FakePulumiOptions } from './support/fake-pulumi';

const ROOT = path.resolve(__dirname, '..', '..');
const STACK = 'dev';
const NUMBER = '+15005550006';
const OTHER_VOICE_NUMBER = '+15550001111';
const SMS_ONLY_NUMBER = '+15550002222';
const EARLIER_VOICE_URL = 'https://demo.twilio.com/welcome/voice/';
const AGENT_URL = 'wss://agent.example.com/media';

let emu: TwilioEmulator;
const fakes: FakePulumi[] = [];
const emptyDirs: string[] = [];

beforeEach(async () => {
  emu = await startTwilioEmulator();
  emu.addIncomingNumber(NUMBER, { voiceUrl: EARLIER_VOICE_URL });
  emu.addIncomingNumber(OTHER_VOICE_NUMBER);
  emu.addIncomingNumber(SMS_ONLY_NUMBER, { capabilities: { voice: false } });
});

afterEach(async () => {
  await emu.stop();
  for (const fake of fakes.splice(0)) fake.remove();
  for (const dir of emptyDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fakePulumi(options: FakePulumiOptions = { stacks: [STACK, 'prod'] }): FakePulumi {
  const fake = new FakePulumi(options);
  fakes.push(fake);
  return fake;
}

/** A PATH with no pulumi on it (setup runs in this process, so it needs no node on PATH either). */
function pathWithoutPulumi(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'no-pulumi-'));
  emptyDirs.push(dir);
  return dir;
}

/** The environment a person exports: the emulator's account, its Auth Token and base URL. */
function twilioEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    TWILIO_ACCOUNT_SID: emu.accountSid,
    TWILIO_AUTH_TOKEN: emu.authToken,
    TWILIO_API_BASE_URL: emu.baseUrl,
    ...overrides,
  };
}

async function setup(args: string[], env: Record<string, string | undefined>) {
  let stdout = '';
  let stderr = '';
  const status = await runSetup(args, env, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: ROOT,
  });
  return { status, stdout, stderr };
}

/** Twilio requests that could have changed something (setup only reads). */
const twilioWrites = () => emu.requests.filter((r) => r.method !== 'GET');

describe('when every check passes', () => {
  it('when the number is bound to a TwiML App, it says so with its current voice URL, then sets the config with the secret on stdin only', async () => {
    // Arrange: the account's own App answers the number's calls now (Twilio then ignores the voice URL).
    const sdk = fullSdkClient(emu.baseUrl, emu.accountSid, emu.authToken);
    const app = await sdk.applications.create({
      friendlyName: 'Support IVR',
      voiceUrl: 'https://ivr.example.com/voice',
    });
    const [number] = await sdk.incomingPhoneNumbers.list({ phoneNumber: NUMBER });
    await sdk.incomingPhoneNumbers(number.sid).update({ voiceApplicationSid: app.sid });
    const requestsBefore = emu.requests.length;
    const pulumi = fakePulumi();

    // Act
    const run = await setup(['--stack', STACK, '--phone-number', NUMBER, '--agent-url', AGENT_URL], {
      ...twilioEnv(),
      PATH: pulumi.path(),
    });

    // Assert: the report.
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `Twilio at ${emu.baseUrl} (TWILIO_API_BASE_URL) accepted the Auth Token of ${emu.accountSid}.`,
    );
    expect(run.stdout).toContain(
      `${NUMBER} (${number.sid}, "(500) 555-0006") is a voice-capable number of the account.`,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `voice URL +${escapeRegExp(EARLIER_VOICE_URL)} \\(POST\\)  ->  <stack URL>/twilio/voice/inbound \\(POST\\)`,
      ),
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `TwiML App +${app.sid} "Support IVR" answers its calls now \\(its Voice URL https://ivr\\.example\\.com/voice\\)  ->  none: the voice URL answers`,
      ),
    );
    expect(run.stdout).not.toContain('SIP trunk');
    expect(run.stdout).toContain(`pulumi destroy --stack ${STACK} puts back what it has now`);
    // Assert: exactly these commands ran, in order; the token reached pulumi on stdin and nowhere else.
    expect(pulumi.calls().map((c) => c.argv)).toEqual([
      ['stack', 'ls', '--json'],
      ['config', 'set', 'twilioAccountSid', emu.accountSid, '--stack', STACK],
      ['config', 'set', '--secret', 'twilioAuthToken', '--stack', STACK],
      ['config', 'set', 'phoneNumber', NUMBER, '--stack', STACK],
      ['config', 'set', 'agentStreamUrl', AGENT_URL, '--stack', STACK],
    ]);
    expect(pulumi.calls().map((c) => c.stdin)).toEqual(['', '', emu.authToken, '', '']);
    expect(pulumi.calls().some((c) => c.argv.some((a) => a.includes(emu.authToken)))).toBe(false);
    expect(run.stdout).not.toContain(emu.authToken);
    expect(run.stdout).toContain(
      `printf %s "$TWILIO_AUTH_TOKEN" | pulumi config set --secret twilioAuthToken --stack ${STACK}`,
    );
    expect(run.stdout).toContain(`Stack ${STACK} configured (4 keys).`);
    // Assert: checking changed nothing on Twilio.
    expect(emu.requests.slice(requestsBefore).every((r) => r.method === 'GET')).toBe(true);
    expect(emu.addIncomingNumber(NUMBER).voiceApplicationSid).toBe(app.sid);
  });

  it('when the number is bound to a SIP trunk, it names the trunk that takes its calls now', async () => {
    // Arrange
    const sdk = fullSdkClient(emu.baseUrl, emu.accountSid, emu.authToken);
    const [number] = await sdk.incomingPhoneNumbers.list({ phoneNumber: NUMBER });
    const trunkSid = `TK${'a1'.repeat(16)}`;
    await sdk.incomingPhoneNumbers(number.sid).update({ trunkSid });

    // Act
    const run = await setup(['--stack', STACK, '--phone-number', NUMBER, '--print'], twilioEnv());

    // Assert
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`SIP trunk +${trunkSid} takes its calls now  ->  none: the voice URL answers`),
    );
    expect(run.stdout).not.toContain('TwiML App');
  });

  it('when an API key is exported too, it checks the key with Twilio and sets its SID and, on stdin, its secret', async () => {
    // Arrange
    const key = emu.addApiKey();
    const pulumi = fakePulumi();

    // Act
    const run = await setup(['--stack', STACK, '--phone-number', NUMBER, '--aws-region', 'eu-west-1'], {
      ...twilioEnv({ TWILIO_API_KEY_SID: key.sid, TWILIO_API_KEY_SECRET: key.secret }),
      PATH: pulumi.path(),
    });

    // Assert
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`accepted the Auth Token and the API key ${key.sid} of ${emu.accountSid}`);
    expect(pulumi.writes()).toEqual([
      { argv: ['config', 'set', 'twilioAccountSid', emu.accountSid, '--stack', STACK], stdin: '' },
      { argv: ['config', 'set', '--secret', 'twilioAuthToken', '--stack', STACK], stdin: emu.authToken },
      { argv: ['config', 'set', 'twilioApiKeySid', key.sid, '--stack', STACK], stdin: '' },
      { argv: ['config', 'set', '--secret', 'twilioApiKeySecret', '--stack', STACK], stdin: key.secret },
      { argv: ['config', 'set', 'phoneNumber', NUMBER, '--stack', STACK], stdin: '' },
      { argv: ['config', 'set', 'aws:region', 'eu-west-1', '--stack', STACK], stdin: '' },
    ]);
    expect(emu.requests.some((r) => r.operationId === 'ListIncomingPhoneNumber' && r.status === 200)).toBe(true);
  });

  it('when asked to --print, it runs no pulumi (none needed on PATH) and prints the commands with secrets by variable name', async () => {
    // Act
    const run = await setup(
      ['--stack', STACK, '--phone-number', NUMBER, '--agent-mode', 'conversation-relay', '--print'],
      {
        ...twilioEnv(),
        PATH: pathWithoutPulumi(),
      },
    );

    // Assert
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const commands = run.stdout.split('\n').filter((l) => l.includes('pulumi config set'));
    expect(commands.map((l) => l.trim())).toEqual([
      `pulumi config set twilioAccountSid ${emu.accountSid} --stack ${STACK}`,
      `printf %s "$TWILIO_AUTH_TOKEN" | pulumi config set --secret twilioAuthToken --stack ${STACK}`,
      `pulumi config set phoneNumber ${NUMBER} --stack ${STACK}`,
      `pulumi config set agentMode conversation-relay --stack ${STACK}`,
    ]);
    expect(run.stdout).toContain('--print: nothing was written.');
    expect(run.stdout).not.toContain(emu.authToken);
  });
});

it('when the printed commands are run by a shell, pulumi gets exactly what setup gives it (the secret on stdin)', async () => {
  // Arrange
  const key = emu.addApiKey();
  const env = twilioEnv({ TWILIO_API_KEY_SID: key.sid, TWILIO_API_KEY_SECRET: key.secret });
  const args = ['--stack', STACK, '--phone-number', NUMBER, '--agent-url', AGENT_URL];
  const bySetup = fakePulumi();
  const byShell = fakePulumi();
  await setup(args, { ...env, PATH: bySetup.path() });
  const printed = await setup([...args, '--print'], { ...env, PATH: pathWithoutPulumi() });
  const commands = printed.stdout.split('\n').filter((l) => l.includes('pulumi config set'));

  // Act
  for (const command of commands)
    expect(spawnSync('sh', ['-c', command], { env: { ...process.env, ...env, PATH: byShell.path() } }).status).toBe(0);

  // Assert
  expect(commands).toHaveLength(6);
  expect(byShell.writes()).toEqual(bySetup.writes());
});

describe('when a check fails, it says why in one line, exits non-zero and writes nothing', () => {
  type Case = {
    readonly args: string[];
    readonly env?: Record<string, string | undefined>;
    readonly pulumi?: FakePulumiOptions | 'absent';
    readonly status: number;
    readonly problem: RegExp;
    /** Whether Twilio was asked at all (bad input is refused before any request). */
    readonly askedTwilio: boolean;
  };
  const numberArgs = ['--stack', STACK, '--phone-number', NUMBER];
  const cases: [string, Case][] = [
    [
      'a malformed Account SID',
      {
        args: numberArgs,
        env: { TWILIO_ACCOUNT_SID: 'AC123' },
        status: 2,
        problem:
          /^setup: TWILIO_ACCOUNT_SID must be an Account SID \(AC followed by 32 hex digits\); nothing was written$/,
        askedTwilio: false,
      },
    ],
    [
      'an Auth Token Twilio refuses (401)',
      {
        args: numberArgs,
        env: { TWILIO_AUTH_TOKEN: 'f'.repeat(32) },
        status: 1,
        problem: new RegExp(
          `^setup: Twilio refused the credentials \\(HTTP 401, code 20003\\) while looking up \\${NUMBER}: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN; nothing was written$`,
        ),
        askedTwilio: true,
      },
    ],
    [
      'an API key secret Twilio refuses (401)',
      {
        args: numberArgs,
        env: { TWILIO_API_KEY_SID: `SK${'0'.repeat(32)}`, TWILIO_API_KEY_SECRET: 'wrong' },
        status: 1,
        problem:
          /^setup: Twilio refused the credentials \(HTTP 401, code 20003\) while looking up .* with the API key: check TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET/,
        askedTwilio: true,
      },
    ],
    [
      'a number that is not E.164',
      {
        args: ['--stack', STACK, '--phone-number', '(500) 555-0006'],
        status: 2,
        problem:
          /^setup: --phone-number must be an E\.164 number such as \+15551234567, got "\(500\) 555-0006"; nothing was written$/,
        askedTwilio: false,
      },
    ],
    [
      'a number the account does not own',
      {
        args: ['--stack', STACK, '--phone-number', '+15559990000'],
        status: 1,
        problem:
          /^setup: \+15559990000 is not a number of AC[0-9a-f]{32}; its voice-capable numbers: \+15005550006, \+15550001111; nothing was written$/,
        askedTwilio: true,
      },
    ],
    [
      'a number of the account that cannot take calls',
      {
        args: ['--stack', STACK, '--phone-number', SMS_ONLY_NUMBER],
        status: 1,
        problem:
          /^setup: \+15550002222 is a number of AC[0-9a-f]{32} but cannot take voice calls; its voice-capable numbers: \+15005550006, \+15550001111;/,
        askedTwilio: true,
      },
    ],
    [
      'no --phone-number',
      {
        args: ['--stack', STACK],
        status: 1,
        problem:
          /^setup: --phone-number is required: the voice-capable numbers of AC[0-9a-f]{32} are \+15005550006, \+15550001111;/,
        askedTwilio: true,
      },
    ],
    [
      'no pulumi on PATH',
      {
        args: numberArgs,
        pulumi: 'absent',
        status: 1,
        problem: /^setup: no pulumi on PATH: install the Pulumi CLI .*or pass --print/,
        askedTwilio: false,
      },
    ],
    [
      'a stack that does not exist',
      {
        args: numberArgs,
        pulumi: { stacks: ['prod'] },
        status: 1,
        problem:
          /^setup: stack dev does not exist in this project: create it with pulumi stack init dev, then run setup again; nothing was written$/,
        askedTwilio: true,
      },
    ],
    [
      'a pulumi that is not logged in',
      {
        args: numberArgs,
        pulumi: {
          stackLsError: 'error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions',
        },
        status: 1,
        problem: /^setup: pulumi stack ls failed: error: PULUMI_ACCESS_TOKEN must be set .*; nothing was written$/,
        askedTwilio: true,
      },
    ],
    [
      'the Auth Token given as an argument',
      {
        args: [...numberArgs, '--auth-token', 'abc123secret'],
        status: 2,
        problem:
          /^setup: --auth-token: credentials are read from TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN .*never from arguments/,
        askedTwilio: false,
      },
    ],
  ];

  it.each(cases)('when given %s', async (_name, c) => {
    // Arrange
    const pulumi = c.pulumi === 'absent' ? undefined : fakePulumi(c.pulumi);
    const env = { ...twilioEnv(c.env), PATH: pulumi ? pulumi.path() : pathWithoutPulumi() };

    // Act
    const run = await setup(c.args, env);

    // Assert
    expect(run.status).toBe(c.status);
    expect(run.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(c.problem);
    expect(run.stdout).toBe('');
    expect(pulumi?.writes() ?? []).toEqual([]);
    expect(twilioWrites()).toEqual([]);
    expect(emu.requests.length > 0).toBe(c.askedTwilio);
    for (const secret of [emu.authToken, 'abc123secret']) expect(run.stderr).not.toContain(secret);
  });
});

it('when pulumi fails on one key, it stops there and names what it had set already', async () => {
  // Arrange
  const pulumi = fakePulumi({ stacks: [STACK], failOnKey: { key: 'phoneNumber', stderr: 'error: disk full' } });

  // Act
  const run = await setup(['--stack', STACK, '--phone-number', NUMBER, '--agent-url', AGENT_URL], {
    ...twilioEnv(),
    PATH: pulumi.path(),
  });

  // Assert
  expect(run.status).toBe(1);
  expect(run.stderr).toBe(
    'setup: pulumi config set phoneNumber --stack dev failed: error: disk full; already set: twilioAccountSid, twilioAuthToken\n',
  );
  expect(pulumi.writes().map((c) => c.argv[c.argv[2] === '--secret' ? 3 : 2])).toEqual([
    'twilioAccountSid',
    'twilioAuthToken',
    'phoneNumber',
  ]);
});

describe('npm run setup', () => {
  /** Runs `npm run setup -- <args>` as a person would; collects its output. */
  function npmSetup(args: string[], env: Record<string, string | undefined>) {
    const child = spawn('npm', ['run', 'setup', '--silent', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    child.stdout!.on('data', (c: Buffer) => (output.stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
    return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (status) => resolve({ status, ...output })),
    );
  }

  it('when run against the emulator with --print, it exits 0 and prints the commands', async () => {
    // Act
    const run = await npmSetup(['--stack', STACK, '--phone-number', NUMBER, '--print'], twilioEnv());

    // Assert
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`pulumi config set phoneNumber ${NUMBER} --stack ${STACK}`);
  });

  it('when given a malformed Account SID, it exits 2 with one line on stderr', async () => {
    // Act
    const run = await npmSetup(
      ['--stack', STACK, '--phone-number', NUMBER, '--print'],
      twilioEnv({ TWILIO_ACCOUNT_SID: 'ACx' }),
    );

    // Assert
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'setup: TWILIO_ACCOUNT_SID must be an Account SID (AC followed by 32 hex digits); nothing was written\n',
    );
    expect(run.stdout).toBe('');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
