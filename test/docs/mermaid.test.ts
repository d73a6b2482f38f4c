/**
 * Every Mermaid diagram of the documentation parses with Mermaid's own parser: the ```mermaid blocks of every
 * Markdown file in the repository and the call-flow diagram the sandbox's main scenario writes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runMainScenario } from '../../sandbox/scenario';
import { fencedBlocks, repoMarkdownFiles, ROOT } from './support/markdown';
import { parseMermaid } from './support/mermaid';

const diagrams = repoMarkdownFiles().flatMap((file) =>
  fencedBlocks(readFileSync(path.join(ROOT, file), 'utf8'))
    .filter((block) => block.lang === 'mermaid')
    .map((block) => ({ where: `${file}:${block.line}`, source: block.body })),
);

describe("Mermaid's parser", () => {
  it('when a sequence message contains a `;`, it rejects the diagram (the check below is a real parse)', () => {
    // Arrange
    const source = 'sequenceDiagram\n  Twilio->>Human: dials the human, who joins; the AI briefs them\n';

    // Act
    const [verdict] = parseMermaid([source]);

    // Assert
    expect(verdict).toMatchObject({ ok: false, error: expect.stringContaining('Parse error on line 2') });
  });
});

describe('the Markdown diagrams', () => {
  it('include the README architecture diagram', () => {
    expect(diagrams.map((d) => d.where)).toContainEqual(expect.stringMatching(/^README\.md:\d+$/));
  });

  it.each(diagrams)('$where parses', ({ source }) => {
    // Act
    const [verdict] = parseMermaid([source]);

    // Assert
    expect(verdict).toEqual({ ok: true, diagramType: expect.any(String) });
  });
});

describe("the main scenario's generated call-flow diagram", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'call-flow-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses as a sequence diagram', async () => {
    // Arrange
    const result = await runMainScenario({ print: () => undefined, diagramDir: dir });

    // Act
    const [verdict] = parseMermaid([readFileSync(result.diagramFile!, 'utf8')]);

    // Assert
    expect(result.ok).toBe(true);
    expect(verdict).toEqual({ ok: true, diagramType: 'sequence' });
  });
});
