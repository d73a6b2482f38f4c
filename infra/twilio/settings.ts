/**
 * Pure logic of the Twilio resources: input validation, which inputs changed, and the voice settings of a
 * phone number (what we set, what we restore). No I/O, so it is table-tested.
 */

/** HTTP methods Twilio accepts for voice webhooks. */
export type WebhookMethod = 'GET' | 'POST';

/** Inputs of a TwiML Application. */
export interface TwimlAppInputs {
  readonly friendlyName: string;
  readonly voiceUrl: string;
  readonly voiceMethod: WebhookMethod;
  readonly voiceFallbackUrl?: string;
  readonly voiceFallbackMethod?: WebhookMethod;
  readonly statusCallback?: string;
  readonly statusCallbackMethod?: WebhookMethod;
}

/** Voice settings of an incoming phone number that this stack manages (and restores). */
export interface NumberVoiceSettings {
  readonly voiceUrl: string;
  readonly voiceMethod: string;
  readonly voiceFallbackUrl: string;
  readonly voiceFallbackMethod: string;
  readonly voiceApplicationSid: string;
  readonly trunkSid: string;
}

/** Inputs of a phone number's voice configuration. */
export interface PhoneNumberVoiceConfigInputs {
  readonly phoneNumber: string;
  readonly voiceUrl: string;
  readonly voiceMethod: WebhookMethod;
  readonly voiceFallbackUrl?: string;
  readonly voiceFallbackMethod?: WebhookMethod;
}

/** A failed input check, in the shape Pulumi's `check` returns. */
export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

export const E164 = /^\+[1-9]\d{1,14}$/;
const METHODS = ['GET', 'POST'];

/**
 * What the Pulumi engine sends a provider in place of a value not known yet (during a preview, an output of a
 * resource not created yet, such as the API's endpoint in the webhook URLs). Pulumi's provider protocol fixes
 * this string (`UnknownStringValue` in the engine, `unknownValue` in @pulumi/pulumi's runtime).
 */
export const UNKNOWN_VALUE = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** True for a value the engine does not know yet: check accepts it, and it is validated once known. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN_VALUE;
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/** Twilio fetches webhooks over https; plain http is accepted only for local servers (sandbox, tests). */
function urlFailure(property: string, value: unknown, required: boolean): CheckFailure[] {
  if (isUnknown(value)) return [];
  if (value === undefined || value === '') return required ? [{ property, reason: `${property} is required` }] : [];
  if (typeof value !== 'string') return [{ property, reason: `${property} must be a URL string` }];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ property, reason: `${property} must be an absolute URL, got "${value}"` }];
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return [];
  return [
    {
      property,
      reason: `${property} must be an https:// URL (http:// only for 127.0.0.1 or localhost), got "${value}"`,
    },
  ];
}

function methodFailure(property: string, value: unknown): CheckFailure[] {
  return value === undefined || isUnknown(value) || METHODS.includes(value as string)
    ? []
    : [{ property, reason: `${property} must be GET or POST` }];
}

/** Checks TwiML App inputs. */
export function checkTwimlAppInputs(inputs: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const name = inputs.friendlyName;
  if (!isUnknown(name) && (typeof name !== 'string' || name.length === 0 || name.length > 64))
    failures.push({ property: 'friendlyName', reason: 'friendlyName must be 1 to 64 characters (Twilio’s limit)' });
  failures.push(
    ...urlFailure('voiceUrl', inputs.voiceUrl, true),
    ...urlFailure('voiceFallbackUrl', inputs.voiceFallbackUrl, false),
    ...urlFailure('statusCallback', inputs.statusCallback, false),
  );
  failures.push(
    ...methodFailure('voiceMethod', inputs.voiceMethod),
    ...methodFailure('voiceFallbackMethod', inputs.voiceFallbackMethod),
    ...methodFailure('statusCallbackMethod', inputs.statusCallbackMethod),
  );
  return failures;
}

/** Checks phone number voice configuration inputs. */
export function checkPhoneNumberInputs(inputs: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (!isUnknown(inputs.phoneNumber) && (typeof inputs.phoneNumber !== 'string' || !E164.test(inputs.phoneNumber))) {
    failures.push({
      property: 'phoneNumber',
      reason: `phoneNumber must be an E.164 number such as +15551234567, got "${String(inputs.phoneNumber)}"`,
    });
  }
  failures.push(
    ...urlFailure('voiceUrl', inputs.voiceUrl, true),
    ...urlFailure('voiceFallbackUrl', inputs.voiceFallbackUrl, false),
  );
  failures.push(
    ...methodFailure('voiceMethod', inputs.voiceMethod),
    ...methodFailure('voiceFallbackMethod', inputs.voiceFallbackMethod),
  );
  return failures;
}

/** The keys whose values differ between two property bags (missing and '' count as equal). */
export function changedKeys(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly string[],
): string[] {
  const norm = (v: unknown) => (v === undefined || v === null ? '' : v);
  return keys.filter((k) => JSON.stringify(norm(olds[k])) !== JSON.stringify(norm(news[k])));
}

/** TwiML App properties that update in place. */
export const TWIML_APP_KEYS = [
  'friendlyName',
  'voiceUrl',
  'voiceMethod',
  'voiceFallbackUrl',
  'voiceFallbackMethod',
  'statusCallback',
  'statusCallbackMethod',
] as const;

/** The SDK's create/update options for a TwiML App; unset optional URLs are sent empty so an update clears them. */
export function applicationParams(inputs: TwimlAppInputs): Record<string, string> {
  return {
    friendlyName: inputs.friendlyName,
    voiceUrl: inputs.voiceUrl,
    voiceMethod: inputs.voiceMethod,
    voiceFallbackUrl: inputs.voiceFallbackUrl ?? '',
    voiceFallbackMethod: inputs.voiceFallbackMethod ?? 'POST',
    statusCallback: inputs.statusCallback ?? '',
    statusCallbackMethod: inputs.statusCallbackMethod ?? 'POST',
  };
}

/** The managed voice settings as read from a number resource (`null`s from the API become ''). */
export function voiceSettingsOf(
  number: Partial<Record<keyof NumberVoiceSettings, string | null | undefined>>,
): NumberVoiceSettings {
  return {
    voiceUrl: number.voiceUrl ?? '',
    voiceMethod: number.voiceMethod ?? '',
    voiceFallbackUrl: number.voiceFallbackUrl ?? '',
    voiceFallbackMethod: number.voiceFallbackMethod ?? '',
    voiceApplicationSid: number.voiceApplicationSid ?? '',
    trunkSid: number.trunkSid ?? '',
  };
}

/** The voice settings the stack wants on the number: its webhooks, no application or trunk overriding them. */
export function desiredVoiceSettings(inputs: PhoneNumberVoiceConfigInputs): NumberVoiceSettings {
  return {
    voiceUrl: inputs.voiceUrl,
    voiceMethod: inputs.voiceMethod,
    voiceFallbackUrl: inputs.voiceFallbackUrl ?? '',
    voiceFallbackMethod: inputs.voiceFallbackMethod ?? 'POST',
    voiceApplicationSid: '',
    trunkSid: '',
  };
}

const SETTING_KEYS: readonly (keyof NumberVoiceSettings)[] = [
  'voiceUrl',
  'voiceMethod',
  'voiceFallbackUrl',
  'voiceFallbackMethod',
  'voiceApplicationSid',
  'trunkSid',
];

/** The settings that differ between what a number has and what it should have. */
export function settingsDrift(live: NumberVoiceSettings, wanted: NumberVoiceSettings): (keyof NumberVoiceSettings)[] {
  return SETTING_KEYS.filter((k) => live[k] !== wanted[k]);
}

/**
 * The update that takes a number from `live` to `wanted`: only fields that differ, so a number that is already
 * right costs no write. Keys are the SDK's option names.
 */
export function voiceSettingsUpdate(
  live: NumberVoiceSettings,
  wanted: NumberVoiceSettings,
): Partial<Record<keyof NumberVoiceSettings, string>> {
  const update: Partial<Record<keyof NumberVoiceSettings, string>> = {};
  for (const key of settingsDrift(live, wanted)) update[key] = wanted[key];
  return update;
}
