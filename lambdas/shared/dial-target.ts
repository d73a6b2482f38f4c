/** Dial targets the stack may call (phone numbers, SIP URIs, Client identities) and the allow-list check. */
import { isE164 } from './identifiers';

const SIP = /^sip:[A-Za-z0-9_.!~*'()&=+$,;?/%-]{1,64}@[A-Za-z0-9.-]{1,190}(:\d{1,5})?(;transport=(udp|tcp|tls))?$/;
const CLIENT = /^client:[A-Za-z0-9_.-]{1,121}$/;

/** The kind of a dial target, or undefined when the text is none of them. */
export function dialTargetKind(value: string): 'phone' | 'sip' | 'client' | undefined {
  if (isE164(value)) return 'phone';
  if (SIP.test(value)) return 'sip';
  if (CLIENT.test(value)) return 'client';
  return undefined;
}

/** Whether `value` matches a glob pattern of the allow-list (`*` = any run of characters, nothing else special). */
export function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(value);
}

/** Whether a target is on the allow-list. */
export function isAllowedTarget(allowList: readonly string[], target: string): boolean {
  return allowList.some((pattern) => globMatches(pattern, target));
}
