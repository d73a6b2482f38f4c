/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type-checking happens once in `npm run typecheck`; transpiling per file keeps jest fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // v8 coverage keeps counters out of the dynamic provider's serialized code.
  coverageProvider: 'v8',
  testTimeout: 30000,
};
