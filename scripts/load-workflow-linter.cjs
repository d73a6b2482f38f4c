// Loads workflow-lint.ts (and other modules built on GitHub's ESM packages) through an esbuild bundle:
// @actions/workflow-parser and @actions/expressions are ESM with JSON imports, which Node 20 and jest's CommonJS
// runtime cannot load directly. Used by validate-workflows.mjs and the tests.
const { buildSync } = require('esbuild');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** Bundles the TypeScript module `entry` (an absolute path) to CommonJS and loads it. */
function loadBundle(entry) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workflow-lint-'));
  const outfile = path.join(dir, 'bundle.cjs');
  try {
    buildSync({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
    return require(outfile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** @returns {typeof import('./workflow-lint')} */
function loadWorkflowLinter() {
  return loadBundle(path.join(__dirname, 'workflow-lint.ts'));
}

module.exports = { loadBundle, loadWorkflowLinter };
