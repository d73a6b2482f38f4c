/**
 * The documentation's links stay inside the repository: every relative link and every file path named in a code
 * span resolves to a file of the repository; links may leave it only as http(s) URLs, never as a filesystem path.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { codeSpanPaths, fencedBlocks, headingAnchors, links, repoMarkdownFiles, ROOT } from './support/markdown';

const files = repoMarkdownFiles().filter((f) => existsSync(path.join(ROOT, f)));
const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);
const ignoredButDocumented = new Set(['.sandbox/call-flow.mmd']);

const insideRepo = (absolute: string) => {
  const relative = path.relative(ROOT, absolute);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** Why a link target is not acceptable, or undefined. */
function linkProblem(file: string, target: string): string | undefined {
  if (/^https?:\/\//.test(target) || target.startsWith('#') || target.startsWith('mailto:')) return undefined;
  if (/^[a-z][\w+.-]*:/i.test(target)) return `uses the ${target.split(':')[0]}: scheme`;
  if (path.isAbsolute(target)) return 'is an absolute filesystem path';
  const resolved = path.resolve(ROOT, path.dirname(file), decodeURI(target.split('#')[0]));
  if (!insideRepo(resolved)) return 'leaves the repository';
  return existsSync(resolved) ? undefined : 'names no file of the repository';
}

/** Why a path in a code span is not acceptable, or undefined: it must name a file of the repository. */
function pathProblem(file: string, span: string): string | undefined {
  if (path.isAbsolute(span)) return 'is an absolute filesystem path outside the repository';
  const resolved = path.resolve(ROOT, path.dirname(file), span);
  if (!insideRepo(resolved) && !insideRepo(path.resolve(ROOT, span))) return 'leaves the repository';
  const normalized = path.normalize(span);
  const known =
    ignoredButDocumented.has(normalized) ||
    tracked.some((t) => t === normalized || t === path.relative(ROOT, resolved) || t.endsWith(`/${normalized}`));
  return known ? undefined : 'names no file of the repository';
}

describe('reading Markdown', () => {
  it.each([
    ['an inline link', 'see [the sandbox](sandbox/README.md).', ['sandbox/README.md']],
    ['an image and an autolink', '![x](a.png) and <https://example.com/x>', ['a.png', 'https://example.com/x']],
    ['a link inside a code span', 'run `[x](not-a-link.md)` now', []],
    ['a link inside a fenced block', '```md\n[x](not-a-link.md)\n```\n', []],
  ])('finds the links of %s', (_situation, markdown, expected) => {
    expect(links(markdown).map((l) => l.target)).toEqual(expected);
  });

  it.each([
    ['a repository path', 'built by `scripts/build.mjs`.', ['scripts/build.mjs']],
    ['an absolute path', 'see `/etc/hosts.conf`', ['/etc/hosts.conf']],
    ['a route, a placeholder path and a bare file name', '`/twilio/voice/inbound`, `dist/<h>/index.js`, `cli.ts`', []],
  ])('finds the file paths in code spans of %s', (_situation, markdown, expected) => {
    expect(codeSpanPaths(markdown).map((l) => l.target)).toEqual(expected);
  });

  it('reads fenced blocks with their language and opening line', () => {
    expect(fencedBlocks('text\n```bash\ncurl x\n```\n~~~mermaid\ngraph\n~~~\n')).toEqual([
      { lang: 'bash', body: 'curl x', line: 2 },
      { lang: 'mermaid', body: 'graph', line: 5 },
    ]);
  });
});

/** Why a link's `#fragment` is not acceptable (it names no heading of the Markdown file it points to), or undefined. */
function anchorProblem(file: string, target: string): string | undefined {
  if (/^[a-z][\w+.-]*:/i.test(target) || !target.includes('#')) return undefined;
  const [page, fragment] = target.split('#');
  const linked = page === '' ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), decodeURI(page));
  if (!linked.endsWith('.md') || !existsSync(linked)) return undefined;
  return headingAnchors(readFileSync(linked, 'utf8')).has(decodeURIComponent(fragment))
    ? undefined
    : `names no heading of ${path.relative(ROOT, linked)}`;
}

describe('heading anchors as GitHub makes them', () => {
  it.each([
    ['a numbered heading', '## 7. Add an agent to a live call', '7-add-an-agent-to-a-live-call'],
    ['code and punctuation', '## The first `pulumi up`', 'the-first-pulumi-up'],
    [
      'a colon and a comma',
      '## When things go wrong: no caller left alone',
      'when-things-go-wrong-no-caller-left-alone',
    ],
    ['an apostrophe', "## The human sees the caller's number", 'the-human-sees-the-callers-number'],
  ])('when a heading has %s, its anchor drops what GitHub drops', (_situation, heading, anchor) => {
    expect([...headingAnchors(heading)]).toEqual([anchor]);
  });

  it('when two headings are the same, the second anchor gets -1', () => {
    expect([...headingAnchors('## Notes\n\n## Notes\n')]).toEqual(['notes', 'notes-1']);
  });
});

describe.each(files)('%s', (file) => {
  const markdown = readFileSync(path.join(ROOT, file), 'utf8');

  it('links only to files of the repository or to http(s) URLs', () => {
    // Act
    const problems = links(markdown)
      .map(({ target, line }) => ({ at: `${file}:${line}`, target, problem: linkProblem(file, target) }))
      .filter((p) => p.problem !== undefined);

    // Assert
    expect(problems).toEqual([]);
  });

  it('links to headings that exist in the Markdown files it links to', () => {
    // Act
    const problems = links(markdown)
      .map(({ target, line }) => ({ at: `${file}:${line}`, target, problem: anchorProblem(file, target) }))
      .filter((p) => p.problem !== undefined);

    // Assert
    expect(problems).toEqual([]);
  });

  it('names only files of the repository in its code spans', () => {
    // Act
    const problems = codeSpanPaths(markdown)
      .map(({ target, line }) => ({ at: `${file}:${line}`, target, problem: pathProblem(file, target) }))
      .filter((p) => p.problem !== undefined);

    // Assert
    expect(problems).toEqual([]);
  });
});
