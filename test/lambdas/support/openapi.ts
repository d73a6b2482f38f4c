/**
 * Checks a REST request against Twilio's OpenAPI spec (`@twilio/cli-core@9.0.0`): the operation exists, every
 * form field is declared, required fields are present, and typed values parse.
 */
import spec from '@twilio/cli-core/src/services/twilio-api/twilio_api_v2010.json';

interface Schema {
  type?: string;
  enum?: string[];
  format?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}
interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const paths = (spec as unknown as { paths: Record<string, Record<string, Operation>> }).paths;

function templateToRegex(template: string): RegExp {
  return new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

const templates = Object.keys(paths).map((template) => ({ template, regex: templateToRegex(template) }));

/** The spec's path template for a concrete path, preferring the most literal match. */
export function specPathFor(path: string): string | undefined {
  const matches = templates.filter((t) => t.regex.test(path));
  matches.sort((a, b) => (b.template.match(/\{/g)?.length ?? 0) - (a.template.match(/\{/g)?.length ?? 0)).reverse();
  return matches[0]?.template;
}

function valueProblems(name: string, value: string, schema: Schema | undefined): string[] {
  if (!schema) return [];
  if (schema.enum && !schema.enum.includes(value)) return [`${name}=${value} is not one of ${schema.enum.join('|')}`];
  if (schema.type === 'integer' && !/^-?\d+$/.test(value)) return [`${name}=${value} is not an integer`];
  if (schema.type === 'boolean' && value !== 'true' && value !== 'false') return [`${name}=${value} is not a boolean`];
  return [];
}

/** Problems with a request against the spec; an empty list means it conforms. */
export function specProblems(
  method: string,
  path: string,
  form: Record<string, string | string[]>,
  query?: URLSearchParams,
): string[] {
  const template = specPathFor(path);
  if (!template) return [`no operation for ${path}`];
  const operation = paths[template][method.toLowerCase()];
  if (!operation) return [`${method} is not an operation of ${template}`];
  const problems: string[] = [];
  const schema = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema;
  const properties = schema?.properties ?? {};
  for (const [name, value] of Object.entries(form)) {
    const property = properties[name];
    if (!property) {
      problems.push(`form field ${name} is not in the spec`);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      problems.push(...valueProblems(name, item, property.type === 'array' ? property.items : property));
    }
  }
  for (const name of schema?.required ?? [])
    if (form[name] === undefined) problems.push(`required form field ${name} is missing`);
  if (query) {
    const queryParams = new Map((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
    for (const [name, value] of query) {
      const parameter = queryParams.get(name);
      if (!parameter) problems.push(`query parameter ${name} is not in the spec`);
      else problems.push(...valueProblems(name, value, parameter.schema));
    }
  }
  return problems;
}
