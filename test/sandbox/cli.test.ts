/**
 * `npm start` as a person uses it, through npm itself: `--help` prints usage and starts nothing, a wrong flag
 * says what is wrong, and `--serve` runs until a SIGTERM to the npm process, then restores the number, says so
 * and leaves no process behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { SampleAgent } from '../../sandbox/sample-agent';
import { descendants, isAlive } from './support/processes';

const ROOT = path.resolve(__dirname, '..', '..');
const started: ChildProcess[] = [];
/** Every process this file saw started, to end any left behind (by pid) when a test fails. */
const seen = new Set<number>();

/** Runs `npm start -- <args>`; collects its output. */
function npmStart(args: string[], env: Record<string, string> = {}) {
  const child = spawn('npm', ['start', '--silent', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
  // 'close' comes once the process exited and every holder of its stdout/stderr (its children) is gone.
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output, closed };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(() => {
  // Only if a test failed midway: end what this file started, by pid.
  for (const child of started) if (child.pid) for (const pid of [child.pid, ...descendants(child.pid)]) seen.add(pid);
  for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** Resolves with the exit code once npm and everything holding its output are gone; rejects after `ms`. */
function closedWithin<T>(closed: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`npm start or a process it started still runs after ${ms} ms`)), ms);
  });
  return Promise.race([closed, late]).finally(() => clearTimeout(timer));
}

it('when asked for --help, it prints the usage and starts nothing', async () => {
  // Act
  const run = npmStart(['--help']);
  const code = await run.closed;

  // Assert
  expect(code).toBe(0);
  expect(run.output.stdout).toMatch(/^Usage: npm start -- \[options\]/m);
  expect(run.output.stdout).not.toContain('Sandbox running');
  expect(run.output.stderr).toBe('');
});

it('when given an unknown flag, it exits 2 and says which, with the usage', async () => {
  // Act
  const run = npmStart(['--serv']);
  const code = await run.closed;

  // Assert
  expect(code).toBe(2);
  expect(run.output.stderr).toMatch(/Unknown option '--serv'[\s\S]*Usage: npm start/);
  expect(run.output.stdout).not.toContain('Sandbox running');
});

it('when --serve runs, the setup command it prints checks its number and its verify command passes; a SIGTERM on the npm process then stops every process, restores the number and says so', async () => {
  // Arrange: fixed ports, the way a person pins them
  const [apiPort, controlPort] = [await freePort(), await freePort()];
  const run = npmStart(['--serve', '--quiet', '--control-port', String(controlPort)], {
    SANDBOX_API_PORT: String(apiPort),
  });
  await until(() => run.output.stdout.includes('Sandbox running.'), 'the ready line');
  await until(() => /Control endpoint.*\n(?:.*\n){4}/.test(run.output.stdout), 'the control endpoint lines');
  const placed = await fetch(`http://127.0.0.1:${controlPort}/calls`, { method: 'POST' });
  const setupLine = /^ {2}(TWILIO_API_BASE_URL=\S+ .*npm run setup -- .*)$/m.exec(run.output.stdout)?.[1];
  const setup = spawnSync('sh', ['-c', setupLine ?? 'false'], { cwd: ROOT, encoding: 'utf8' });
  const verifyLine = /^ {2}(TWILIO_API_BASE_URL=\S+ .*npm run verify -- .*)$/m.exec(run.output.stdout)?.[1];
  const verify = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    // Asynchronous: the sandbox in this process's child answers the call while the command runs.
    const child = spawn('sh', ['-c', verifyLine ?? 'false'], { cwd: ROOT });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const processes = descendants(run.child.pid!);
  for (const pid of processes) seen.add(pid);

  // Act
  process.kill(run.child.pid!, 'SIGTERM');
  const code = await closedWithin(run.closed, 20_000);

  // Assert
  expect(placed.status).toBe(201);
  expect(setup.stderr).toBe('');
  expect(setup.status).toBe(0);
  expect(setup.stdout).toMatch(/\+15005550006 \(PN[0-9a-f]{32}, ".*"\) is a voice-capable number of the account/);
  expect({ status: verify.status, stderr: verify.stderr, failed: verify.stdout.match(/✗.*/g) }).toEqual({
    status: 0,
    stderr: '',
    failed: null,
  });
  expect(verify.stdout).toMatch(/Acceptance call for stack sandbox/);
  expect(run.output.stdout).toContain(`API base URL        http://127.0.0.1:${apiPort}`);
  expect(run.output.stdout).toContain(`POST http://127.0.0.1:${controlPort}/calls`);
  expect(processes.length).toBeGreaterThan(0);
  expect(code).toBe(0);
  expect(run.output.stdout).toMatch(
    /SIGTERM: stopping the sandbox[\s\S]*Stopped\. Callers hung up: 1; \+15005550006 voice URL restored to https:\/\/demo\.twilio\.com\/welcome\/voice\/; TwiML App AP[0-9a-f]{32} deleted/,
  );
  expect(run.output.stdout).not.toMatch(/Twilio debugger error/);
  expect(processes.filter(isAlive)).toEqual([]);
  expect(run.output.stderr).toBe('');
}, 60_000);

it('when --serve is given --agent-url, calls reach that agent service in its mode and the banner says where the agent is', async () => {
  // Arrange: the team's agent service (a sample agent of this test's own, on another port)
  const team = await new SampleAgent().start();
  const controlPort = await freePort();
  const run = npmStart(['--serve', '--quiet', '--control-port', String(controlPort)], {
    SANDBOX_AGENT_URL: team.url,
    SANDBOX_AGENT_MODE: 'conversation-relay',
  });
  try {
    await until(() => /Control endpoint.*\n(?:.*\n){4}/.test(run.output.stdout), 'the control endpoint lines');
    for (const pid of descendants(run.child.pid!)) seen.add(pid);

    // Act
    const placed = await fetch(`http://127.0.0.1:${controlPort}/calls`, { method: 'POST' });
    const { callSid } = (await placed.json()) as { callSid: string };
    const session = await team.waitForSession((s) => s.customParameters?.callerCallSid === callSid, 20_000);

    // Assert
    expect(run.output.stdout).toContain(`Agent               ${team.url} (conversation-relay: your agent service)`);
    expect(session.kind).toBe('conversation-relay');
    expect(session.customParameters?.conference).toBe(`conf-${callSid}`);
  } finally {
    process.kill(run.child.pid!, 'SIGTERM');
    await closedWithin(run.closed, 20_000);
    await team.stop();
  }
}, 60_000);
