// Loads workflow-lint.ts through an esbuild bundle: @actions/workflow-parser is ESM with JSON imports, which
// Node 20 and jest's CommonJS runtime cannot load directly. Used by validate-workflows.mjs and the tests.
const { buildSync } = require('esbuild');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** @returns {typeof import('./workflow-lint')} */
function loadWorkflowLinter() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-lint-'));
  const outfile = path.join(dir, 'lint.cjs');
  try {
    buildSync({
      entryPoints: [path.join(__dirname, 'workflow-lint.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      logLevel: 'error',
    });
    return require(outfile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { loadWorkflowLinter };
