/**
 * What `npm test` prints into a CI log (output piped, not a terminal; `CI` set, as in GitHub Actions): jest, run with
 * the repository's config on a tiny project of its own (one file whose test passes, one whose test fails, each
 * logging and writing an EMF metric line with the handlers' writer), and the lint step.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const { wantsColour } = require('../../scripts/colour.cjs') as {
  wantsColour: (streamsAreTerminals: (boolean | undefined)[], env: Record<string, string>) => boolean;
};
const METRICS = path.join(ROOT, 'lambdas', 'shared', 'metrics');

/**
 * A test file whose one test logs, writes a metric under `service`, and then passes or fails. JavaScript: nothing
 * to compile, which keeps the run to jest's own start-up.
 */
const testFile = (service: string, outcome: 'passes' | 'fails') => `
const { MetricsWriter } = require(${JSON.stringify(METRICS)});

describe('${service}', () => {
  it('when it runs, it ${outcome}', () => {
    console.log('log line of ${service}');
    new MetricsWriter('${service}').count('CallsStarted');
    expect(1).toBe(${outcome === 'passes' ? 1 : 2});
  });
});
`;

const projects: string[] = [];
afterAll(() => {
  for (const project of projects) fs.rmSync(project, { recursive: true, force: true });
});

/**
 * Runs jest with the repository's config on a new copy of the project (new paths: jest has no timings of them, so
 * it uses workers when allowed); resolves with everything it printed.
 */
function runJest(options: string[]): Promise<{ code: number | null; output: string }> {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'test-output-'));
  projects.push(project);
  fs.writeFileSync(path.join(project, 'passing.test.js'), testFile('passing-service', 'passes'));
  fs.writeFileSync(path.join(project, 'failing.test.js'), testFile('failing-service', 'fails'));
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const name of ['FORCE_COLOR', 'NO_COLOR', 'TEST_OUTPUT', 'JEST_WORKER_ID']) delete env[name];
  const jest = require.resolve('jest/bin/jest');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        jest,
        '--config',
        path.join(ROOT, 'jest.config.js'),
        '--roots',
        project,
        '--testMatch',
        '**/*.test.js',
        ...options,
      ],
      { cwd: ROOT, env },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, output: stdout + stderr }),
    );
  });
}

describe('jest with the repository config, its output piped', () => {
  const modes = { 'in band': ['--runInBand'], 'in two workers': ['--maxWorkers=2'] };
  const runs: Record<string, { code: number | null; output: string }> = {};
  beforeAll(async () => {
    // Both at once: each mostly waits for its own startup.
    const done = await Promise.all(
      Object.entries(modes).map(async ([mode, options]) => [mode, await runJest(options)]),
    );
    Object.assign(runs, Object.fromEntries(done));
  }, 90_000);

  describe.each(Object.keys(modes))('jest %s', (mode) => {
    let run: { code: number | null; output: string };
    beforeAll(() => (run = runs[mode]));

    it('when a test passes, it prints neither its log line nor its metric line', () => {
      expect(run.output).toContain('Tests:       1 failed, 1 passed, 2 total');
      expect(run.output).not.toContain('log line of passing-service');
      expect(run.output).not.toContain('"Service":"passing-service"');
    });

    it('when a test fails, it prints its log line and its metric line under its name', () => {
      expect(run.code).toBe(1);
      const block = run.output.slice(run.output.indexOf('failing-service › when it runs, it fails: output'));
      expect(block).toContain('log line of failing-service');
      expect(block).toContain('"Service":"failing-service","CallsStarted":1');
    });

    it('when the output is not a terminal, it has no colour codes', () => {
      expect(run.output).toContain('expect(received).toBe(expected)');
      expect(run.output).not.toContain('\x1b[');
    });
  });
});

describe('npm run lint, its output piped', () => {
  it('when biome reports, it has no colour codes', () => {
    // Arrange
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
    for (const name of ['FORCE_COLOR', 'NO_COLOR']) delete env[name];

    // Act
    const { stdout, stderr, status } = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts', 'lint.mjs'), 'package.json'],
      { cwd: ROOT, env, encoding: 'utf8' },
    );
    const output = stdout + stderr;

    // Assert
    expect(status).toBe(0);
    expect(output).toContain('Checked 1 file');
    expect(output).not.toContain('\x1b[');
  });
});

describe.each([
  ['a terminal', [true, true], {}, true],
  ['a pipe', [undefined, undefined], {}, false],
  ['stdout piped, stderr a terminal', [undefined, true], {}, false],
  ['a dumb terminal', [true, true], { TERM: 'dumb' }, false],
  ['a terminal with NO_COLOR', [true, true], { NO_COLOR: '1' }, false],
  ['a pipe with FORCE_COLOR=1', [undefined, undefined], { FORCE_COLOR: '1' }, true],
  ['a terminal with FORCE_COLOR=0', [true, true], { FORCE_COLOR: '0' }, false],
  ['a pipe with NO_COLOR and FORCE_COLOR=1', [undefined, undefined], { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
])('colours, when the output is %s', (_case, terminals, env, expected) => {
  it(`${expected ? 'are on' : 'are off'}`, () => {
    expect(wantsColour(terminals, env as Record<string, string>)).toBe(expected);
  });
});
