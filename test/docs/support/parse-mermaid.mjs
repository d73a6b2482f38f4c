// Parses Mermaid sources with Mermaid's own parser (`mermaid.parse`, the one the renderers run first). Mermaid
// ships as ES modules only, so jest (CommonJS) runs this in a child process: it reads a JSON array of sources on
// stdin and writes one result per source: {"ok":true,"diagramType":…} or {"ok":false,"error":…}.
import mermaid from 'mermaid';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const source of JSON.parse(input)) {
  try {
    const { diagramType } = await mermaid.parse(source);
    results.push({ ok: true, diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
