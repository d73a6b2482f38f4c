import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const { loadWorkflowLinter } = require('../../scripts/load-workflow-linter.cjs') as {
  loadWorkflowLinter: () => typeof import('../../scripts/workflow-lint');
};
const { lintWorkflow } = loadWorkflowLinter();
const dir = path.join(__dirname, '..', '..', '.github', 'workflows');
const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

describe('GitHub workflows', () => {
  describe.each(fs.readdirSync(dir).filter((f) => f.endsWith('.yml')))('%s', (file) => {
    it('passes GitHub’s workflow parser (schema and expressions) and our rules', async () => {
      const { errors } = await lintWorkflow(file, read(file));
      expect(errors).toEqual([]);
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

  it('previews every environment stack with the policy pack and a PR comment', () => {
    const preview = parse(read('pull-request.yml')).jobs.preview;
    expect(preview.strategy.matrix.stack).toEqual(['dev', 'prod']);
    const step = preview.steps.find((s: { uses?: string }) => s.uses?.startsWith('pulumi/actions@'));
    expect(step.with).toMatchObject({ command: 'preview', 'comment-on-pr': true, policyPacks: 'policy' });
    expect(preview.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
  });

  it('deploys dev on merge, and prod only through the protected prod environment after dev, one update per stack', () => {
    const workflow = parse(read('deploy.yml'));
    const { dev, prod } = workflow.jobs;
    expect(workflow.on.push.branches).toEqual(['main']);
    expect([dev.environment, prod.environment, prod.needs]).toEqual(['dev', 'prod', 'dev']);
    expect(dev.concurrency).toEqual({ group: 'pulumi-stack-dev', 'cancel-in-progress': false });
    expect(prod.concurrency).toEqual({ group: 'pulumi-stack-prod', 'cancel-in-progress': false });
    for (const job of [dev, prod]) {
      expect(job.steps.find((s: { uses?: string }) => s.uses?.startsWith('pulumi/actions@')).with).toMatchObject({
        command: 'up',
        policyPacks: 'policy',
      });
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    }
    // OIDC only: no long-lived AWS keys anywhere.
    expect(read('deploy.yml') + read('pull-request.yml')).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });

  type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> };
  const pulumiStep = (job: { steps: Step[] }) => job.steps.find((s) => s.uses?.startsWith('pulumi/actions@'))!;

  it('when the tests run, they run on the oldest Node the engines field admits and on the Lambda runtime’s', () => {
    // Arrange
    const engines = JSON.parse(fs.readFileSync(path.join(dir, '..', '..', 'package.json'), 'utf8')).engines.node;
    const oldest = Number(/^>=(\d+)$/.exec(engines)?.[1]);
    const snapshot = fs.readFileSync(path.join(dir, '..', '..', 'infra', 'snapshots', 'prod.yaml'), 'utf8');
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

  it('when a deploy runs, dev and prod deploy the bundles the tests built, without building again', () => {
    // Arrange
    const { test, dev, prod } = parse(read('deploy.yml')).jobs;
    const upload = (test.steps as Step[]).find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;

    // Act / Assert
    for (const job of [dev, prod]) {
      const steps = job.steps as Step[];
      expect(steps.filter((s) => /\bbuild\b/.test(s.run ?? ''))).toEqual([]);
      const download = steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
      expect(download.with?.name).toBe(upload.with?.name);
      expect(pulumiStep(job).env?.VOICEAI_CODE_DIR).toBe(download.with?.path);
      expect(job.needs === 'test' || job.needs === 'dev').toBe(true);
    }
  });

  it('when Pulumi runs in a workflow, it gets only variables that Pulumi or the program reads', () => {
    // Arrange
    const program = ['bundles.ts', 'index.ts']
      .map((f) => fs.readFileSync(path.join(dir, '..', '..', 'infra', f), 'utf8'))
      .join('\n');
    const jobs = [
      ...Object.values(parse(read('deploy.yml')).jobs),
      ...Object.values(parse(read('pull-request.yml')).jobs),
    ] as { steps: Step[] }[];

    // Act
    const names = jobs.filter((j) => pulumiStep(j)).flatMap((j) => Object.keys(pulumiStep(j).env ?? {}));

    // Assert
    expect(names.length).toBeGreaterThan(0);
    const unread = names.filter((n) => !n.startsWith('PULUMI_') && !program.includes(n));
    expect(unread).toEqual([]);
  });
});
