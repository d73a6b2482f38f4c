/**
 * The repository and environment settings the GitHub workflows read: each `vars.NAME` and `secrets.NAME` in their
 * expressions. docs/deploy.md's settings table is checked against this list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

/** A GitHub Actions variable or secret, by the name workflows read it with. */
export interface Setting {
  readonly name: string;
  readonly kind: 'variable' | 'secret';
}

const WORKFLOWS = path.resolve(__dirname, '..', '..', '.github', 'workflows');
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
const READ = /\b(vars|secrets)(?:\.([A-Za-z_][A-Za-z0-9_]*)|\s*\[\s*'([^']+)'\s*\])/g;
// Given to every run by GitHub, not set by anyone.
const AUTOMATIC = new Set(['secrets:GITHUB_TOKEN']);

function expressions(node: unknown, key: string | undefined, found: string[]): void {
  if (typeof node === 'string') {
    // `if:` is an expression without the `${{ }}`; elsewhere only what is inside `${{ }}` is evaluated.
    if (key === 'if') found.push(node);
    for (const m of node.matchAll(EXPRESSION)) found.push(m[1]);
  } else if (Array.isArray(node)) {
    for (const item of node) expressions(item, undefined, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) expressions(v, k, found);
  }
}

/** The settings the workflow texts read (YAML; comments do not count), sorted by kind and name. Pure. */
export function settingsRead(workflows: readonly string[]): Setting[] {
  const found = new Map<string, Setting>();
  for (const text of workflows) {
    const texts: string[] = [];
    expressions(YAML.parse(text), undefined, texts);
    for (const expression of texts) {
      for (const m of expression.matchAll(READ)) {
        const setting: Setting = { name: m[2] ?? m[3], kind: m[1] === 'vars' ? 'variable' : 'secret' };
        const id = `${m[1]}:${setting.name}`;
        if (!AUTOMATIC.has(id)) found.set(id, setting);
      }
    }
  }
  return [...found.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** The settings the repository's workflows (.github/workflows/*.yml) read. */
export function workflowSettings(): Setting[] {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
  return settingsRead(files.map((f) => readFileSync(path.join(WORKFLOWS, f), 'utf8')));
}
