/** Reads what the stack-file checks look at: the repository's project and stack files, the providers' config keys. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { stackOfFileName } from '../../../infra/stack-files';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The parsed Pulumi.yaml. */
export function projectFile(root = REPO_ROOT): Record<string, unknown> & {
  name: string;
  main: string;
  config: Record<string, unknown>;
} {
  return YAML.parse(readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8'));
}

/** Every `Pulumi.<stack>.yaml` (or .yml) beside Pulumi.yaml, whatever the team has: none, one or many. */
export function stackFiles(root = REPO_ROOT): { fileName: string; stack: string; text: string }[] {
  return readdirSync(root)
    .filter((fileName) => stackOfFileName(fileName) !== undefined)
    .sort()
    .map((fileName) => ({
      fileName,
      stack: stackOfFileName(fileName)!,
      text: readFileSync(path.join(root, fileName), 'utf8'),
    }));
}

/** The config keys the installed @pulumi/aws reads (its generated config/vars module declares one const each). */
export function awsProviderKeys(): string[] {
  const declarations = readFileSync(require.resolve('@pulumi/aws/config/vars.d.ts'), 'utf8');
  return [...declarations.matchAll(/^export declare const (\w+)\b/gm)].map((match) => match[1]);
}
