/**
 * A dry run of a workflow's job graph: which jobs run, over which matrix legs, under which environment and
 * concurrency group, given what each job's steps output and which legs fail. Job `if`s, matrices and names are
 * evaluated with GitHub's own expression evaluator (@actions/expressions, the package @actions/workflow-parser
 * uses), so a guard that skips too much or a matrix over an empty list shows here as it would in a real run.
 * ESM underneath: load it with loadBundle() of scripts/load-workflow-linter.cjs.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';

/** A job's conclusion. A matrix over an empty list is a failure, as on GitHub. */
export type Result = 'success' | 'failure' | 'skipped';

/** The parts of a job (as parsed from the workflow's YAML) that decide whether and how it runs. */
export interface Job {
  readonly needs?: string | string[];
  readonly if?: string | boolean;
  readonly strategy?: { readonly matrix?: Record<string, unknown> };
  readonly environment?: string | { readonly name: string; readonly deployment?: boolean };
  readonly concurrency?: string | { readonly group: string; readonly 'cancel-in-progress'?: boolean };
  readonly outputs?: Record<string, string>;
  readonly steps?: readonly {
    readonly id?: string;
    readonly if?: string | boolean;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, unknown>;
  }[];
}

/** One matrix leg of a job that ran, with its evaluated settings. */
export interface Leg {
  readonly matrix: Record<string, unknown>;
  readonly environment?: { readonly name: string; readonly deployment: boolean };
  readonly concurrency?: { readonly group: string; readonly cancelInProgress: boolean };
  /** Each step's `with` inputs, evaluated (the secrets, env and steps contexts empty). */
  readonly inputs: Record<string, string>[];
  /** Each step's `env`, evaluated the same way (a secret reads as ''). */
  readonly envs: Record<string, string>[];
  /** Whether each step runs, by its `if` (every step before it having succeeded). */
  readonly runs: boolean[];
}

/** What became of a job. */
export interface JobRun {
  readonly result: Result;
  readonly legs: Leg[];
}

/** The run's inputs. */
export interface RunInput {
  readonly github: Record<string, unknown>;
  readonly vars?: Record<string, string>;
  /** What each job's steps wrote to $GITHUB_OUTPUT, by job and step id. */
  readonly stepOutputs?: Record<string, Record<string, Record<string, string>>>;
  /** Whether a leg fails (default: none does). */
  readonly fails?: (job: string, matrix: Record<string, unknown>) => boolean;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

function evaluate(expression: string, contexts: Record<string, unknown>, needs: Result[]): data.ExpressionData {
  const status: Record<string, boolean> = {
    success: needs.every((r) => r === 'success'),
    failure: needs.some((r) => r === 'failure'),
    cancelled: false,
    always: true,
  };
  const functions = new Map(
    STATUS_FUNCTIONS.map((name) => [
      name,
      { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status[name]) },
    ]),
  );
  const parsed = new Parser(new Lexer(expression).lex().tokens, Object.keys(contexts), [...functions.values()]).parse();
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(parsed, context, functions).evaluate();
}

const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g;

/** A workflow value with `${{ }}` in it: the expression's own value when it is the whole string, else text. */
function interpolate(value: string, contexts: Record<string, unknown>, needs: Result[]): unknown {
  const whole = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(value);
  if (whole && !whole[1].includes('}}'))
    return JSON.parse(JSON.stringify(evaluate(whole[1], contexts, needs), data.replacer));
  return value.replace(TEMPLATE, (_, expression: string) => evaluate(expression, contexts, needs).coerceString());
}

function condition(job: { readonly if?: string | boolean }): string {
  if (job.if === undefined) return 'success()';
  const text = String(job.if).replace(/^\s*\$\{\{([\s\S]*)\}\}\s*$/, '$1');
  // GitHub adds `success() &&` to an `if` that calls no status function.
  return STATUS_FUNCTIONS.some((f) => new RegExp(`\\b${f}\\s*\\(`).test(text)) ? text : `success() && (${text})`;
}

function legsOf(matrix: Record<string, unknown> | undefined, evaluateValue: (v: unknown) => unknown) {
  let legs: Record<string, unknown>[] = [{}];
  for (const [key, raw] of Object.entries(matrix ?? {})) {
    const values = evaluateValue(raw);
    if (!Array.isArray(values)) throw new Error(`matrix ${key} is not a list: ${JSON.stringify(values)}`);
    legs = legs.flatMap((leg) => values.map((v) => ({ ...leg, [key]: v })));
  }
  return legs;
}

/** Runs the job graph of `jobs` (a parsed workflow's `jobs`) in dependency order. */
export function dryRun(jobs: Record<string, Job>, input: RunInput): Record<string, JobRun> {
  const runs: Record<string, JobRun> = {};
  const outputs: Record<string, Record<string, string>> = {};
  const pending = Object.keys(jobs);
  while (pending.length > 0) {
    const index = pending.findIndex((name) => [jobs[name].needs ?? []].flat().every((n) => n in runs));
    if (index === -1) throw new Error(`jobs wait on each other or on a missing job: ${pending.join(', ')}`);
    const [name] = pending.splice(index, 1);
    const job = jobs[name];
    const needNames = [jobs[name].needs ?? []].flat();
    const needResults = needNames.map((n) => runs[n].result);
    const base = {
      github: input.github,
      vars: input.vars ?? {},
      // Contexts a step input may name; this run gives them no values.
      secrets: {},
      env: {},
      runner: {},
      job: {},
      steps: {},
      needs: Object.fromEntries(needNames.map((n) => [n, { result: runs[n].result, outputs: outputs[n] ?? {} }])),
    };
    if (evaluate(condition(job), base, needResults).coerceString() !== 'true') {
      runs[name] = { result: 'skipped', legs: [] };
      continue;
    }
    const matrices = legsOf(job.strategy?.matrix, (v) =>
      typeof v === 'string' ? interpolate(v, base, needResults) : v,
    );
    const legs = matrices.map((matrix): Leg => {
      const contexts = { ...base, matrix };
      const text = (v: unknown) => String(interpolate(String(v), contexts, needResults));
      const env = job.environment;
      const concurrency = job.concurrency;
      return {
        matrix,
        environment:
          env === undefined
            ? undefined
            : typeof env === 'string'
              ? { name: text(env), deployment: true }
              : { name: text(env.name), deployment: env.deployment ?? true },
        concurrency:
          concurrency === undefined
            ? undefined
            : typeof concurrency === 'string'
              ? { group: text(concurrency), cancelInProgress: false }
              : { group: text(concurrency.group), cancelInProgress: concurrency['cancel-in-progress'] ?? false },
        inputs: (job.steps ?? []).map((step) =>
          Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, text(v)])),
        ),
        envs: (job.steps ?? []).map((step) =>
          Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, text(v)])),
        ),
        // A step's status functions look at the steps before it, which all succeeded in a leg that gets this far.
        runs: (job.steps ?? []).map((step) => evaluate(condition(step), contexts, []).coerceString() === 'true'),
      };
    });
    const failed = legs.length === 0 || legs.some((leg) => input.fails?.(name, leg.matrix));
    runs[name] = { result: failed ? 'failure' : 'success', legs };
    if (!failed) {
      const steps = Object.fromEntries(
        Object.entries(input.stepOutputs?.[name] ?? {}).map(([id, out]) => [id, { outputs: out }]),
      );
      outputs[name] = Object.fromEntries(
        Object.entries(job.outputs ?? {}).map(([k, v]) => [k, String(interpolate(v, { ...base, steps }, needResults))]),
      );
    }
  }
  return runs;
}
