/**
 * The order jest runs the test files in (test/support/sequencer.js): the files that run the Pulumi program first,
 * heaviest first, then jest's own order (here, on a cold cache: larger files first).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const HeavyFirstSequencer = require('../support/sequencer.js') as {
  new (): { sort(tests: unknown[]): { path: string }[] };
  HEAVY: string[];
};
const { HEAVY } = HeavyFirstSequencer;

describe('the heavy-first test order', () => {
  it.each(HEAVY)('when it names %s, that file exists (a renamed file would silently lose its place)', (file) => {
    expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });

  it('when jest has no timings, runs the listed files first in list order, then the others largest first', () => {
    // Arrange: a cold cache (an empty cache directory) and files of known sizes.
    const cacheDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'sequencer-'));
    const sizes: Record<string, number> = {
      'test/lambdas/small.test.ts': 10,
      [HEAVY[1]]: 20,
      'test/sandbox/large.test.ts': 5_000,
      [HEAVY[0]]: 30,
    };
    const context = {
      config: { rootDir: ROOT, cacheDirectory, name: 'sequencer-test' },
      hasteFS: { getSize: (file: string) => sizes[path.relative(ROOT, file)] },
    };
    const tests = Object.keys(sizes).map((file) => ({ path: path.join(ROOT, file), context }));

    // Act
    const order = new HeavyFirstSequencer().sort(tests).map((t) => path.relative(ROOT, t.path));

    // Assert
    expect(order).toEqual([HEAVY[0], HEAVY[1], 'test/sandbox/large.test.ts', 'test/lambdas/small.test.ts']);
    fs.rmSync(cacheDirectory, { recursive: true, force: true });
  });
});
