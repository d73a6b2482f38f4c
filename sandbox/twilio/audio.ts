/**
 * Who hears whom in a conference, derived from the participants' state (pure): what tests assert audio paths on.
 * No audio flows in the emulator; these are the paths Twilio's documentation says the state produces.
 */
import type { ConferenceRecord, ParticipantRecord } from './state';

/** Something a participant hears. */
export type HeardSource =
  /** Another participant; `whisper` when that participant is a coach heard by this one only. */
  | { readonly kind: 'participant'; readonly callSid: string; readonly label: string | null; readonly whisper: boolean }
  /** Hold audio: `url` null is Twilio's default hold music; `status` says whether HoldUrl's audio could be fetched. */
  | { readonly kind: 'hold-music'; readonly url: string | null; readonly status: HoldAudioStatus }
  /** The conference's wait music before it starts (null: Twilio's default music). */
  | { readonly kind: 'wait-music'; readonly url: string | null };

/** The state of a held participant's hold audio: being fetched, playing, or not playable (silence). */
export type HoldAudioStatus = 'fetching' | 'playing' | 'failed';

/** One participant and everything they hear. */
export interface Listener {
  readonly callSid: string;
  readonly label: string | null;
  readonly hears: readonly HeardSource[];
}

/** Whether `listener` hears `speaker` speak (both connected, neither the same participant). */
function hearsSpeaker(listener: ParticipantRecord, speaker: ParticipantRecord): boolean {
  // Conference Hold (https://www.twilio.com/en-us/blog/introducing-conference-hold-html): a held participant stays in
  // the conference but its media is redirected to the hold audio: it neither hears nor is heard by the others.
  if (listener.hold || speaker.hold) return false;
  // Participant resource, Muted: a muted participant is heard by nobody.
  if (speaker.muted) return false;
  // Participant resource, CallSidToCoach: "The participant being coached is the only participant who can hear the
  // participant who is coaching." Nothing restricts what a coach hears: it hears the conference like anyone.
  if (speaker.coaching) return speaker.callSidToCoach === listener.callSid;
  return true;
}

/**
 * What every connected participant of `conference` hears. Before the conference starts each hears the wait music
 * (Voice Conference: the first participant "is in a waiting state and will hear hold music"; `waitUrl=''` is
 * silence); a held participant hears only its hold audio.
 */
export function audioPaths(conference: ConferenceRecord): Listener[] {
  const connected = [...conference.participants.values()].filter((p) => p.status === 'connected');
  return connected.map((listener) => {
    const hears: HeardSource[] = [];
    if (listener.hold) {
      hears.push({ kind: 'hold-music', url: listener.holdUrl, status: listener.holdAudio });
    } else if (conference.status === 'init') {
      if (listener.waitUrl !== '') hears.push({ kind: 'wait-music', url: listener.waitUrl });
    } else {
      for (const speaker of connected)
        if (speaker !== listener && hearsSpeaker(listener, speaker))
          hears.push({
            kind: 'participant',
            callSid: speaker.callSid,
            label: speaker.label,
            whisper: speaker.coaching,
          });
    }
    return { callSid: listener.callSid, label: listener.label, hears };
  });
}
