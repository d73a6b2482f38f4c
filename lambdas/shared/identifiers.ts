/**
 * The shapes of the identifiers the stack reads and writes: Twilio SIDs, E.164 numbers, participant labels and
 * conference names. One rule per identifier, so a URL the stack writes and the check that reads it back agree. Pure.
 */

/** The SID prefixes the stack checks: Call, Conference, TwiML App, Account, API key, incoming Phone Number. */
export type SidPrefix = 'CA' | 'CF' | 'AP' | 'AC' | 'SK' | 'PN';

const SID: Record<SidPrefix, RegExp> = {
  CA: /^CA[0-9a-fA-F]{32}$/,
  CF: /^CF[0-9a-fA-F]{32}$/,
  AP: /^AP[0-9a-fA-F]{32}$/,
  AC: /^AC[0-9a-fA-F]{32}$/,
  SK: /^SK[0-9a-fA-F]{32}$/,
  PN: /^PN[0-9a-fA-F]{32}$/,
};

/** Whether `value` is a SID of that kind: the prefix and 32 hex digits. */
export function isSid(prefix: SidPrefix, value: string | null | undefined): value is string {
  return typeof value === 'string' && SID[prefix].test(value);
}

/** A Call SID (`CA` + 32 hex digits). */
export const isCallSid = (value: string | null | undefined): value is string => isSid('CA', value);
/** A Conference SID (`CF` + 32 hex digits). */
export const isConferenceSid = (value: string | null | undefined): value is string => isSid('CF', value);

const E164 = /^\+[1-9]\d{1,14}$/;

/** Whether `value` is an E.164 phone number (`+`, then 2-15 digits, the first not 0). */
export function isE164(value: string | null | undefined): value is string {
  return typeof value === 'string' && E164.test(value);
}

/** Twilio's longest participant label. */
export const MAX_LABEL_CHARS = 128;

/**
 * A participant label as Twilio takes it: 1-128 characters, no `/` (a label names the participant in REST paths).
 * The stack's own labels (caller, agent) are read from configuration against this rule.
 */
export function isTwilioLabel(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_LABEL_CHARS && !value.includes('/');
}

const SAFE_LABEL = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * A label the participants API accepts from its users: 1-128 letters, digits, `_ . : -`, and not shaped like a Call
 * SID (Twilio takes a Call SID or a label in the same path segment, so a CA-like label would name another call).
 */
export function isApiLabel(value: string): boolean {
  return SAFE_LABEL.test(value) && !isCallSid(value);
}

// Path segments of Twilio REST URLs: a name made only of dots (`.`, `..`) would be a dot-segment that URL
// normalisation resolves, sending the request to another resource (`/Conferences/../Participants.json`).
const CONFERENCE_NAME = /^(?!\.+$)[A-Za-z0-9_.-]{1,128}$/;
const PARTICIPANT_REF = /^(?!\.+$)[A-Za-z0-9_.:-]{1,128}$/;

/** A conference FriendlyName or CF SID that is safe in a REST path: 1-128 letters, digits, `_ . -`, not only dots. */
export function isConferenceRef(value: string | null | undefined): value is string {
  return typeof value === 'string' && CONFERENCE_NAME.test(value);
}

/** A participant named in a REST path, by Call SID or label: 1-128 letters, digits, `_ . : -`, not only dots. */
export function isParticipantRef(value: string | null | undefined): value is string {
  return typeof value === 'string' && PARTICIPANT_REF.test(value);
}

/** A stack name the program accepts (the short name, without organization or project): it goes into every AWS name. */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,30}$/;
const STACK_QUALIFIER = /^[A-Za-z0-9_.-]{1,100}$/;

/** A stack as the Pulumi CLI takes it: `dev`, `my-org/dev` or `my-org/project/dev`, its short name a STACK_NAME. */
export function isStackReference(value: string): boolean {
  const parts = value.split('/');
  return (
    parts.length <= 3 &&
    STACK_NAME.test(parts[parts.length - 1]) &&
    parts.slice(0, -1).every((p) => STACK_QUALIFIER.test(p))
  );
}
