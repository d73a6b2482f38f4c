/**
 * A small TwiML serializer that writes byte for byte what twilio's `VoiceResponse` writes (xmlbuilder 13 with
 * twilio's attribute stringifier), without loading either: loading them costs about half of a TwiML handler's
 * cold start. `test/lambdas/twiml-writer.test.ts` proves the equality with generated inputs against
 * `VoiceResponse` itself, so a change here or in twilio's output fails a test.
 */

/** An attribute value as twilio's TwiML methods take it: arrays are joined with spaces (`statusCallbackEvent`). */
export type AttributeValue = string | number | boolean | readonly string[];

/** Attributes in the order they are written; `undefined` ones are left out, as xmlbuilder leaves them out. */
export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

/** Markup written by this module (escaped and checked), never raw input. */
export interface Markup {
  readonly xml: string;
}

/** The XML 1.0 `Char` production's complement (https://www.w3.org/TR/xml/#charsets), as xmlbuilder checks it. */
const ILLEGAL_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML refuses is its purpose.
  /[\0-\x08\x0B\f\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/**
 * Attribute values are escaped but, as in twilio's stringifier, not checked for illegal characters; callers pass
 * configuration and signed Twilio parameters only.
 */
function attributeValue(value: AttributeValue): string {
  const joined = Array.isArray(value) ? value.join(' ') : String(value);
  return joined
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

/** Element text, escaped; throws on a character XML 1.0 cannot carry, as `VoiceResponse` does. */
export function text(value: string): Markup {
  const match = ILLEGAL_CHAR.exec(value);
  if (match) throw new Error(`TwiML text has a character XML cannot carry at index ${match.index}`);
  return {
    xml: value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;'),
  };
}

/** One element; with no content (or only empty text) it is self-closing, e.g. `<Hangup/>`. */
export function element(name: string, attributes: Attributes, ...content: readonly Markup[]): Markup {
  let open = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) open += ` ${key}="${attributeValue(value)}"`;
  }
  const inner = content.map((part) => part.xml).join('');
  return { xml: inner === '' ? `${open}/>` : `${open}>${inner}</${name}>` };
}

/** A complete TwiML document: the XML declaration and the `<Response>` holding the verbs. */
export function twimlResponse(...verbs: readonly Markup[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${element('Response', {}, ...verbs).xml}`;
}
