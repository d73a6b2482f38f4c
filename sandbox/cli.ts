/**
 * `npm start`: runs the main scenario and exits 0 only if every step happened.
 * `npm start -- --serve`: keeps a sandbox running for a person, with its URLs, a control endpoint and curl
 * examples, its calls connected to the sample agent or (`--agent-url`) the team's own agent service; SIGINT or
 * SIGTERM stops it, restoring the number as `pulumi destroy` does. `--help` lists the options.
 */
import * as path from 'node:path';
import { API_PATHS, ROUTES } from '../lambdas/routes';
import { type AgentChoice, readCommandLine, USAGE } from './cli-options';
import { CONTROL_ROUTES, startControlServer, type ControlServer } from './control';
import { startSandbox, type Sandbox } from './index';
import { runMainScenario } from './scenario';
import { hangUpLiveCalls } from './shutdown';
import type { EmulatorEvent } from './twilio';

async function scenario(): Promise<number> {
  console.log('Voice AI conference sandbox: the main scenario on 127.0.0.1 (no Twilio or AWS account involved)\n');
  const result = await runMainScenario({ diagramDir: path.resolve('.sandbox') });
  console.log('');
  if (result.diagramFile)
    console.log(`Observed flow as a Mermaid sequence diagram: ${path.relative(process.cwd(), result.diagramFile)}`);
  if (result.ok) {
    console.log(`All ${result.steps.length} steps happened.`);
    return 0;
  }
  console.log(`FAILED: ${result.failure}`);
  return 1;
}

/** One line per event a person watching the calls cares about. */
function describeEvent(e: EmulatorEvent): string | undefined {
  switch (e.type) {
    case 'conference-join':
      return `${e.label ?? e.callSid} joined ${e.friendlyName}`;
    case 'conference-leave':
      return `${e.label ?? e.callSid} left ${e.friendlyName} (${e.reason})`;
    case 'participant-update':
      return `${e.label ?? e.callSid} hold=${e.hold} muted=${e.muted}`;
    case 'stream-started':
      return `agent ${e.kind} started for ${e.callSid} with ${JSON.stringify(e.customParameters)}`;
    case 'conference-end':
      return `${e.friendlyName} ended (${e.reason})`;
    case 'debugger-alert':
      return `Twilio debugger ${e.alert.level} ${e.alert.code}: ${e.alert.message}`;
    default:
      return undefined;
  }
}

/** `npm run setup` pointed at this sandbox's Twilio emulator (TWILIO_API_BASE_URL), as a clone would run it. */
function setupCommand(sandbox: Sandbox): string {
  return `${emulatorCredentials(sandbox)} npm run setup -- --stack dev --phone-number ${sandbox.phoneNumber} --print`;
}

/** The environment that points a command at this sandbox's Twilio emulator, with its own credentials. */
function emulatorCredentials({ twilio }: Sandbox): string {
  return `TWILIO_API_BASE_URL=${twilio.baseUrl} TWILIO_ACCOUNT_SID=${twilio.accountSid} TWILIO_AUTH_TOKEN=${twilio.authToken}`;
}

/**
 * `npm run verify` against this sandbox, as a deployed stack is checked: the emulator's credentials and base URL, the
 * participants API token, and the values `pulumi stack output` would give.
 */
function verifyCommand(sandbox: Sandbox): string {
  return `${emulatorCredentials(sandbox)} PARTICIPANTS_API_TOKEN=${sandbox.apiToken} npm run verify -- --stack sandbox --phone-number ${sandbox.phoneNumber} --api-base-url ${sandbox.apiBaseUrl} --twiml-app-sid ${sandbox.twimlAppSid} --hold 1`;
}

/** Where calls' agent legs connect, and who answers there. */
function agentLine(sandbox: Sandbox, agent: AgentChoice): string {
  return agent.url !== undefined
    ? `${agent.url} (${agent.mode}: your agent service)`
    : `${sandbox.agent?.url ?? '(none)'} (${agent.mode}: the sample agent; --agent-url for yours)`;
}

function banner(sandbox: Sandbox, control: ControlServer, agent: AgentChoice): string {
  const participants = sandbox.apiBaseUrl + API_PATHS.participants;
  const otherApiPaths = [
    ...new Set(ROUTES.filter((r) => r.auth === 'bearer-token' && r.path !== API_PATHS.participants).map((r) => r.path)),
  ];
  const conferenceUrl = `${sandbox.apiBaseUrl}/conferences/<conference>`;
  const auth = `-H 'Authorization: Bearer ${sandbox.apiToken}' -H 'Content-Type: application/json'`;
  const controlLines = Object.values(CONTROL_ROUTES)
    .map((r) => `    ${`${r.method} ${control.url}${r.path}`.padEnd(62)} ${r.what}`)
    .join('\n');
  return `Sandbox running. Ctrl-C stops it (and restores the number, as pulumi destroy does).

  API base URL        ${sandbox.apiBaseUrl}
  Inbound webhook     ${sandbox.webhookUrls.inbound}
  Agent webhook       ${sandbox.webhookUrls.agent}
  Agent fallback      ${sandbox.webhookUrls.agentFallback}
  Conference events   ${sandbox.webhookUrls.events}
  Participants API    ${participants} (and ${otherApiPaths.join(', ')})
  Participants token  ${sandbox.apiToken}
  Twilio emulator     ${sandbox.twilio.baseUrl} (Account ${sandbox.twilio.accountSid})
  Agent               ${agentLine(sandbox, agent)}
  Phone number        ${sandbox.phoneNumber} (TwiML App ${sandbox.twimlAppSid})
  Control endpoint    ${control.url}
${controlLines}

Place an inbound call (prints the conference name):
  curl -sS -X POST '${control.url}/calls?from=%2B15557654321'

See who is in that conference:
  curl -sS '${control.url}/conferences/<conference>'

Add another AI agent with context to it (labelled ai-agent-2, beside the agent the stack added):
  curl -sS -X POST '${participants.replace('{conference}', '<conference>')}' \\
    ${auth} \\
    -d '{"context": {"customerId": "42", "language": "en-US"}}'

Warm transfer to a human, then complete it (or call it off: .../transfers/cancel):
  curl -sS -X POST '${conferenceUrl}/transfers' ${auth} -d '{"type": "warm", "target": "+15550002222"}'
  curl -sS -X POST '${conferenceUrl}/transfers/complete' ${auth} -d '{}'

A supervisor listens in, whispers to the agent, then barges in (see whom each hears on the control endpoint):
  curl -sS -X POST '${conferenceUrl}/supervisors' ${auth} -d '{"target": "client:lead"}'
  curl -sS -X PATCH '${conferenceUrl}/supervisors/supervisor' ${auth} -d '{"mode": "whisper", "coach": "agent"}'
  curl -sS -X PATCH '${conferenceUrl}/supervisors/supervisor' ${auth} -d '{"mode": "barge"}'

Check the number and print a stack's config with the setup command (the emulator's own credentials):
  ${setupCommand(sandbox)}

Place a test call as on a deployed stack (the acceptance call; it hangs up everything it dialled):
  ${verifyCommand(sandbox)}
`;
}

async function serve(options: {
  apiPort: number;
  controlPort: number;
  quiet: boolean;
  agent: AgentChoice;
}): Promise<void> {
  const sandbox = await startSandbox({
    quiet: options.quiet,
    apiPort: options.apiPort,
    agentStreamUrl: options.agent.url,
    agentMode: options.agent.mode,
    // A person's sandbox runs on Twilio's own clock (the tests' default runs Twilio's seconds in milliseconds): hold
    // music, <Pause>, ring time-outs and the acceptance call's TimeLimit last as long as they would on Twilio.
    twilio: { timeScale: 1 },
  });
  const control = await startControlServer(sandbox, options.controlPort).catch(async (error: unknown) => {
    await sandbox.stop();
    throw error;
  });
  sandbox.twilio.on('event', (e) => {
    const line = describeEvent(e);
    if (line) console.log(`${new Date().toISOString().slice(11, 23)}  ${line}`);
  });
  console.log(banner(sandbox, control, options.agent));

  // npm forwards SIGINT/SIGTERM; a terminal's Ctrl-C may deliver SIGINT twice (directly and through npm).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    (async () => {
      console.log(`\n${signal}: stopping the sandbox…`);
      const number = sandbox.twilio.addIncomingNumber(sandbox.phoneNumber);
      await control.close();
      const callers = await hangUpLiveCalls(sandbox);
      await sandbox.stop();
      if (number.voiceUrl !== sandbox.previousVoiceUrl) {
        console.log(`FAILED to restore ${sandbox.phoneNumber}: its voice URL is ${number.voiceUrl}`);
        process.exit(1);
      }
      console.log(
        `Stopped. Callers hung up: ${callers}; ${sandbox.phoneNumber} voice URL restored to ${sandbox.previousVoiceUrl}; TwiML App ${sandbox.twimlAppSid} deleted; every server closed.`,
      );
      process.exit(0);
    })().catch(fail);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const commandLine = readCommandLine(process.argv.slice(2), process.env);
const fail = (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
};
switch (commandLine.command) {
  case 'help':
    process.stdout.write(USAGE);
    break;
  case 'invalid':
    process.stderr.write(`${commandLine.problem}\n\n${USAGE}`);
    process.exitCode = 2;
    break;
  case 'serve':
    serve(commandLine).catch(fail);
    break;
  case 'scenario':
    scenario().then((code) => process.exit(code), fail);
    break;
}
