/** Item 1: bundle and deployment-archive sizes of our handlers and of the naive baselines. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HANDLERS, type HandlerName } from './fixtures';
import { packageClosureFiles } from './package-closure';
import { zip, type ZipEntry } from './zip';

/** Sizes of one deployable: the JS it loads and the zip Lambda receives. */
export interface SizeFigures {
  /** index.js (minified) bytes. */
  readonly bundleBytes: number;
  /** Files in the archive. */
  readonly files: number;
  /** Bytes of all files before zipping. */
  readonly unpackedBytes: number;
  /** The deployment .zip. */
  readonly zipBytes: number;
}

export interface SizeResults {
  readonly ours: Record<HandlerName, SizeFigures>;
  /** The naive handler bundled with esbuild the same way (whole SDK inlined). */
  readonly naiveBundled: Record<HandlerName, SizeFigures>;
  /** The naive handler shipped the common way: index.js plus node_modules of twilio and its dependencies. */
  readonly naiveWithNodeModules: Record<HandlerName, SizeFigures>;
}

/** Zips a folder's files (relative names), as Pulumi's FileArchive does with dist/<handler>. */
function folderEntries(dir: string): ZipEntry[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const full = path.join(e.parentPath ?? e.path, e.name);
      return { name: path.relative(dir, full).split(path.sep).join('/'), data: readFileSync(full) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function figures(entries: ZipEntry[], bundle: Buffer): Promise<SizeFigures> {
  return {
    bundleBytes: bundle.length,
    files: entries.length,
    unpackedBytes: entries.reduce((n, e) => n + e.data.length, 0),
    zipBytes: (await zip(entries)).length,
  };
}

/**
 * Measures every deployable. `handlerDir(h)` holds our bundle, `naiveDir(h)` the bundled baseline,
 * `naiveUnbundledDir(h)` the unbundled one (node_modules resolved from `root`).
 */
export async function measureSizes(
  root: string,
  dirs: {
    ours: (h: HandlerName) => string;
    naive: (h: HandlerName) => string;
    naiveUnbundled: (h: HandlerName) => string;
  },
): Promise<SizeResults> {
  const moduleEntries: ZipEntry[] = packageClosureFiles('twilio', root).map((file) => ({
    name: path.relative(root, file).split(path.sep).join('/'),
    data: readFileSync(file),
  }));
  const build = async (dir: (h: HandlerName) => string) =>
    Object.fromEntries(
      await Promise.all(
        HANDLERS.map(async (h) => [
          h,
          await figures(folderEntries(dir(h)), readFileSync(path.join(dir(h), 'index.js'))),
        ]),
      ),
    ) as Record<HandlerName, SizeFigures>;
  const naiveWithNodeModules = await (async () => {
    // The node_modules part is the same for every handler: zip it once and add each index.js. Two zips joined
    // share one 22-byte end record; local and central records simply add up, so the sum is exact.
    const modules = await figures(moduleEntries, Buffer.alloc(0));
    return Object.fromEntries(
      await Promise.all(
        HANDLERS.map(async (h) => {
          const own = await figures(
            folderEntries(dirs.naiveUnbundled(h)),
            readFileSync(path.join(dirs.naiveUnbundled(h), 'index.js')),
          );
          return [
            h,
            {
              bundleBytes: own.bundleBytes,
              files: own.files + modules.files,
              unpackedBytes: own.unpackedBytes + modules.unpackedBytes,
              zipBytes: own.zipBytes + modules.zipBytes - 22,
            },
          ];
        }),
      ),
    ) as Record<HandlerName, SizeFigures>;
  })();
  return { ours: await build(dirs.ours), naiveBundled: await build(dirs.naive), naiveWithNodeModules };
}
