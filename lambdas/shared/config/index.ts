/**
 * The one configuration reader, one file per concern. Every handler reads its settings from environment
 * variables through these section readers, once per container; a missing or malformed value throws a
 * {@link ConfigError} naming it.
 *
 * The Pulumi program sets these variables (secrets only as `*_SECRET_ARN` references, never as values); the
 * sandbox and tests set them directly.
 */
import { AGENT_TWIML_ENV } from './agent-twiml';
import { API_AUTH_ENV } from './api-auth';
import { CANARY_ENV } from './canary';
import { CONFERENCE_ENV } from './conference';
import { DIAL_ENV } from './dial';
import { HANDOFF_ENV } from './handoff';
import { RECOVERY_ENV } from './recovery';
import { TRANSFER_ENV } from './transfer';
import { TWILIO_ENV } from './twilio';
import { WEBHOOK_ENV } from './webhook';

export * from './agent-twiml';
export * from './api-auth';
export * from './canary';
export * from './conference';
export * from './defaults';
export * from './dial';
export * from './handoff';
export { ConfigError, type Env, once, type SecretSource } from './read';
export * from './recovery';
export * from './transfer';
export * from './twilio';
export * from './webhook';

/** Environment variables the handlers read. The Pulumi program and the sandbox use these names. */
export const ENV = {
  ...TWILIO_ENV,
  ...WEBHOOK_ENV,
  ...CONFERENCE_ENV,
  ...AGENT_TWIML_ENV,
  ...DIAL_ENV,
  ...API_AUTH_ENV,
  ...RECOVERY_ENV,
  ...TRANSFER_ENV,
  ...HANDOFF_ENV,
  ...CANARY_ENV,
} as const;
