/** The process around `runSetup`: real stdout, stderr, environment and exit status; pulumi runs in the repository root. */
import path from 'node:path';
import { runSetup } from './main';

runSetup(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: path.resolve(__dirname, '..', '..'),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`setup: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
