/**
 * What every builder gets from the component: the settings, the naming rule, the parent and the tags.
 */
import type * as pulumi from '@pulumi/pulumi';
import { physicalName } from './naming';
import type { StackSettings } from './stack-config';

/** The context the builders create resources in. */
export interface BuildScope {
  readonly settings: StackSettings;
  /** `<namePrefix>-<stack>-<part>`. */
  name(part: string): string;
  /** Options every resource gets: the component as parent. */
  readonly opts: pulumi.CustomResourceOptions;
  readonly tags: Readonly<Record<string, string>>;
}

/** The scope of `parent` for `settings`. */
export function buildScope(settings: StackSettings, parent: pulumi.Resource): BuildScope {
  return {
    settings,
    name: (part) => physicalName(settings.namePrefix, settings.stack, part),
    opts: { parent },
    tags: { 'voiceai:stack': settings.stack, 'voiceai:project': settings.project },
  };
}
