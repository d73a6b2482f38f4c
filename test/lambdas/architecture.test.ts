/**
 * Rules of the lambdas' layout, read from the sources: the shared modules and the participants API stand below the
 * events function (they never reach into it), and the identifier patterns live in one module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const LAMBDAS = join(ROOT, 'lambdas');

function sourcesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The files a source imports (relative specifiers, resolved against its folder), static and dynamic. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)];
  return specifiers.map((match) => relative(ROOT, resolve(dirname(file), match[1])));
}

describe('lambdas layout', () => {
  describe.each(['shared', 'participants'])('lambdas/%s', (folder) => {
    it('when its modules import, none of them reaches into lambdas/events', () => {
      const sources = sourcesUnder(join(LAMBDAS, folder));
      expect(sources.length).toBeGreaterThan(0);

      const against = sources.flatMap((file) =>
        importsOf(file)
          .filter((target) => target === 'lambdas/events' || target.startsWith('lambdas/events/'))
          .map((target) => `${relative(ROOT, file)} -> ${target}`),
      );

      expect(against).toEqual([]);
    });
  });

  it('when the import reader meets the import shapes the lambdas use, it resolves each of them', () => {
    const file = join(LAMBDAS, 'shared', 'transfer.ts');

    const imports = importsOf(file);

    expect(imports).toContain('lambdas/shared/call-state');
    expect(imports).toContain('lambdas/shared/errors');
  });

  it('when a lambda checks a SID or an E.164 number, it uses lambdas/shared/identifiers.ts, not its own pattern', () => {
    const copies = sourcesUnder(LAMBDAS)
      .filter((file) => !file.endsWith(join('shared', 'identifiers.ts')))
      .filter((file) => /\[0-9a-fA-F\]\{32\}|\\\+\[1-9\]\\d\{1,14\}/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));

    expect(copies).toEqual([]);
  });

  it('when a handler or shared module asks whether a participant is gone or a failure is retried, it uses the names in errors.ts', () => {
    const copies = ['shared', 'events', 'participants']
      .flatMap((folder) => sourcesUnder(join(LAMBDAS, folder)))
      .filter((file) => !file.endsWith(join('shared', 'errors.ts')))
      .filter((file) =>
        /status === 404|TWILIO\.notFound|isRetryableTwilioFailure\(\w+\) \|\|/.test(readFileSync(file, 'utf8')),
      )
      .map((file) => relative(ROOT, file));

    expect(copies).toEqual([]);
  });
});
