/** Twilio SIDs: a two-letter type prefix and 32 lowercase hex characters, as the real API issues them. */
import { randomBytes } from 'node:crypto';

/** The SID prefixes the emulator issues. */
export type SidPrefix = 'AC' | 'AP' | 'PN' | 'CA' | 'CF' | 'SK' | 'MZ' | 'VX' | 'NO' | 'RE';

/** A fresh random SID with the given prefix. */
export function newSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Whether `value` is a SID with this prefix (Twilio accepts either hex case in paths). */
export function isSid(value: string, prefix: SidPrefix): boolean {
  return new RegExp(`^${prefix}[0-9a-fA-F]{32}$`).test(value);
}
