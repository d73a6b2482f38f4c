import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions } from '../../bench/src/options';
import { carryOver, outputPlan } from '../../bench/src/output';

const repoRoot = path.resolve(__dirname, '../..');

describe('outputPlan: where a run writes', () => {
  describe.each([
    ['a full run', [], 'bench'],
    ['a full run with more rounds', ['--rounds=50'], 'bench'],
    ['a quick pass', ['--quick'], '.bench-build/quick'],
    ['a quick pass of one section', ['--quick', '--only=cold'], '.bench-build/quick'],
    ['a partial run', ['--only=cold,warm'], '.bench-build/partial'],
    ['a partial run with --write', ['--only=cold', '--write'], 'bench'],
    ['--only naming every section', ['--only=size,cold,warm,sandbox,capacity,model'], 'bench'],
  ])('for %s (%j)', (_name, argv, dir) => {
    it(`writes results.json and RESULTS.md under ${dir}/`, () => {
      const plan = outputPlan(parseOptions(argv), '/repo');

      expect(plan.resultsJson).toBe(`/repo/${dir}/results.json`);
      expect(plan.resultsMd).toBe(`/repo/${dir}/RESULTS.md`);
      expect(plan.committed).toBe(dir === 'bench');
    });
  });

  it('when asked to commit a quick pass, it refuses', () => {
    const options = parseOptions(['--quick', '--write']);

    expect(() => outputPlan(options, '/repo')).toThrow(/never committed/);
  });

  describe.each([['--quik'], ['--only=colds'], ['--rounds=0'], ['--rounds=many'], ['--write=yes']])(
    'when given %s',
    (arg) => {
      it('refuses it instead of running a full bench', () => {
        expect(() => parseOptions([arg])).toThrow(/usage: npm run bench/);
      });
    },
  );

  describe.each([['--quick'], ['--only=cold']])('for %s', (arg) => {
    it('writes where git ignores the files, so git status stays clean', () => {
      const plan = outputPlan(parseOptions([arg]), repoRoot);

      for (const file of [plan.resultsJson, plan.resultsMd]) {
        // check-ignore exits 1 (and execFileSync throws) when the path is not ignored.
        expect(() => execFileSync('git', ['check-ignore', '-q', file], { cwd: repoRoot })).not.toThrow();
      }
    });
  });

  it('for a full run, writes the tracked files (not ignored)', () => {
    const plan = outputPlan(parseOptions([]), repoRoot);

    expect(() => execFileSync('git', ['check-ignore', '-q', plan.resultsJson], { cwd: repoRoot })).toThrow();
  });
});

describe('a quick pass in a checkout with committed results', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'bench-output-'));
    mkdirSync(path.join(root, 'bench'));
    writeFileSync(path.join(root, 'bench', 'results.json'), '{"committed":true}\n');
    writeFileSync(path.join(root, 'bench', 'RESULTS.md'), '# committed\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('leaves the committed files as they were and writes its own elsewhere', async () => {
    const { writeReports } = await import('../../bench/src/report');
    const plan = outputPlan(parseOptions(['--quick']), root);
    mkdirSync(path.dirname(plan.resultsJson), { recursive: true });

    writeReports(plan, {
      schema: 2,
      args: ['--quick'],
      quick: true,
      measured: [],
      carried: {},
      machine: {
        start: {
          node: 'v20',
          platform: 'linux x64',
          cpus: 2,
          cpuModel: 'cpu',
          totalMemMiB: 1,
          loadAverage: [1, 1, 1],
          gitCommit: 'abc1234',
          at: '2026-01-01T00:00:00.000Z',
        },
      },
    });

    expect(readFileSync(path.join(root, 'bench', 'results.json'), 'utf8')).toBe('{"committed":true}\n');
    expect(readFileSync(path.join(root, 'bench', 'RESULTS.md'), 'utf8')).toBe('# committed\n');
    expect(existsSync(path.join(root, '.bench-build', 'quick', 'results.json'))).toBe(true);
    expect(readFileSync(path.join(root, '.bench-build', 'quick', 'RESULTS.md'), 'utf8')).toMatch(/Quick pass/);
  });
});

describe('carryOver: what a run keeps from the committed results', () => {
  const committed = {
    schema: 2,
    args: [],
    quick: false,
    measured: ['size', 'cold', 'warm', 'sandbox'],
    carried: {},
    machine: { start: { gitCommit: 'aaa1111', at: '2026-01-01T00:00:00.000Z' } },
    sizes: { s: 1 },
    cold: { c: 1 },
    warm: { w: 1 },
    sandbox: { x: 1 },
    foreign: { m: 1 },
  };

  it('when only cold is measured, it keeps the other sections and says when they were measured', () => {
    const result = carryOver(committed, ['cold'], 2);

    expect(result.entries).toEqual({ sizes: { s: 1 }, warm: { w: 1 }, sandbox: { x: 1 }, foreign: { m: 1 } });
    expect(result.carried).toEqual({
      sizes: 'commit aaa1111, 2026-01-01T00:00:00.000Z',
      warm: 'commit aaa1111, 2026-01-01T00:00:00.000Z',
      sandbox: 'commit aaa1111, 2026-01-01T00:00:00.000Z',
    });
  });

  it('when every section is measured, it keeps only what another tool added', () => {
    const result = carryOver(committed, ['size', 'cold', 'warm', 'sandbox', 'capacity', 'model'], 2);

    expect(result).toEqual({ entries: { foreign: { m: 1 } }, carried: {} });
  });

  it('when the committed results have another schema, it keeps none of its sections, only foreign ones', () => {
    const result = carryOver({ ...committed, schema: 1 }, ['cold'], 2);

    expect(result).toEqual({ entries: { foreign: { m: 1 } }, carried: {} });
  });

  it('when a section was itself carried over, it keeps the date it was really measured', () => {
    const result = carryOver({ ...committed, carried: { sizes: 'commit 0000000, long ago' } }, ['cold'], 2);

    expect(result.carried.sizes).toBe('commit 0000000, long ago');
  });

  it('when there are no committed results, it keeps nothing', () => {
    expect(carryOver(undefined, ['cold'], 2)).toEqual({ entries: {}, carried: {} });
  });
});
