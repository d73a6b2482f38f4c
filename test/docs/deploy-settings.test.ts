/** docs/deploy.md's "GitHub settings" table names exactly the variables and secrets the workflows read. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Setting, settingsRead, workflowSettings } from '../support/workflow-settings';
import { ROOT, tableUnder } from './support/markdown';

const HEADING = '### GitHub settings';
const KINDS = ['variable', 'secret'];

/** The settings a table documents (a Name cell may name several in code spans), and what is wrong in its rows. */
function documented(markdown: string): { settings: Setting[]; problems: string[] } {
  const table = tableUnder(markdown, HEADING);
  if (!table) return { settings: [], problems: [`no table under "${HEADING}"`] };
  const problems: string[] = [];
  if (table.header.join(' | ') !== 'Name | Kind | Where | What')
    problems.push(`header is "${table.header.join(' | ')}", expected "Name | Kind | Where | What"`);
  const settings = table.rows.flatMap(({ cells, line }) => {
    const names = [...(cells[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    if (names.length === 0) problems.push(`line ${line}: no \`NAME\` in the Name cell`);
    if (!KINDS.includes(cells[1])) problems.push(`line ${line}: kind "${cells[1]}" is not one of ${KINDS.join(', ')}`);
    return names.map((name) => ({ name, kind: cells[1] as Setting['kind'] }));
  });
  return { settings, problems };
}

const key = (s: Setting) => `${s.name} (${s.kind})`;
const missing = (from: Setting[], in_: Setting[]) =>
  from.filter((s) => !in_.some((t) => t.name === s.name && t.kind === s.kind)).map(key);

describe('settingsRead', () => {
  it.each([
    ['a secret in an expression', 'env:\n  A: ${{ secrets.TOKEN }}\n', ['TOKEN (secret)']],
    ['a variable in an if without ${{ }}', "jobs:\n  j:\n    if: vars.OWNER != ''\n", ['OWNER (variable)']],
    ['an index access', "env:\n  A: ${{ vars['REGION'] }}\n", ['REGION (variable)']],
    ['the token GitHub gives every run', 'env:\n  A: ${{ secrets.GITHUB_TOKEN }}\n', []],
    ['a name in a comment', '# reads secrets.OLD\nenv:\n  A: b\n', []],
    ['a name in a script outside ${{ }}', 'steps:\n  - run: echo vars.NOT_READ\n', []],
  ])('when a workflow holds %s, it finds the settings read there', (_name, workflow, expected) => {
    // Act
    const read = settingsRead([workflow]).map(key);

    // Assert
    expect(read).toEqual(expected);
  });
});

describe('documented()', () => {
  const table = (rows: string) =>
    `# Deploy\n\n${HEADING}\n\n| Name | Kind | Where | What |\n| --- | --- | --- | --- |\n${rows}`;

  it.each([
    ['one row', '| `A` | variable | repo | a |\n', ['A (variable)'], []],
    ['two names in a cell', '| `A`, `B` | secret | repo | a |\n', ['A (secret)', 'B (secret)'], []],
    [
      'an unknown kind',
      '| `A` | token | repo | a |\n',
      ['A (token)'],
      ['line 7: kind "token" is not one of variable, secret'],
    ],
    ['a row without a name', '| A | secret | repo | a |\n', [], ['line 7: no `NAME` in the Name cell']],
  ])('when the table has %s, it reads it', (_name, rows, settings, problems) => {
    // Act
    const result = documented(table(rows));

    // Assert
    expect(result.settings.map(key)).toEqual(settings);
    expect(result.problems).toEqual(problems);
  });

  it('when the heading is missing, it says so', () => {
    // Act / Assert
    expect(documented('## Other\n\n| Name | Kind | Where | What |\n| --- | --- | --- | --- |\n').problems).toEqual([
      `no table under "${HEADING}"`,
    ]);
  });
});

describe('docs/deploy.md, "GitHub settings"', () => {
  const doc = documented(readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8'));
  const read = workflowSettings();

  it('is a well-formed settings table', () => {
    // Assert
    expect(doc.problems).toEqual([]);
    expect(read.length).toBeGreaterThan(0);
  });

  it('when a workflow reads a variable or secret, the table documents it with its kind', () => {
    // Assert
    expect(missing(read, doc.settings)).toEqual([]);
  });

  it('when the table documents a variable or secret, a workflow reads it (as that kind)', () => {
    // Assert
    expect(missing(doc.settings, read)).toEqual([]);
  });
});
