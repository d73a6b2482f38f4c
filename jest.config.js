const os = require('node:os');
const { noColourEnv, wantsColour } = require('./scripts/colour.cjs');

// No colour codes in a CI log or a file: set here, in jest's main process, so its workers inherit it.
if (!wantsColour([process.stdout.isTTY, process.stderr.isTTY], process.env)) {
  Object.assign(process.env, noColourEnv(process.env));
}

/** @type {import('jest').Config} */
module.exports = {
  // Node's environment, silent while tests pass: a failing test's output is printed under its name.
  testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking happens once in `npm run typecheck`; transpiling per file keeps jest fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // v8 coverage keeps counters out of the dynamic provider's serialized code.
  coverageProvider: 'v8',
  testTimeout: 30000,
  // Jest's default is one worker less than the cores: on a 2-core machine one worker, every file in series, so a
  // file waiting on a socket or a timer leaves a core idle. Two workers at least overlap those waits with the
  // CPU-heavy files (test/support/sequencer.js starts those first).
  maxWorkers: Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1),
  testSequencer: '<rootDir>/test/support/sequencer.js',
};
