/** How the caller's conference is set up (the inbound handler's TwiML). */
import { isTwilioLabel } from '../identifiers';
import { CONFIG_DEFAULTS } from './defaults';
import { bool, ConfigError, type Env, integer, LABEL_WHAT, matching, oneOf, optional, url } from './read';

export const CONFERENCE_ENV = {
  conferenceNamePrefix: 'CONFERENCE_NAME_PREFIX',
  callerLabel: 'CONFERENCE_CALLER_LABEL',
  waitUrl: 'CONFERENCE_WAIT_URL',
  beep: 'CONFERENCE_BEEP',
  jitterBufferSize: 'CONFERENCE_JITTER_BUFFER_SIZE',
  endConferenceOnCallerExit: 'CONFERENCE_END_ON_CALLER_EXIT',
  maxParticipants: 'CONFERENCE_MAX_PARTICIPANTS',
} as const;

/** How the caller's conference is set up (the inbound handler's TwiML). */
export interface ConferenceConfig {
  readonly namePrefix: string;
  readonly callerLabel: string;
  /** '' plays silence while the caller waits for the agent. */
  readonly waitUrl: string;
  readonly beep: 'true' | 'false' | 'onEnter' | 'onExit';
  readonly jitterBufferSize: 'off' | 'small' | 'medium' | 'large';
  readonly endConferenceOnCallerExit: boolean;
  readonly maxParticipants: number;
}

/** Reads the caller's label (shared by the inbound TwiML and the dialling handlers). */
export function readCallerLabel(env: Env): string {
  return matching(env, CONFERENCE_ENV.callerLabel, isTwilioLabel, LABEL_WHAT, CONFIG_DEFAULTS.conferenceCallerLabel);
}

/** Reads the prefix of conference names (the inbound TwiML names them; the canary looks them up). */
export function readConferenceNamePrefix(env: Env): string {
  const namePrefix = optional(env, CONFERENCE_ENV.conferenceNamePrefix) ?? CONFIG_DEFAULTS.conferenceNamePrefix;
  if (!/^[A-Za-z0-9_-]{0,32}$/.test(namePrefix)) {
    throw new ConfigError(
      CONFERENCE_ENV.conferenceNamePrefix,
      'must be up to 32 letters, digits, - or _ (it goes into URL paths)',
    );
  }
  return namePrefix;
}

/** Reads the conference settings of the inbound handler. */
export function readConferenceConfig(env: Env): ConferenceConfig {
  const E = CONFERENCE_ENV;
  const namePrefix = readConferenceNamePrefix(env);
  const waitUrl = url(env, E.waitUrl, ['http:', 'https:'], false) ?? CONFIG_DEFAULTS.conferenceWaitUrl;
  return {
    namePrefix,
    callerLabel: readCallerLabel(env),
    waitUrl,
    beep: oneOf(env, E.beep, ['true', 'false', 'onEnter', 'onExit'] as const, CONFIG_DEFAULTS.conferenceBeep),
    jitterBufferSize: oneOf(
      env,
      E.jitterBufferSize,
      ['off', 'small', 'medium', 'large'] as const,
      CONFIG_DEFAULTS.conferenceJitterBufferSize,
    ),
    endConferenceOnCallerExit: bool(env, E.endConferenceOnCallerExit, CONFIG_DEFAULTS.conferenceEndOnCallerExit),
    maxParticipants: integer(env, E.maxParticipants, CONFIG_DEFAULTS.conferenceMaxParticipants, 2, 250),
  };
}
