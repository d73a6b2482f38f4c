// Jest's test order: the files that run the Pulumi program (seconds of CPU a run, several runs a file) start first,
// heaviest first, so they run beside the light files instead of after them and the two workers end together.
// Jest's own order (last run's failures, then durations from its cache, then file size) orders the rest, and the
// heavy ones too when its cache knows them; this list only matters on a cold cache (a fresh checkout, CI).
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Heaviest first, by CPU time measured with --maxWorkers=1 (issue 21). */
const HEAVY = [
  'test/infra/program.test.ts',
  'test/engine/lifecycle.test.ts',
  'test/engine/program.test.ts',
  'test/policy/stack-policies.test.ts',
  'test/infra/snapshot.test.ts',
  'test/infra/entrypoint.test.ts',
  'test/infra/metrics-contract.test.ts',
  'test/infra/canary-program.test.ts',
];

class HeavyFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const relative = path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/');
      const index = HEAVY.indexOf(relative);
      return index === -1 ? HEAVY.length : index;
    };
    // Array.prototype.sort is stable: within each rank, jest's own order stays.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = HeavyFirstSequencer;
module.exports.HEAVY = HEAVY;
