// Lets plain node require TypeScript files (node -r ./scripts/ts-hook.cjs file.ts): esbuild strips the types
// per file, as ts-jest does under jest (`npm test` has type-checked). For scripts that run test support code.
const { readFileSync } = require('node:fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
