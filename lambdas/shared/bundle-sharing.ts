/**
 * State that handler bundles loaded into one process share. The combined function (lambdas/twilio/) runs each
 * handler as its own bundle, each with its own copy of lambdas/shared/; without this, every handler module would
 * keep its own secret cache and read the same secrets again on its first request in a warm container.
 */

/** Where the shared instances live on globalThis (a registered symbol: every bundle's copy finds the same one). */
const SHARED = Symbol.for('voiceai.bundle-sharing');

type Holder = { [SHARED]?: Map<string, unknown> };

/** Turns sharing on for this process; the combined function calls it before loading any handler module. */
export function shareAcrossBundles(): void {
  (globalThis as Holder)[SHARED] ??= new Map();
}

/**
 * The process-wide instance named `name` when sharing is on (created by the first bundle that asks), else a new one
 * of this bundle's own, as in a function that runs one handler (and in tests that load a handler afresh per case).
 */
export function sharedAcrossBundles<T>(name: string, create: () => T): T {
  const shared = (globalThis as Holder)[SHARED];
  if (!shared) return create();
  if (!shared.has(name)) shared.set(name, create());
  return shared.get(name) as T;
}
