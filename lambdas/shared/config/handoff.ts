/** Where an AI agent's handoff may send the caller: named queues, each a dial target on the allow-list. */
import { dialTargetKind, isAllowedTarget } from '../dial-target';
import { CONFIG_DEFAULTS } from './defaults';
import { ConfigError, type Env, list } from './read';

export const HANDOFF_ENV = {
  handoffQueues: 'HANDOFF_QUEUES',
} as const;

/** The handoff settings: queue name -> dial target. */
export interface HandoffConfig {
  readonly queues: ReadonlyMap<string, string>;
}

/** A queue name as `HANDOFF_QUEUES` and a handoff's `queue` spell it. */
export const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Reads `HANDOFF_QUEUES` (comma-separated `name=target`, e.g. `billing=+15551230000,support=client:support`);
 * every target must be a dial target on `allowedTargets`, so a typo fails at deployment, not on a caller.
 */
export function readHandoffConfig(env: Env, allowedTargets: readonly string[]): HandoffConfig {
  const key = HANDOFF_ENV.handoffQueues;
  const queues = new Map<string, string>();
  for (const entry of list(env, key, CONFIG_DEFAULTS.handoffQueues)) {
    const at = entry.indexOf('=');
    const name = at < 0 ? entry : entry.slice(0, at).trim();
    const target = at < 0 ? '' : entry.slice(at + 1).trim();
    if (!QUEUE_NAME.test(name) || target === '')
      throw new ConfigError(key, 'must be a list of name=target (names: 1-64 letters, digits, _ . -)');
    if (queues.has(name)) throw new ConfigError(key, `names the queue ${name} twice`);
    if (dialTargetKind(target) === undefined)
      throw new ConfigError(key, `queue ${name}: the target must be an E.164 number, a sip: URI or a client: identity`);
    if (!isAllowedTarget(allowedTargets, target))
      throw new ConfigError(key, `queue ${name}: the target must match ALLOWED_DIAL_TARGETS`);
    queues.set(name, target);
  }
  return { queues };
}
