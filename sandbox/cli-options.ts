/** The `npm start` command line: options, environment fallbacks and the usage text. Pure. */
import { parseArgs } from 'node:util';
import { AGENT_MODES, ConfigError, ENV, readAgentTwimlConfig, type AgentMode } from '../lambdas/shared/config';
import { CONTROL_ROUTES } from './control';

/** How the agent leg reaches an agent: `<Connect><Stream>` or `<Connect><ConversationRelay>` (`play` has none). */
export type SandboxAgentMode = Exclude<AgentMode, 'play'>;
const SANDBOX_AGENT_MODES = AGENT_MODES.filter((m): m is SandboxAgentMode => m !== 'play');

/** Which agent the served sandbox connects calls to: the sample agent (no `url`) or the team's own service. */
export interface AgentChoice {
  readonly mode: SandboxAgentMode;
  /** The agent service's WebSocket URL; absent: the sandbox starts its sample agent. */
  readonly url?: string;
}

/** What the command line asks for. */
export type CliCommand =
  | { readonly command: 'help' }
  | { readonly command: 'scenario' }
  | {
      readonly command: 'serve';
      readonly apiPort: number;
      readonly controlPort: number;
      readonly quiet: boolean;
      readonly agent: AgentChoice;
    }
  | { readonly command: 'invalid'; readonly problem: string };

/** The environment variables that give a port when its flag is absent. */
export const PORT_ENV = { apiPort: 'SANDBOX_API_PORT', controlPort: 'SANDBOX_CONTROL_PORT' } as const;
/** The environment variables that give the agent when its flags are absent. */
export const AGENT_ENV = { url: 'SANDBOX_AGENT_URL', mode: 'SANDBOX_AGENT_MODE' } as const;

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
  --agent-url <url>      with --serve: connect calls to your agent service at this wss:// URL (ws:// for
                         127.0.0.1 or localhost) instead of the sample agent (env ${AGENT_ENV.url})
  --agent-mode <mode>    with --serve: stream (<Connect><Stream>, default) or conversation-relay
                         (env ${AGENT_ENV.mode}); the sample agent speaks both
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

/**
 * The agent asked for; its URL checked by the agent handler's own config reader (what `agentStreamUrl` must be on a
 * stack), so the sandbox refuses what the agent function would.
 */
function agentChoice(url: string | undefined, requestedMode: string | undefined): AgentChoice | string {
  const chosenMode = requestedMode === undefined || requestedMode === '' ? 'stream' : requestedMode;
  const mode = SANDBOX_AGENT_MODES.find((m) => m === chosenMode);
  if (mode === undefined) return `--agent-mode must be ${SANDBOX_AGENT_MODES.join(' or ')}, got "${chosenMode}"`;
  if (url === undefined || url === '') return { mode };
  try {
    readAgentTwimlConfig({ [ENV.agentMode]: mode, [ENV.agentStreamUrl]: url });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return `--agent-url ${error.message.replace(/^Configuration \S+: /, '')}, got "${url}"`;
  }
  return { mode, url };
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
        'agent-url': { type: 'string' },
        'agent-mode': { type: 'string' },
      },
    }));
  } catch (error) {
    return { command: 'invalid', problem: (error as Error).message };
  }
  if (values.help) return { command: 'help' };
  const servingFlags = ['api-port', 'control-port', 'agent-url', 'agent-mode'].filter((f) => values[f] !== undefined);
  if (!values.serve) {
    // The main scenario checks the stack with its sample agent: it takes none of the serving options.
    const servingOnly = [...servingFlags, ...(values.quiet ? ['quiet'] : [])];
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
  const agent = agentChoice(
    (values['agent-url'] as string | undefined) ?? env[AGENT_ENV.url],
    (values['agent-mode'] as string | undefined) ?? env[AGENT_ENV.mode],
  );
  if (typeof agent === 'string') return { command: 'invalid', problem: agent };
  return { command: 'serve', apiPort, controlPort, quiet: values.quiet === true, agent };
}
