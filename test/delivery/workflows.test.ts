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
});
