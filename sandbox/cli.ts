/**
 * `npm start`: runs the main scenario and exits 0 only if every step happened.
 * `npm start -- --serve`: keeps a sandbox running for manual use, with its URLs and curl examples.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { API_PATHS } from '../lambdas/routes';
import { startSandbox } from './index';
import { runMainScenario } from './scenario';

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

async function serve(): Promise<void> {
  const sandbox = await startSandbox({ quiet: process.argv.includes('--quiet') });
  // What happens on the calls, as it happens.
  sandbox.twilio.on('event', (e) => {
    const time = new Date().toISOString().slice(11, 23);
    if (e.type === 'conference-join') console.log(`${time}  ${e.label ?? e.callSid} joined ${e.friendlyName}`);
    else if (e.type === 'conference-leave')
      console.log(`${time}  ${e.label ?? e.callSid} left ${e.friendlyName} (${e.reason})`);
    else if (e.type === 'participant-update')
      console.log(`${time}  ${e.label ?? e.callSid} hold=${e.hold} muted=${e.muted}`);
    else if (e.type === 'stream-started')
      console.log(`${time}  agent ${e.kind} started for ${e.callSid} with ${JSON.stringify(e.customParameters)}`);
    else if (e.type === 'conference-end') console.log(`${time}  ${e.friendlyName} ended (${e.reason})`);
    else if (e.type === 'debugger-alert')
      console.log(`${time}  Twilio debugger ${e.alert.level} ${e.alert.code}: ${e.alert.message}`);
  });
  // A control endpoint so a person can place calls: the emulator is the phone network.
  const control = http.createServer((req, res) => {
    const from = new URL(req.url ?? '/', 'http://x').searchParams.get('from') ?? '+15557654321';
    if (req.method !== 'POST') return void res.writeHead(405).end();
    sandbox.placeInboundCall({ from }).then(
      ({ callSid }) =>
        res
          .writeHead(201, { 'content-type': 'application/json' })
          .end(`${JSON.stringify({ callSid, conference: `conf-${callSid}` })}\n`),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  const participants = sandbox.apiBaseUrl + API_PATHS.participants;
  console.log(`Sandbox running. Ctrl-C stops it (and restores the number, as pulumi destroy does).

  API base URL        ${sandbox.apiBaseUrl}
  Inbound webhook     ${sandbox.webhookUrls.inbound}
  Agent webhook       ${sandbox.webhookUrls.agent}
  Conference events   ${sandbox.webhookUrls.events}
  Participants API    ${participants}
  Twilio emulator     ${sandbox.twilio.baseUrl} (Account ${sandbox.twilio.accountSid})
  Sample agent        ${sandbox.agent?.url}
  Phone number        ${sandbox.phoneNumber} (TwiML App ${sandbox.twimlAppSid})

Place an inbound call (prints the conference name):
  curl -sS -X POST '${controlUrl}/calls?from=%2B15557654321'

Add another AI agent with context to that conference:
  curl -sS -X POST '${participants.replace('{conference}', '<conference>')}' \\
    -H 'Authorization: Bearer ${sandbox.apiToken}' -H 'Content-Type: application/json' \\
    -d '{"label": "ai-agent-2", "context": {"customerId": "42", "language": "en-US"}}'

Warm transfer to a human, then complete it:
  curl -sS -X POST '${sandbox.apiBaseUrl}/conferences/<conference>/transfers' -H 'Authorization: Bearer ${sandbox.apiToken}' -H 'Content-Type: application/json' -d '{"type": "warm", "target": "+15550002222"}'
  curl -sS -X POST '${sandbox.apiBaseUrl}/conferences/<conference>/transfers/complete' -H 'Authorization: Bearer ${sandbox.apiToken}' -H 'Content-Type: application/json' -d '{}'
`);
  const stop = () => {
    control.close();
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv.includes('--serve')) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  scenario().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
