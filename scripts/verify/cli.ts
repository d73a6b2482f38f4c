/**
 * `npm run verify -- --stack <name>`: the acceptance call against a deployed stack (lambdas/acceptance). Reads the
 * stack's outputs and Twilio credentials (Pulumi CLI, else flags and environment), prints the plan and its cost,
 * dials, prints each step and the hop table (also as Markdown with --summary), and exits 0 only if every step
 * passed. Ctrl-C, SIGTERM and its own time-out hang up every leg the run created before it exits.
 */
import { appendFileSync } from 'node:fs';
import { estimateCost, runBudgetSeconds } from '../../lambdas/acceptance/plan';
import { participantsApi } from '../../lambdas/acceptance/participants-api';
import { systemClock } from '../../lambdas/acceptance/records';
import {
  describePlan,
  describeStep,
  hopTable,
  notRunMarkdown,
  summaryMarkdown,
  verdict,
} from '../../lambdas/acceptance/report';
import { runAcceptanceCall } from '../../lambdas/acceptance/run';
import { twilioRecords } from '../../lambdas/acceptance/twilio-records';
import {
  readStackCredentialConfig,
  readStackOutputs,
  readVerifyCommandLine,
  resolvePlan,
  type StackCredentialConfig,
  type StackOutputs,
  USAGE,
} from './options';
import { readPulumiConfig, readPulumiOutputs } from './pulumi';

/** Appends to the --summary file; a summary that cannot be written is said, and changes no exit code. */
function appendSummary(file: string | undefined, markdown: string): void {
  if (file === undefined) return;
  try {
    appendFileSync(file, markdown);
  } catch (error) {
    process.stderr.write(`Could not append the summary to ${file}: ${(error as Error).message}\n`);
  }
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

async function main(): Promise<number> {
  const commandLine = readVerifyCommandLine(process.argv.slice(2));
  if (commandLine.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (commandLine.command === 'invalid') {
    process.stderr.write(`${commandLine.problem}\n\n${USAGE}`);
    return 2;
  }
  const { flags } = commandLine;

  let outputs: StackOutputs = {};
  const pulumi = await readPulumiOutputs(flags.stack, process.cwd(), process.env);
  if (pulumi.kind === 'json') outputs = readStackOutputs(pulumi.json);
  else if (pulumi.kind === 'no-cli')
    console.log('The Pulumi CLI is not on PATH: the stack’s values come from flags and environment variables.');
  else console.log(`${pulumi.problem}\nThe stack’s values come from flags and environment variables.`);

  // The credentials the stack deploys with (its config), unless the environment names an account: then only
  // the environment's are used, and the stack's secrets are not decrypted at all.
  let config: StackCredentialConfig | undefined;
  if (pulumi.kind === 'json' && !process.env.TWILIO_ACCOUNT_SID?.trim()) {
    const read = await readPulumiConfig(flags.stack, process.cwd(), process.env);
    if (read.kind === 'json') config = readStackCredentialConfig(read.json);
    else if (read.kind === 'failed')
      console.log(`${read.problem}\nThe Twilio credentials come from environment variables.`);
  }

  const resolved = resolvePlan(flags, process.env, outputs, config);
  if ('problems' in resolved) {
    process.stderr.write(`Cannot run the acceptance call:\n${resolved.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    appendSummary(flags.summary, notRunMarkdown(flags.stack, resolved.problems));
    return 2;
  }
  const { plan } = resolved;
  console.log(describePlan(plan.target, plan.times, estimateCost(plan.target.agentMode, plan.times)));
  if (plan.twilio.baseUrl) console.log(`  Twilio API    ${plan.twilio.baseUrl} (TWILIO_API_BASE_URL: not Twilio)`);
  if (plan.dryRun) {
    console.log('\n--dry-run: nothing dialled.');
    return 0;
  }
  console.log('');

  // Every way out hangs up first: the run's finally does it once the abort reaches it.
  const controller = new AbortController();
  let interrupted: keyof typeof SIGNAL_EXIT | undefined;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    if (interrupted) {
      console.log(
        `${signal} again: exiting now; Twilio ends the test call within its TimeLimit (${plan.times.timeLimitSeconds} s).`,
      );
      process.exit(SIGNAL_EXIT[signal]);
    }
    interrupted = signal;
    console.log(`${signal}: hanging up the test call… (${signal} again exits at once)`);
    controller.abort(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const budgetMs = runBudgetSeconds(plan.times) * 1000;
  const watchdog = setTimeout(() => controller.abort(`the command's own time-out (${budgetMs / 1000} s)`), budgetMs);

  const result = await runAcceptanceCall(
    plan.target,
    {
      twilio: twilioRecords(plan.twilio),
      api: participantsApi(plan.target.apiBaseUrl, plan.participantsApiToken),
      clock: systemClock,
      progress: (step) => console.log(describeStep(step)),
    },
    plan.times,
    controller.signal,
  );
  clearTimeout(watchdog);
  const table = hopTable(result);
  if (table) console.log(`\n${table}`);
  console.log(`\n${verdict(result)}`);
  appendSummary(flags.summary, summaryMarkdown(plan.target.stack, result));
  if (interrupted) return SIGNAL_EXIT[interrupted];
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
