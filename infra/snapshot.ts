/**
 * A readable, stable rendering of a stack's resource graph (type, name, key properties) for the committed
 * per-stack snapshots: a pull request that changes infrastructure shows the change as a plain diff, with no
 * cloud access. Pure: it takes the resources captured under Pulumi mocks.
 */

/** A declared resource: type token, logical name and input properties. */
export interface GraphResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** Inputs left out: code archives (paths differ per machine), serialized provider code, secret values. */
const OMITTED = new Set(['__provider', 'code', 'secretString']);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  // IAM documents arrive as JSON strings; show them as structure so a diff points at the statement.
  if (typeof value === 'string' && value.startsWith('{"')) {
    try {
      return stable(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return value;
}

/** The graph as plain data, sorted by type then name. */
export function resourceGraph(resources: readonly GraphResource[]): { type: string; name: string; props: unknown }[] {
  return [...resources]
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
    .map((r) => ({
      type: r.type,
      name: r.name,
      props: stable(Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !OMITTED.has(k)))),
    }));
}
