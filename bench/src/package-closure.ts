/** The files `npm install --omit=dev <pkg>` would put in node_modules: a package and its dependencies, transitively. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Finds `name` as Node would from `fromDir`: the nearest node_modules/<name> walking up. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Every file under `dir`, recursively, excluding nested node_modules (they are walked as packages). */
function filesUnder(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') filesUnder(full, out);
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Absolute paths of every file of `name` and its production dependencies, as installed from `rootDir`. */
export function packageClosureFiles(name: string, rootDir: string): string[] {
  const seen = new Set<string>();
  const queue = [resolvePackageDir(name, rootDir)];
  while (queue.length > 0) {
    const dir = queue.pop();
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push(resolvePackageDir(dep, dir));
  }
  return [...seen].flatMap((dir) => filesUnder(dir));
}
