/**
 * Validates GitHub Actions workflows offline with GitHub's own parser (`@actions/workflow-parser`: schema and
 * `${{ }}` expression checks), plus the rules this repository holds its workflows to. The parser is ESM with
 * JSON imports, so callers load this module through an esbuild bundle (see validate-workflows.mjs).
 */
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';

/** What validation found; `template` is the parsed workflow for structural assertions. */
export interface WorkflowReport {
  readonly errors: string[];
  readonly template: unknown;
}

// Values an outsider controls: interpolating them into `run:` lets a pull request title run shell code.
const UNTRUSTED =
  /\$\{\{[^}]*github\.(event\.(pull_request\.(title|body|head\.ref|head\.label)|issue\.(title|body)|comment\.body|review\.body|head_commit\.message)|head_ref)[^}]*\}\}/;

/** Validates one workflow file's content. */
export async function lintWorkflow(name: string, content: string): Promise<WorkflowReport> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  let template: unknown;
  if (parsed.value !== undefined) {
    const converted = await convertWorkflowTemplate(parsed.context, parsed.value);
    template = JSON.parse(JSON.stringify(converted));
    for (const e of (converted as { errors?: { Message: string }[] }).errors ?? []) {
      if (!errors.includes(e.Message)) errors.push(e.Message);
    }
  }
  if (!/^permissions:/m.test(content))
    errors.push(`${name}: no top-level permissions; the workflow token would get the repository default`);
  content.split('\n').forEach((line, i) => {
    if (UNTRUSTED.test(line))
      errors.push(`${name}:${i + 1}: untrusted event data interpolated into the workflow; pass it through env instead`);
  });
  return { errors, template };
}
