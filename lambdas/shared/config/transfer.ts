/** How warm transfers treat the caller while the agent briefs the human: the hold audio they hear. */
import { ConfigError, type Env, isLoopback, url } from './read';

export const TRANSFER_ENV = {
  transferHoldUrl: 'TRANSFER_HOLD_URL',
} as const;

/** Warm transfer settings of the participants API. */
export interface TransferConfig {
  /**
   * What the caller hears on hold while the agent briefs the human (Twilio's `HoldUrl`: an MP3 or WAV file, or
   * TwiML with `<Play>`, `<Say>`, `<Pause>`, `<Redirect>`); unset: Twilio's default hold music.
   */
  readonly holdUrl?: string;
}

/** Reads the warm transfer settings; the hold URL must be https (http only for a loopback host: the sandbox). */
export function readTransferConfig(env: Env): TransferConfig {
  const holdUrl = url(env, TRANSFER_ENV.transferHoldUrl, ['https:', 'http:'], false);
  if (holdUrl !== undefined && new URL(holdUrl).protocol === 'http:' && !isLoopback(new URL(holdUrl).hostname))
    throw new ConfigError(
      TRANSFER_ENV.transferHoldUrl,
      'must be an https:// URL (http:// is accepted only for 127.0.0.1 or localhost)',
    );
  return { holdUrl };
}
