/**
 * The engine's side of a deployment for the stack's dynamic resources, as pulumi 3.248's step generator and
 * steps drive a provider: Check, then Diff against the stored state, then Create / Update / replace (create the
 * new one, delete the old one at the end, or the other way round when the provider asks for
 * delete-before-replace), deletes of what the program no longer declares, Read on refresh, Delete on destroy.
 * A preview calls Check and Diff only: the dynamic provider does not support previews, so the engine does not
 * call Create or Update then.
 */
import type { ProviderHost } from './provider-host';
import type { Registration } from './stand-ins';
import type { Props } from './wire';

/** A resource in the stack's state. */
export interface ResourceState {
  readonly urn: string;
  readonly type: string;
  readonly id: string;
  readonly inputs: Props;
  readonly outputs: Props;
}

/** What the engine did (or, in a preview, would do) with one resource. */
export interface Step {
  readonly urn: string;
  readonly op: 'create' | 'update' | 'replace' | 'same' | 'delete' | 'refresh' | 'gone';
  readonly replaces?: string[];
}

/** A deployment that stopped, with the engine's words. */
export class DeploymentError extends Error {
  constructor(
    message: string,
    readonly urn: string,
    readonly failure?: Error,
  ) {
    super(message);
    this.name = 'DeploymentError';
  }
}

const name = (urn: string) => urn.split('::').pop();
const sameJson = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  return value;
}

/** The stack's state for its dynamic resources, and the operations that change it. */
export class Deployment {
  /** Insertion order is dependency order (the program registers a resource after what it depends on). */
  readonly state = new Map<string, ResourceState>();

  constructor(readonly host: ProviderHost) {}

  /** `pulumi preview`: what an update with these registrations would do. */
  async preview(registrations: readonly Registration[]): Promise<Step[]> {
    const steps: Step[] = [];
    for (const r of registrations) steps.push((await this.plan(r, true)).step);
    for (const urn of this.state.keys())
      if (!registrations.some((r) => r.urn === urn)) steps.push({ urn, op: 'delete' });
    return steps;
  }

  /** `pulumi up`: applies the registrations, then deletes what is replaced or no longer declared. */
  async up(registrations: readonly Registration[]): Promise<Step[]> {
    const update = this.beginUpdate();
    for (const r of registrations) await update.register(r);
    return update.finish();
  }

  /**
   * An update as it runs while the program registers resources one by one: `register` applies one registration
   * and gives what the engine answers the program (id and outputs); `finish` runs the deletes that come last.
   */
  beginUpdate(): {
    register(r: Registration): Promise<ResourceState>;
    finish(): Promise<Step[]>;
  } {
    const steps: Step[] = [];
    const pendingDeletes: ResourceState[] = [];
    const declared = new Set<string>();
    return {
      register: async (r) => {
        declared.add(r.urn);
        steps.push(await this.apply(r, pendingDeletes));
        return this.state.get(r.urn)!;
      },
      finish: async () => {
        for (const old of [...this.state.values()].reverse()) {
          if (declared.has(old.urn)) continue;
          await this.delete(old);
          this.state.delete(old.urn);
          steps.push({ urn: old.urn, op: 'delete' });
        }
        for (const old of pendingDeletes.reverse()) await this.delete(old);
        return steps;
      },
    };
  }

  /** One registration of an update: Check, Diff, then the step; a replaced resource is deleted last. */
  private async apply(r: Registration, pendingDeletes: ResourceState[]): Promise<Step> {
    const { step, inputs: checked, deleteBeforeReplace } = await this.plan(r, false);
    const old = this.state.get(r.urn);
    if (step.op === 'create') {
      this.state.set(r.urn, { urn: r.urn, type: r.type, ...(await this.create(r.urn, checked)), inputs: checked });
    } else if (step.op === 'update') {
      const outputs = await this.guard(r.urn, 'updating', () =>
        this.host.update(r.urn, old!.id, old!.outputs, checked, old!.inputs),
      );
      this.state.set(r.urn, { ...old!, inputs: checked, outputs });
    } else if (step.op === 'replace') {
      if (deleteBeforeReplace) await this.delete(old!);
      else pendingDeletes.push(old!);
      this.state.set(r.urn, { urn: r.urn, type: r.type, ...(await this.create(r.urn, checked)), inputs: checked });
    } else if (step.op === 'same') {
      this.state.set(r.urn, { ...old!, inputs: checked });
    }
    return step;
  }

  /** `pulumi refresh`: Read every resource; what the provider reports gone leaves the state. */
  async refresh(): Promise<Step[]> {
    const steps: Step[] = [];
    for (const old of [...this.state.values()]) {
      const read = await this.guard(old.urn, 'refreshing', () =>
        this.host.read(old.urn, old.id, old.outputs, old.inputs),
      );
      if (read.id === '') {
        this.state.delete(old.urn);
        steps.push({ urn: old.urn, op: 'gone' });
        continue;
      }
      this.state.set(old.urn, { ...old, id: read.id, outputs: read.outputs, inputs: read.inputs ?? old.inputs });
      steps.push({ urn: old.urn, op: 'refresh' });
    }
    return steps;
  }

  /** `pulumi destroy`: deletes in reverse dependency order. */
  async destroy(): Promise<Step[]> {
    const steps: Step[] = [];
    for (const old of [...this.state.values()].reverse()) {
      await this.delete(old);
      this.state.delete(old.urn);
      steps.push({ urn: old.urn, op: 'delete' });
    }
    return steps;
  }

  /** Check, then Diff against the state: the step the engine takes, with the checked inputs. */
  private async plan(
    r: Registration,
    preview: boolean,
  ): Promise<{ step: Step; inputs: Props; deleteBeforeReplace: boolean }> {
    const { inputs } = await this.check(r, preview);
    const old = this.state.get(r.urn);
    const result = (step: Step, deleteBeforeReplace = false) => ({ step, inputs, deleteBeforeReplace });
    if (!old) return result({ urn: r.urn, op: 'create' });
    const diff = await this.diff(old, inputs, preview);
    // DIFF_UNKNOWN: the engine diffs the inputs itself.
    if (diff.changes === 'unknown') return result({ urn: r.urn, op: sameJson(old.inputs, inputs) ? 'same' : 'update' });
    if (diff.changes === 'none') return result({ urn: r.urn, op: 'same' });
    return diff.replaces.length > 0
      ? result({ urn: r.urn, op: 'replace', replaces: diff.replaces }, diff.deleteBeforeReplace)
      : result({ urn: r.urn, op: 'update' });
  }

  private async check(r: Registration, allowUnknowns: boolean) {
    const old = this.state.get(r.urn);
    const result = await this.guard(r.urn, 'checking', () =>
      this.host.check(r.urn, old?.inputs ?? {}, r.inputs, allowUnknowns),
    );
    if (result.failures.length > 0) {
      const reasons = result.failures.map((f) => `  ${f.property}: ${f.reason}`).join('\n');
      throw new DeploymentError(`resource ${name(r.urn)} is invalid:\n${reasons}`, r.urn);
    }
    return result;
  }

  private diff(old: ResourceState, news: Props, allowUnknowns: boolean) {
    return this.guard(old.urn, 'diffing', () =>
      this.host.diff(old.urn, old.id, old.inputs, old.outputs, news, allowUnknowns),
    );
  }

  private async create(urn: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const created = await this.guard(urn, 'creating', () => this.host.create(urn, inputs));
    if (created.id === '') throw new DeploymentError(`plugin returned empty resource.ID from create '${urn}'`, urn);
    return created;
  }

  private delete(old: ResourceState): Promise<void> {
    return this.guard(old.urn, 'deleting', () => this.host.delete(old.urn, old.id, old.outputs, old.inputs));
  }

  /** The engine reports a failed provider call as the resource's error, with the provider's message. */
  private async guard<T>(urn: string, doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DeploymentError) throw error;
      const details = (error as { details?: string }).details ?? String(error);
      throw new DeploymentError(`error ${doing} ${name(urn)}: ${details}`, urn, error as Error);
    }
  }
}
