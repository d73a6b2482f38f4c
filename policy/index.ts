/**
 * The stack's policy pack: `pulumi preview --policy-pack policy` (CI runs it on every pull request). The rules
 * themselves are plain functions in rules.ts, unit-tested against the stack captured under mocks.
 */
import {
  PolicyPack,
  type ReportViolation,
  type ResourceValidationArgs,
  type StackValidationArgs,
} from '@pulumi/policy';
import { RESOURCE_RULES, STACK_RULES, type PolicyResource } from './rules';

function toResource(args: { type: string; name: string; props: Record<string, unknown> }): PolicyResource {
  return { type: args.type, name: args.name, props: args.props };
}

new PolicyPack('voice-ai-conference-policies', {
  enforcementLevel: 'mandatory',
  policies: [
    ...RESOURCE_RULES.map((rule) => ({
      name: rule.name,
      description: rule.description,
      validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (rule.appliesTo.includes(args.type)) {
          for (const message of rule.check(toResource(args))) report(message);
        }
      },
    })),
    ...STACK_RULES.map((rule) => ({
      name: rule.name,
      description: rule.description,
      validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        for (const message of rule.check(args.resources.map(toResource))) report(message);
      },
    })),
  ],
});
