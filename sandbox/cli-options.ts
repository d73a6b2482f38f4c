/** The `npm start` command line: options, environment fallbacks and the usage text. Pure. */
import { parseArgs } from 'node:util';
import { CONTROL_ROUTES } from './control';

/** What the command line asks for. */
export type CliCommand =
  | { readonly command: 'help' }
  | { readonly command: 'scenario' }
  | { readonly command: 'serve'; readonly apiPort: number; readonly controlPort: number; readonly quiet: boolean }
  | { readonly command: 'invalid'; readonly problem: string };

/** The environment variables that give a port when its flag is absent. */
export const PORT_ENV = { apiPort: 'SANDBOX_API_PORT', controlPort: 'SANDBOX_CONTROL_PORT' } as const;

/** The usage text of `npm start`. */
export const USAGE = `Usage: npm start -- [options]

Runs the Voice AI conference sandbox on 127.0.0.1 (no Twilio or AWS account involved).

  (no option)            run the main scenario once: exit 0 only if every step happened; writes the
                         observed flow to .sandbox/call-flow.mmd (a Mermaid sequence diagram)
  --serve                keep a sandbox running for manual calls; prints its URLs, the participants API
                         token and curl examples; Ctrl-C (or SIGTERM) stops it and restores the number
  --api-port <port>      with --serve: the API Gateway emulator's port (env ${PORT_ENV.apiPort}; default: a free one)
  --control-port <port>  with --serve: the control endpoint's port (env ${PORT_ENV.controlPort}; default: a free one)
  --quiet                with --serve: no function log lines
  -h, --help             print this text

Control endpoint (with --serve):
${Object.values(CONTROL_ROUTES)
  .map((r) => `  ${`${r.method} ${r.path}`.padEnd(33)}${r.what}`)
  .join('\n')}
`;

function port(flag: string, value: string | undefined): number | string {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : `${flag} must be a port number (1-65535), got "${value}"`;
}

/** Reads the command line (`args` without node and script) and the environment. */
export function readCommandLine(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        serve: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'api-port': { type: 'string' },
        'control-port': { type: 'string' },
      },
    }));
  } catch (error) {
    return { command: 'invalid', problem: (error as Error).message };
  }
  if (values.help) return { command: 'help' };
  const ports = ['api-port', 'control-port'].filter((f) => values[f] !== undefined);
  if (!values.serve) {
    const servingOnly = [...ports, ...(values.quiet ? ['quiet'] : [])];
    return servingOnly.length > 0
      ? { command: 'invalid', problem: `--${servingOnly[0]} applies only with --serve` }
      : { command: 'scenario' };
  }
  const apiPort = port('--api-port', (values['api-port'] as string | undefined) ?? env[PORT_ENV.apiPort]);
  const controlPort = port(
    '--control-port',
    (values['control-port'] as string | undefined) ?? env[PORT_ENV.controlPort],
  );
  if (typeof apiPort === 'string') return { command: 'invalid', problem: apiPort };
  if (typeof controlPort === 'string') return { command: 'invalid', problem: controlPort };
  if (apiPort !== 0 && apiPort === controlPort)
    return { command: 'invalid', problem: 'the API and control ports must differ' };
  return { command: 'serve', apiPort, controlPort, quiet: values.quiet === true };
}
