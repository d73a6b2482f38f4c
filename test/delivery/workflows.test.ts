import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { configKey, RELEASE_STAGES } from '../../infra/config-schema';

const { loadBundle, loadWorkflowLinter } = require('../../scripts/load-workflow-linter.cjs') as {
  loadBundle: (entry: string) => unknown;
  loadWorkflowLinter: () => typeof import('../../scripts/workflow-lint');
};
const { lintWorkflow } = loadWorkflowLinter();
const { dryRun } = loadBundle(
  path.join(__dirname, 'support', 'workflow-run.ts'),
) as typeof import('./support/workflow-run');
type Job = import('./support/workflow-run').Job;
type JobRun = import('./support/workflow-run').JobRun;

const ROOT = path.join(__dirname, '..', '..');
const dir = path.join(ROOT, '.github', 'workflows');
const SCRIPT = path.join(ROOT, 'scripts', 'stacks.mjs');
const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

type Step = {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: unknown;
};
type WorkflowJob = Omit<Job, 'steps'> & { steps: Step[]; permissions?: unknown; 'runs-on'?: string };
const jobsOf = (file: string) => parse(read(file)).jobs as Record<string, WorkflowJob>;
const pulumiStep = (job: { steps: Step[] }) => job.steps.find((s) => s.uses?.startsWith('pulumi/actions@'))!;
/** The index of the step that places the acceptance call (npm run verify), or -1. */
const verifyIndex = (job: { steps: Step[] }) => job.steps.findIndex((s) => /\bnpm run verify\b/.test(s.run ?? ''));

// --- scripts/stacks.mjs, run as the workflows run it --------------------------------------------------------------

const PROJECT = 'acme-voice';
const stage = (value: string) => `config:\n  ${PROJECT}:releaseStage: ${value}\n`;
/** A stack file with releaseStage `value` and verifyAfterDeploy `verify` (as YAML text: true, "false"...). */
const verified = (value: string, verify: string) => `${stage(value)}  ${PROJECT}:verifyAfterDeploy: ${verify}\n`;
const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A project directory with Pulumi.yaml and the given stack files (stack name -> file text). */
function project(stacks: Record<string, string>, { projectFile = true } = {}): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'stacks-'));
  tempDirs.push(d);
  if (projectFile) fs.writeFileSync(path.join(d, 'Pulumi.yaml'), `name: ${PROJECT}\nruntime: nodejs\n`);
  for (const [stack, text] of Object.entries(stacks)) fs.writeFileSync(path.join(d, `Pulumi.${stack}.yaml`), text);
  return d;
}

/** Runs scripts/stacks.mjs on `projectDir` (default: this repository) with $GITHUB_OUTPUT set, as a workflow step does. */
function runStacks(projectDir?: string) {
  const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gh-output-')), 'output');
  tempDirs.push(path.dirname(output));
  fs.writeFileSync(output, '');
  const args = projectDir === undefined ? [SCRIPT] : [SCRIPT, projectDir];
  const run = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, GITHUB_OUTPUT: output },
  });
  const written = fs.readFileSync(output, 'utf8');
  const outputs = Object.fromEntries(
    written
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status: run.status, stderr: run.stderr, written, outputs };
}

const lists = (outputs: Record<string, string>) =>
  Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, JSON.parse(v)]));

const FIXTURES = {
  'only dev': { dev: 'config:\n  aws:region: us-east-1\n' },
  'dev, staging and prod, prod in production': {
    prod: stage('production'),
    dev: 'config:\n  aws:region: us-east-1\n',
    staging: stage('pre-production'),
  },
  'only a production stack': { prod: stage('production') },
  'no stack file': {},
  'dev, and prod in production with verifyAfterDeploy true': {
    dev: 'config:\n  aws:region: us-east-1\n',
    prod: verified('production', '"true"'),
  },
} satisfies Record<string, Record<string, string>>;
type Fixture = keyof typeof FIXTURES;
const fixtureOutputs = new Map<Fixture, Record<string, string>>();
/** What the script writes for `fixture`'s project (run once per fixture). */
function outputsOf(fixture: Fixture): Record<string, string> {
  if (!fixtureOutputs.has(fixture)) fixtureOutputs.set(fixture, runStacks(project(FIXTURES[fixture])).outputs);
  return fixtureOutputs.get(fixture)!;
}

describe('scripts/stacks.mjs', () => {
  describe.each([
    ['only dev', { all: ['dev'], preProduction: ['dev'], production: [], verify: ['dev'] }],
    [
      'dev, staging and prod, prod in production',
      {
        all: ['dev', 'prod', 'staging'],
        preProduction: ['dev', 'staging'],
        production: ['prod'],
        verify: ['dev', 'staging'],
      },
    ],
    ['only a production stack', { all: ['prod'], preProduction: [], production: ['prod'], verify: [] }],
    ['no stack file', { all: [], preProduction: [], production: [], verify: [] }],
    [
      'dev, and prod in production with verifyAfterDeploy true',
      { all: ['dev', 'prod'], preProduction: ['dev'], production: ['prod'], verify: ['dev', 'prod'] },
    ],
  ] as const)('when the project has %s', (fixture, expected) => {
    it('writes every stack and its release wave to $GITHUB_OUTPUT, sorted by name', () => {
      // Arrange
      const projectDir = project(FIXTURES[fixture as Fixture]);

      // Act
      const { status, stderr, outputs } = runStacks(projectDir);

      // Assert
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(lists(outputs)).toEqual(expected);
    });
  });

  it.each(RELEASE_STAGES.map((s) => [s]))(
    'when a stack file sets releaseStage %s (a value the config schema admits), the script files it in that wave',
    (value) => {
      // Arrange
      const projectDir = project({ qa: stage(value) });

      // Act
      const run = runStacks(projectDir);

      // Assert
      expect(run.status).toBe(0);
      const waves = lists(run.outputs);
      expect({ preProduction: waves.preProduction, production: waves.production }).toEqual(
        value === 'production' ? { preProduction: [], production: ['qa'] } : { preProduction: ['qa'], production: [] },
      );
    },
  );

  it.each([
    ['production', 'false', []],
    ['production', '"false"', []],
    ['production', 'true', ['qa']],
    ['production', '"true"', ['qa']],
    ['pre-production', 'true', ['qa']],
    ['pre-production', 'false', ['qa']],
  ])(
    'when a %s stack file sets verifyAfterDeploy %s (YAML or as pulumi config set writes it), the verify list is %j',
    (wave, value, expected) => {
      // Arrange
      const projectDir = project({ qa: verified(wave, value) });

      // Act
      const run = runStacks(projectDir);

      // Assert
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(lists(run.outputs).verify).toEqual(expected);
    },
  );

  it("when a stack file leaves releaseStage unset, the script files it in the wave of the schema's default", () => {
    // Act: the fixture's dev stack sets no releaseStage
    const waves = lists(outputsOf('only dev'));

    // Assert
    const wave = configKey('releaseStage').default === 'production' ? waves.production : waves.preProduction;
    expect(wave).toEqual(['dev']);
  });

  it("when a production stack file leaves verifyAfterDeploy unset, the verify list follows the schema's default", () => {
    // Act: the fixture's prod stack sets no verifyAfterDeploy
    const { verify } = lists(outputsOf('only a production stack'));

    // Assert
    expect(verify).toEqual(configKey('verifyAfterDeploy').default === true ? ['prod'] : []);
  });

  it('when $GITHUB_OUTPUT is not set, it prints the same lists as one JSON object', () => {
    // Arrange
    const projectDir = project(FIXTURES['dev, staging and prod, prod in production']);
    const { GITHUB_OUTPUT: _, ...env } = process.env;

    // Act
    const run = spawnSync(process.execPath, [SCRIPT, projectDir], { encoding: 'utf8', env });

    // Assert
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(lists(runStacks(projectDir).outputs));
  });

  it('when a stack file sets another project’s releaseStage, it reads the key of the project Pulumi.yaml names', () => {
    // Arrange
    const projectDir = project({ prod: 'config:\n  voice-ai-conference:releaseStage: production\n' });

    // Act
    const { outputs } = runStacks(projectDir);

    // Assert
    expect(lists(outputs).production).toEqual([]);
  });

  describe.each([
    [
      'a stack file with an unknown releaseStage',
      { prod: stage('prod') },
      /Pulumi\.prod\.yaml: acme-voice:releaseStage is "prod"; expected one of: pre-production, production/,
    ],
    [
      'a stack file with an encrypted releaseStage',
      { prod: stage('\n    secure: v1:c2VjcmV0Y2lwaGVydGV4dA==') },
      /Pulumi\.prod\.yaml: acme-voice:releaseStage is a mapping/,
    ],
    [
      'a verifyAfterDeploy that is not a boolean',
      { prod: verified('production', 'yes please') },
      /Pulumi\.prod\.yaml: acme-voice:verifyAfterDeploy is "yes please"; expected true or false/,
    ],
    ['a stack file that is not YAML', { dev: 'config: [\n' }, /Pulumi\.dev\.yaml: not valid YAML/],
    [
      'a stack file whose stack name no environment can have',
      { 'dev stack': '' },
      /Pulumi\.dev stack\.yaml: stack name "dev stack"/,
    ],
    ['no Pulumi.yaml', null, /Pulumi\.yaml: cannot be read/],
  ])('when the project has %s', (_name, stacks, message) => {
    it('fails, naming the file and what is wrong, and writes no output', () => {
      // Arrange
      const projectDir = stacks === null ? project({ dev: '' }, { projectFile: false }) : project(stacks);

      // Act
      const { status, stderr, written } = runStacks(projectDir);

      // Assert
      expect(status).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/c2VjcmV0Y2lwaGVydGV4dA|at .*stacks\.mjs/);
      expect(written).toBe('');
    });
  });

  it('when run on this repository, it reads every stack file the team committed (the deploy stops on one it cannot)', () => {
    // Act
    const { status, stderr } = runStacks();

    // Assert
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  });
});

// --- the workflows, run dry against the script's outputs -----------------------------------------------------------

/** The job and step that run scripts/stacks.mjs in a workflow. */
function stacksStep(jobs: Record<string, WorkflowJob>): { job: string; step: string } {
  const found = Object.entries(jobs).flatMap(([job, j]) =>
    j.steps.filter((s) => /^node scripts\/stacks\.mjs$/.test(s.run ?? '')).map((s) => ({ job, step: s.id })),
  );
  expect(found).toHaveLength(1);
  expect(found[0].step).toBeDefined();
  return found[0] as { job: string; step: string };
}

const PULL_REQUEST = {
  event_name: 'pull_request',
  repository: 'acme/voice',
  sha: 'abc123',
  event: { pull_request: { number: 7, head: { repo: { full_name: 'acme/voice' } } } },
};
const PUSH = { event_name: 'push', repository: 'acme/voice', sha: 'abc123', event: {} };

/** Dry-runs `file` for a project with `fixture`'s stack files, the stacks job's step writing what the script wrote. */
function dryRunWith(
  file: string,
  fixture: Fixture,
  options: {
    github?: Record<string, unknown>;
    fails?: (job: string, matrix: Record<string, unknown>) => boolean;
    owner?: string;
  } = {},
) {
  const jobs = jobsOf(file);
  const { job, step } = stacksStep(jobs);
  const outputs = outputsOf(fixture);
  return dryRun(jobs, {
    github: options.github ?? (file === 'pull-request.yml' ? PULL_REQUEST : PUSH),
    vars: { PULUMI_STACK_OWNER: options.owner ?? '' },
    stepOutputs: { [job]: { [step]: outputs } },
    fails: options.fails,
  });
}

/** The stacks each job ran `pulumi/actions` for, by job (jobs that ran no leg left out). */
function pulumiLegs(file: string, runs: Record<string, JobRun>): Record<string, string[]> {
  const jobs = jobsOf(file);
  return Object.fromEntries(
    Object.entries(runs)
      .filter(([name, run]) => pulumiStep(jobs[name]) && run.legs.length > 0)
      .map(([name, run]) => [name, run.legs.map((l) => String(l.matrix.stack))]),
  );
}

const failures = (runs: Record<string, JobRun>) =>
  Object.entries(runs)
    .filter(([, r]) => r.result === 'failure')
    .map(([n]) => n);

/** Whether job `later` waits, through its needs, for job `earlier`. */
function waitsFor(jobs: Record<string, Job>, later: string, earlier: string): boolean {
  const needs = [jobs[later].needs ?? []].flat();
  return needs.includes(earlier) || needs.some((n) => waitsFor(jobs, n, earlier));
}

describe('GitHub workflows', () => {
  describe.each(fs.readdirSync(dir).filter((f) => f.endsWith('.yml')))('%s', (file) => {
    it('passes GitHub’s workflow parser (schema and expressions) and our rules', async () => {
      const { errors } = await lintWorkflow(file, read(file));
      expect(errors).toEqual([]);
    });

    it('when it lists the stacks, the job exposes every list the script writes, unchanged', () => {
      // Arrange
      const jobs = jobsOf(file);
      const { job, step } = stacksStep(jobs);
      const outputs = outputsOf('dev, staging and prod, prod in production');

      // Act
      const runs = dryRun(
        { [job]: { ...jobs[job], needs: [] } },
        {
          github: PUSH,
          stepOutputs: { [job]: { [step]: outputs } },
        },
      );

      // Assert
      expect(runs[job].result).toBe('success');
      for (const [name, value] of Object.entries(jobs[job].outputs ?? {}))
        expect([name, value]).toEqual([name, `\${{ steps.${step}.outputs.${name} }}`]);
      expect(Object.keys(jobs[job].outputs ?? {}).every((k) => k in outputs)).toBe(true);
    });

    it('names no stack literally: every stack comes from the stack files', () => {
      // Arrange
      const committed = lists(runStacks().outputs).all as string[];
      const stacks = new Set([...committed, ...Object.values(FIXTURES).flatMap((f) => Object.keys(f))]);
      const tokens = new Set(JSON.stringify(parse(read(file))).split(/[^A-Za-z0-9_.-]+/));

      // Assert
      expect([...stacks].filter((stack) => tokens.has(stack))).toEqual([]);
    });
  });

  describe.each([
    ['a misspelt key', (s: string) => s.replace('runs-on: ubuntu-latest', 'run-on: ubuntu-latest'), /run-on|runs-on/],
    ['a broken expression', (s: string) => s.replace('${{ github.base_ref }}', '${{ github.base_ref }'), /./],
    [
      'an unknown function in an expression',
      (s: string) => s.replace("format('{0}/{1}'", "formatt('{0}/{1}'"),
      /formatt/i,
    ],
    [
      'an invalid permission level',
      (s: string) => s.replace('pull-requests: write', 'pull-requests: admin'),
      /admin|pull-requests/,
    ],
    [
      'no top-level permissions',
      (s: string) => s.replace(/^permissions:\n {2}contents: read\n/m, ''),
      /no top-level permissions/,
    ],
    [
      'a PR title interpolated into a script',
      (s: string) => s.replace('run: npm test', 'run: echo "${{ github.event.pull_request.title }}"'),
      /untrusted event data/,
    ],
  ])('rejects a pull-request workflow with %s', (_name, breakIt, message) => {
    it('with a message', async () => {
      const { errors } = await lintWorkflow('pull-request.yml', breakIt(read('pull-request.yml')));
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(message);
    });
  });

  describe('a pull request', () => {
    const FORK = {
      ...PULL_REQUEST,
      event: { pull_request: { number: 7, head: { repo: { full_name: 'fork/voice' } } } },
    };

    it.each([
      ['only dev', 'from a branch', PULL_REQUEST, { preview: ['dev'] }],
      [
        'dev, staging and prod, prod in production',
        'from a branch',
        PULL_REQUEST,
        { preview: ['dev', 'prod', 'staging'] },
      ],
      ['no stack file', 'from a branch', PULL_REQUEST, {}],
      ['dev, staging and prod, prod in production', 'from a fork', FORK, {}],
    ] as const)(
      'when the project has %s and the pull request comes %s, it previews each stack once, and nothing fails',
      (fixture, _from, github, expected) => {
        // Act
        const runs = dryRunWith('pull-request.yml', fixture, { github });

        // Assert
        expect(pulumiLegs('pull-request.yml', runs)).toEqual(expected);
        expect(failures(runs)).toEqual([]);
      },
    );

    it('when a stack is previewed, it reads the stack’s own preview environment, which is not the one it deploys through, and records no deployment', () => {
      // Arrange
      const runs = dryRunWith('pull-request.yml', 'dev, staging and prod, prod in production');
      const deploys = dryRunWith('deploy.yml', 'dev, staging and prod, prod in production');
      const deployEnvironments = Object.values(deploys).flatMap((r) => r.legs.map((l) => l.environment?.name));

      // Act
      const environments = runs.preview.legs.map((l) => l.environment);

      // Assert
      expect(new Set(environments.map((e) => e?.name)).size).toBe(runs.preview.legs.length);
      for (const environment of environments) {
        expect(environment?.deployment).toBe(false);
        expect(deployEnvironments).not.toContain(environment?.name);
      }
      const env = pulumiStep(jobsOf('pull-request.yml').preview).env ?? {};
      expect(env.PULUMI_CONFIG_PASSPHRASE).toBe('${{ secrets.PULUMI_CONFIG_PASSPHRASE }}');
    });

    it('previews with the policy pack and a PR comment, with no more permissions than that needs', () => {
      // Arrange
      const preview = jobsOf('pull-request.yml').preview;

      // Assert
      expect(pulumiStep(preview).with).toMatchObject({
        command: 'preview',
        'comment-on-pr': true,
        policyPacks: 'policy',
      });
      expect(preview.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    });
  });

  describe('a deploy', () => {
    it.each([
      ['only dev', 'all succeed', { 'pre-production': ['dev'] }],
      [
        'dev, staging and prod, prod in production',
        'all succeed',
        { 'pre-production': ['dev', 'staging'], production: ['prod'] },
      ],
      ['only a production stack', 'all succeed', { production: ['prod'] }],
      ['no stack file', 'all succeed', {}],
      ['dev, staging and prod, prod in production', 'staging fails', { 'pre-production': ['dev', 'staging'] }],
      ['dev, staging and prod, prod in production', 'the tests fail', {}],
    ] as const)('when the project has %s (%s), it deploys %j', (fixture, failing, expected) => {
      // Arrange
      const fails = (job: string, matrix: Record<string, unknown>) =>
        (failing === 'staging fails' && matrix.stack === 'staging') || (failing === 'the tests fail' && job === 'test');

      // Act
      const runs = dryRunWith('deploy.yml', fixture, { fails });

      // Assert
      expect(pulumiLegs('deploy.yml', runs)).toEqual(expected);
      const expectedFailures = { 'staging fails': ['pre-production'], 'the tests fail': ['test'] } as const;
      expect(failures(runs)).toEqual(failing === 'all succeed' ? [] : expectedFailures[failing]);
    });

    it('when production stacks deploy, their job waits for every pre-production stack’s job', () => {
      // Arrange
      const jobs = jobsOf('deploy.yml');
      const legs = pulumiLegs('deploy.yml', dryRunWith('deploy.yml', 'dev, staging and prod, prod in production'));
      const jobOf = (stack: string) => Object.keys(legs).find((j) => legs[j].includes(stack))!;

      // Assert
      expect(waitsFor(jobs, jobOf('prod'), jobOf('dev'))).toBe(true);
      expect(waitsFor(jobs, jobOf('prod'), jobOf('staging'))).toBe(true);
      expect(waitsFor(jobs, jobOf('dev'), jobOf('prod'))).toBe(false);
    });

    it.each([
      ['', (stack: string) => stack],
      ['acme', (stack: string) => `acme/${stack}`],
    ])(
      'when a stack deploys (PULUMI_STACK_OWNER "%s"), it runs pulumi up on that stack through the environment of its name, one update at a time',
      (owner, stackName) => {
        // Arrange
        const jobs = jobsOf('deploy.yml');

        // Act
        const runs = dryRunWith('deploy.yml', 'dev, staging and prod, prod in production', { owner });
        const legs = Object.entries(runs).flatMap(([job, run]) =>
          pulumiStep(jobs[job]) ? run.legs.map((leg) => ({ job, leg })) : [],
        );

        // Assert
        expect(legs).toHaveLength(3);
        for (const { job, leg } of legs) {
          const stack = String(leg.matrix.stack);
          const pulumi = leg.inputs[jobs[job].steps.indexOf(pulumiStep(jobs[job]))];
          expect(pulumi['stack-name']).toBe(stackName(stack));
          expect(leg.environment).toEqual({ name: stack, deployment: true });
          expect(leg.concurrency?.cancelInProgress).toBe(false);
        }
        const groups = legs.map(({ leg }) => leg.concurrency?.group);
        expect(new Set(groups).size).toBe(legs.length);
      },
    );

    it.each([
      ['only dev', { dev: true }],
      ['dev, staging and prod, prod in production', { dev: true, staging: true, prod: false }],
      ['dev, and prod in production with verifyAfterDeploy true', { dev: true, prod: true }],
      ['only a production stack', { prod: false }],
    ] as const)(
      'when the project has %s, each stack’s job places the acceptance call after its pulumi up: %j',
      (fixture, expected) => {
        // Arrange
        const jobs = jobsOf('deploy.yml');

        // Act
        const runs = dryRunWith('deploy.yml', fixture);

        // Assert
        const verifiedAfterUp = Object.entries(runs).flatMap(([name, run]) => {
          const job = jobs[name];
          if (!pulumiStep(job)) return [];
          const up = job.steps.indexOf(pulumiStep(job));
          const verify = verifyIndex(job);
          expect([name, verify > up]).toEqual([name, true]);
          return run.legs.map((leg) => [String(leg.matrix.stack), leg.runs[up] && leg.runs[verify]]);
        });
        expect(Object.fromEntries(verifiedAfterUp)).toEqual(expected);
      },
    );

    it.each([
      ['', (stack: string) => stack],
      ['acme', (stack: string) => `acme/${stack}`],
    ])(
      'when dev deploys (PULUMI_STACK_OWNER "%s"), pulumi up, then its acceptance call on the same stack, then prod’s approval',
      (owner, stackName) => {
        // Arrange
        const jobs = jobsOf('deploy.yml');

        // Act
        const runs = dryRunWith('deploy.yml', 'dev, staging and prod, prod in production', { owner });

        // Assert
        const legs = pulumiLegs('deploy.yml', runs);
        const jobOf = (stack: string) => Object.keys(legs).find((j) => legs[j].includes(stack))!;
        const dev = jobs[jobOf('dev')];
        const leg = runs[jobOf('dev')].legs.find((l) => l.matrix.stack === 'dev')!;
        const up = dev.steps.indexOf(pulumiStep(dev));
        const verify = verifyIndex(dev);
        expect(verify).toBeGreaterThan(up);
        expect(leg.runs[verify]).toBe(true);
        expect(leg.envs[verify].STACK).toBe(stackName('dev'));
        expect(leg.inputs[up]['stack-name']).toBe(stackName('dev'));
        expect(dev.steps[verify].run).toMatch(/--stack "\$STACK" --summary "\$GITHUB_STEP_SUMMARY"/);
        // A failed call fails the job, which the production job (its environment's approval) needs.
        expect(dev.steps[verify]['continue-on-error']).toBeUndefined();
        expect(waitsFor(jobs, jobOf('prod'), jobOf('dev'))).toBe(true);
        expect(runs[jobOf('prod')].legs[0].environment?.name).toBe('prod');
      },
    );

    it('when the acceptance call runs, it gets the Pulumi credentials its pulumi up got and no other secret (the Twilio ones are in the stack’s config)', () => {
      // Arrange
      const jobs = Object.values(jobsOf('deploy.yml')).filter((j) => pulumiStep(j));
      const secretsOf = (step: Step) =>
        [...JSON.stringify(step.env ?? {}).matchAll(/\bsecrets\.(\w+)/g)].map((m) => m[1]).sort();

      // Act
      const steps = jobs.map((j) => ({ verify: j.steps[verifyIndex(j)], up: pulumiStep(j) }));

      // Assert
      expect(steps.length).toBeGreaterThan(0);
      for (const { verify, up } of steps) {
        expect(secretsOf(verify).length).toBeGreaterThan(0);
        expect(secretsOf(verify).filter((name) => !secretsOf(up).includes(name))).toEqual([]);
        expect(Object.keys(verify.env ?? {}).filter((name) => !/^PULUMI_/.test(name))).toEqual(['STACK']);
        expect(verify.with).toBeUndefined();
      }
    });

    it('when one stack fails, the others’ updates are not cancelled half way', () => {
      // Arrange
      const jobs = jobsOf('deploy.yml');

      // Assert
      for (const job of Object.values(jobs).filter((j) => pulumiStep(j)))
        expect(job.strategy).toMatchObject({ 'fail-fast': false });
    });

    it('deploys on merge to main, with the policy pack, through OIDC only', () => {
      // Arrange
      const workflow = parse(read('deploy.yml'));
      const deploys = Object.values(workflow.jobs as Record<string, WorkflowJob>).filter((j) => pulumiStep(j));

      // Assert
      expect(workflow.on.push.branches).toEqual(['main']);
      expect(deploys.length).toBeGreaterThan(0);
      for (const job of deploys) {
        expect(pulumiStep(job).with).toMatchObject({ command: 'up', policyPacks: 'policy' });
        expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      }
      // OIDC only: no long-lived AWS keys anywhere.
      expect(read('deploy.yml') + read('pull-request.yml')).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    });
  });

  it('when the tests run, they run on the oldest Node the engines field admits and on the Lambda runtime’s', () => {
    // Arrange
    const engines = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node;
    const oldest = Number(/^>=(\d+)$/.exec(engines)?.[1]);
    const snapshots = path.join(ROOT, 'infra', 'snapshots');
    const snapshot = fs
      .readdirSync(snapshots)
      .map((f) => fs.readFileSync(path.join(snapshots, f), 'utf8'))
      .join('\n');
    const runtimes = new Set([...snapshot.matchAll(/runtime: nodejs(\d+)\.x/g)].map((m) => Number(m[1])));

    // Act
    const matrices = ['deploy.yml', 'pull-request.yml'].map((f) => parse(read(f)).jobs.test.strategy.matrix.node);

    // Assert
    expect(runtimes.size).toBe(1);
    for (const nodes of matrices) {
      expect(Math.min(...nodes)).toBe(oldest);
      expect(nodes).toContain([...runtimes][0]);
    }
  });

  it('when a deploy runs, every stack deploys the bundles the tests built, without building again', () => {
    // Arrange
    const jobs = jobsOf('deploy.yml');
    const [tested] = Object.entries(jobs).filter(([, j]) =>
      j.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@')),
    );
    const upload = tested[1].steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const deploys = Object.entries(jobs).filter(([, j]) => pulumiStep(j));

    // Act / Assert
    expect(deploys.length).toBeGreaterThan(0);
    for (const [name, job] of deploys) {
      expect(job.steps.filter((s) => /\bbuild\b/.test(s.run ?? ''))).toEqual([]);
      const download = job.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
      expect(download.with?.name).toBe(upload.with?.name);
      expect(pulumiStep(job).env?.VOICEAI_CODE_DIR).toBe(download.with?.path);
      expect(waitsFor(jobs, name, tested[0])).toBe(true);
    }
  });

  it('when Pulumi runs in a workflow, it gets only variables that Pulumi or the program reads', () => {
    // Arrange
    const program = ['bundles.ts', 'index.ts']
      .map((f) => fs.readFileSync(path.join(ROOT, 'infra', f), 'utf8'))
      .join('\n');
    const jobs = [...Object.values(jobsOf('deploy.yml')), ...Object.values(jobsOf('pull-request.yml'))];

    // Act
    const names = jobs.filter((j) => pulumiStep(j)).flatMap((j) => Object.keys(pulumiStep(j).env ?? {}));

    // Assert
    expect(names.length).toBeGreaterThan(0);
    const unread = names.filter((n) => !n.startsWith('PULUMI_') && !program.includes(n));
    expect(unread).toEqual([]);
  });
});
