/**
 * `npm run setup`: checks a clone's Twilio account and phone number, says what adopting the number changes, and
 * sets the stack's config. Order: arguments and environment, the Pulumi CLI (unless --print), Twilio, the stack;
 * only when all of them passed is anything written. Exit status: 0 done, 1 a check or pulumi failed, 2 bad input.
 */
import type { Env } from '../../lambdas/shared/config';
import { readSetupCommand, USAGE } from './input';
import { configPlan, describeAdoption, pulumiArgs, shellCommand, stackListed } from './plan';
import { findOnPath, firstLine, runPulumi } from './pulumi-cli';
import { checkTwilio } from './twilio-check';

/** Where setup writes and runs. */
export interface SetupIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The project directory (Pulumi.yaml): where pulumi runs. */
  readonly cwd: string;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs setup; resolves with the exit status. */
export async function runSetup(args: readonly string[], env: Env, io: SetupIo): Promise<number> {
  const fail = (problem: string, status: number = EXIT.failed) => {
    io.stderr(`setup: ${problem}\n`);
    return status;
  };
  const command = readSetupCommand(args, env);
  if (command.kind === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (command.kind === 'invalid') return fail(`${command.problem}; nothing was written`, EXIT.usage);
  const { input } = command;

  const pulumi = input.printOnly ? undefined : findOnPath('pulumi', env);
  if (!input.printOnly && pulumi === undefined)
    return fail(
      'no pulumi on PATH: install the Pulumi CLI (https://www.pulumi.com/docs/install/), or pass --print to only print the commands; nothing was written',
    );

  const twilio = await checkTwilio(input);
  if (!twilio.ok) return fail(`${twilio.problem}; nothing was written`);

  if (pulumi !== undefined) {
    const listed = await runPulumi(pulumi, ['stack', 'ls', '--json'], { cwd: io.cwd, env });
    if (listed.code !== 0) return fail(`pulumi stack ls failed: ${firstLine(listed)}; nothing was written`);
    let stacks: unknown;
    try {
      stacks = JSON.parse(listed.stdout);
    } catch {
      return fail('pulumi stack ls --json did not answer with a list of stacks; nothing was written');
    }
    if (!stackListed(stacks, input.stack))
      return fail(
        `stack ${input.stack} does not exist in this project: create it with pulumi stack init ${input.stack}, then run setup again; nothing was written`,
      );
  }

  const plan = configPlan({ ...input, phoneNumber: twilio.number.phoneNumber });
  const base = input.authToken.baseUrl ? ` at ${input.authToken.baseUrl} (TWILIO_API_BASE_URL)` : '';
  const key = input.apiKey ? ` and the API key ${input.apiKey.username}` : '';
  const { number } = twilio;
  io.stdout(
    [
      `Twilio${base} accepted the Auth Token${key} of ${input.authToken.accountSid}.`,
      `${number.phoneNumber} (${number.sid}, "${number.friendlyName}") is a voice-capable number of the account.`,
      ...describeAdoption(number, input.stack, twilio.app),
      '',
      `Stack config (secrets with --secret, from the environment on stdin; run from the repository root):`,
      ...plan.map((entry) => `  ${shellCommand(entry, input.stack)}`),
      '',
    ].join('\n'),
  );
  if (pulumi === undefined) {
    io.stdout(
      `--print: nothing was written. Run the commands above (pulumi stack init ${input.stack} first if the stack is new), then pulumi preview --stack ${input.stack} --policy-pack policy.\n`,
    );
    return EXIT.ok;
  }

  io.stdout(`Setting the config of stack ${input.stack}:\n`);
  const written: string[] = [];
  for (const entry of plan) {
    // Trimmed as the credentials reader trims it: the value Twilio just accepted is the value written.
    const stdin = entry.secret ? env[entry.fromEnv]?.trim() : undefined;
    const result = await runPulumi(pulumi, pulumiArgs(entry, input.stack), { cwd: io.cwd, env, stdin });
    if (result.code !== 0) {
      const before = written.length > 0 ? `already set: ${written.join(', ')}` : 'nothing was written';
      return fail(`pulumi config set ${entry.key} --stack ${input.stack} failed: ${firstLine(result)}; ${before}`);
    }
    written.push(entry.key);
    io.stdout(`  set ${entry.key}${entry.secret ? ' (secret)' : ''}\n`);
  }
  io.stdout(
    `Stack ${input.stack} configured (${written.length} keys). Next: pulumi preview --stack ${input.stack} --policy-pack policy, then pulumi up --stack ${input.stack}.\n`,
  );
  return EXIT.ok;
}
