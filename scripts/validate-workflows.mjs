// Validates every workflow in .github/workflows (see workflow-lint.ts). Exit 1 on any error.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { loadWorkflowLinter } = createRequire(import.meta.url)('./load-workflow-linter.cjs');
const { lintWorkflow } = loadWorkflowLinter();
const dir = path.join(root, '.github', 'workflows');
let failed = 0;
for (const file of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f))) {
  const { errors } = await lintWorkflow(file, await readFile(path.join(dir, file), 'utf8'));
  for (const error of errors) console.error(error);
  failed += errors.length;
  console.log(`${file}: ${errors.length === 0 ? 'ok' : `${errors.length} error(s)`}`);
}
process.exit(failed === 0 ? 0 : 1);
