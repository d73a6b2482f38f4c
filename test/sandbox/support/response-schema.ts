/**
 * Checks a JSON response against the response schema of Twilio's OpenAPI specs (`@twilio/cli-core@9.0.0`: 2010-04-01
 * and Monitor v1): the same field names (none missing, none extra), and SIDs / dates in Twilio's formats.
 */
import spec from '@twilio/cli-core/src/services/twilio-api/twilio_api_v2010.json';
import monitorSpec from '@twilio/cli-core/src/services/twilio-api/twilio_monitor_v1.json';

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  nullable?: boolean;
}

type WithComponents = { components: { schemas: Record<string, Schema> } };
/** Component names are distinct across the two specs (`api.v2010.*`, `monitor.v1.*`). */
const components = {
  ...(spec as unknown as WithComponents).components.schemas,
  ...(monitorSpec as unknown as WithComponents).components.schemas,
};
/** Monitor's ISO 8601 dates, to the second. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const RFC2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

function deref(schema: Schema): Schema {
  return schema.$ref ? components[schema.$ref.replace('#/components/schemas/', '')] : schema;
}

/** Problems of `body` against component `name` (e.g. `api.v2010.account.conference`); empty = conforms. */
export function resourceProblems(name: string, body: Record<string, unknown>): string[] {
  const schema = components[name];
  if (!schema?.properties) return [`no schema ${name}`];
  const problems: string[] = [];
  const expected = Object.keys(schema.properties);
  for (const key of expected) if (!(key in body)) problems.push(`${name}: missing ${key}`);
  for (const key of Object.keys(body)) if (!expected.includes(key)) problems.push(`${name}: extra ${key}`);
  for (const [key, raw] of Object.entries(schema.properties)) {
    const property = deref(raw);
    const value = body[key];
    if (value === null || value === undefined) continue;
    if (property.format === 'date-time-rfc-2822' && !RFC2822.test(String(value)))
      problems.push(`${name}.${key}: ${String(value)} is not RFC 2822`);
    if (property.format === 'date-time' && !ISO_8601.test(String(value)))
      problems.push(`${name}.${key}: ${String(value)} is not ISO 8601`);
    if (property.type === 'boolean' && typeof value !== 'boolean') problems.push(`${name}.${key}: not a boolean`);
    if (property.type === 'string' && typeof value !== 'string') problems.push(`${name}.${key}: not a string`);
    if (/(^|_)sid$/.test(key) && typeof value === 'string' && !/^[A-Z]{2}[0-9a-f]{32}$/.test(value))
      problems.push(`${name}.${key}: ${value} is not a SID`);
  }
  return problems;
}

/** Problems of a list response: the envelope's fields and each item. */
export function listProblems(
  envelopeKeys: readonly string[],
  key: string,
  itemSchema: string,
  body: Record<string, unknown>,
): string[] {
  const problems: string[] = [];
  for (const k of envelopeKeys) if (!(k in body)) problems.push(`list: missing ${k}`);
  const items = body[key];
  if (!Array.isArray(items)) return [...problems, `list: ${key} is not an array`];
  for (const item of items) problems.push(...resourceProblems(itemSchema, item as Record<string, unknown>));
  return problems;
}

/** The list envelope's field names for a list operation's response schema title (e.g. ListConferenceResponse). */
export function envelopeKeys(path: string): string[] {
  const operation = (
    spec as unknown as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }>;
    }
  ).paths[path].get;
  return Object.keys(operation.responses['200'].content['application/json'].schema.properties ?? {});
}
