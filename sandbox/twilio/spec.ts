/**
 * Twilio's OpenAPI specs (`@twilio/cli-core@9.0.0`) as the emulator's contract: 2010-04-01 (api.twilio.com) and
 * Monitor v1 (monitor.twilio.com: the Debugger's Alerts). Routing finds the operation by method and path template,
 * every request is checked against it, and responses are shaped by it. The two specs' paths do not overlap
 * (`/2010-04-01/...` and `/v1/...`), so one server on one base URL serves both hosts, as the clients' base-URL
 * rewrite expects.
 */
import fs from 'node:fs';
import { invalidParameter } from './errors';

/** The subset of an OpenAPI schema the emulator reads. */
export interface SpecSchema {
  type?: string;
  enum?: string[];
  format?: string;
  items?: SpecSchema;
  properties?: Record<string, SpecSchema>;
  required?: string[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
}
interface SpecParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: SpecSchema;
}
interface SpecOperation {
  operationId: string;
  parameters?: SpecParameter[];
  requestBody?: { content: Record<string, { schema: SpecSchema }> };
  responses: Record<string, { content?: Record<string, { schema: SpecSchema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, SpecOperation>>;
  components: { schemas: Record<string, SpecSchema> };
}

/** A request resolved to its spec operation. */
export interface ResolvedOperation {
  readonly operationId: string;
  readonly template: string;
  /** Path parameters by name, e.g. `{AccountSid, ConferenceSid, CallSid}`. */
  readonly pathParams: Record<string, string>;
  readonly operation: SpecOperation;
}

/** A parsed form body: repeated names (array fields) become arrays. */
export type FormBody = Record<string, string | string[]>;

let loaded:
  | { spec: Spec; templates: { template: string; regex: RegExp; names: string[]; literal: number }[] }
  | undefined;

/** The specs served: the 2010-04-01 API and Monitor v1. */
const SPEC_FILES = ['twilio_api_v2010.json', 'twilio_monitor_v1.json'];

function load() {
  if (!loaded) {
    // Read, not imported: importing the 2 MB JSON would make tsc infer a type for all of it.
    const specs = SPEC_FILES.map(
      (file) =>
        JSON.parse(
          fs.readFileSync(require.resolve(`@twilio/cli-core/src/services/twilio-api/${file}`), 'utf8'),
        ) as Spec,
    );
    // Path templates and component names are distinct across the specs (`api.v2010.*`, `monitor.v1.*`).
    const spec: Spec = {
      paths: Object.assign({}, ...specs.map((s) => s.paths)),
      components: { schemas: Object.assign({}, ...specs.map((s) => s.components.schemas)) },
    };
    const templates = Object.keys(spec.paths).map((template) => {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const regex = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '([^/]+)')}$`);
      return { template, regex, names, literal: template.replace(/\{[^}]+\}/g, '').length };
    });
    // The most literal template wins (`.../Participants.json` over `.../{Sid}.json`).
    templates.sort((a, b) => b.literal - a.literal);
    loaded = { spec, templates };
  }
  return loaded;
}

/** Resolves `$ref` to the component schema. */
export function deref(schema: SpecSchema | undefined): SpecSchema | undefined {
  if (!schema?.$ref) return schema;
  return load().spec.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
}

/** The operation for `method path`, or undefined when the spec has no such path or method. */
export function resolveOperation(method: string, path: string): ResolvedOperation | 'method-not-allowed' | undefined {
  const { spec, templates } = load();
  let pathMatched = false;
  for (const t of templates) {
    const match = t.regex.exec(path);
    if (!match) continue;
    pathMatched = true;
    const operation = spec.paths[t.template][method.toLowerCase()];
    if (!operation) continue;
    const pathParams: Record<string, string> = {};
    t.names.forEach((name, i) => {
      pathParams[name] = decodeURIComponent(match[i + 1]);
    });
    return { operationId: operation.operationId, template: t.template, pathParams, operation };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

function checkValue(name: string, value: string, raw: SpecSchema | undefined): void {
  const schema = deref(raw);
  if (!schema) return;
  if (schema.enum && !schema.enum.includes(value))
    throw invalidParameter(`Invalid value for ${name}: ${value} is not one of ${schema.enum.join(', ')}`);
  if (schema.type === 'integer') {
    if (!/^-?\d+$/.test(value)) throw invalidParameter(`Invalid value for ${name}: ${value} is not an integer`);
    const n = Number(value);
    if ((schema.minimum !== undefined && n < schema.minimum) || (schema.maximum !== undefined && n > schema.maximum))
      throw invalidParameter(`Invalid value for ${name}: ${value} is out of range`);
  }
  if (schema.type === 'boolean' && !/^(true|false)$/i.test(value))
    throw invalidParameter(`Invalid value for ${name}: ${value} is not a boolean`);
  if (schema.pattern && !new RegExp(schema.pattern).test(value))
    throw invalidParameter(`Invalid value for ${name}: ${value} does not match ${schema.pattern}`);
}

/**
 * Update fields whose empty value unbinds the number from an App or trunk: the spec's pattern describes only a SID,
 * while Twilio takes `VoiceApplicationSid=` as "no App" (how the phone-number provider unlinks an App, and how it
 * leaves a trunk). IncomingPhoneNumber resource, `voice_application_sid` / `trunk_sid`.
 */
const CLEARABLE: Readonly<Record<string, readonly string[]>> = {
  UpdateIncomingPhoneNumber: ['VoiceApplicationSid', 'SmsApplicationSid', 'TrunkSid'],
};

/**
 * Enforces the contract on a request: every form field and query parameter is declared, required fields are
 * present, typed values parse. Throws 400/20001 naming the first offending parameter.
 */
export function validateRequest(resolved: ResolvedOperation, form: FormBody, query: URLSearchParams): void {
  const { operation } = resolved;
  const body = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema;
  const properties = body?.properties ?? {};
  for (const [name, value] of Object.entries(form)) {
    const property = properties[name];
    if (!property) throw invalidParameter(`Unknown parameter ${name} for ${resolved.operationId}`);
    if (value === '' && CLEARABLE[resolved.operationId]?.includes(name)) continue;
    const itemSchema = property.type === 'array' ? property.items : property;
    for (const item of Array.isArray(value) ? value : [value]) checkValue(name, item, itemSchema);
  }
  for (const name of body?.required ?? [])
    if (form[name] === undefined) throw invalidParameter(`Missing required parameter ${name}`);
  const queryParams = new Map((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, value] of query) {
    const parameter = queryParams.get(name);
    if (!parameter) throw invalidParameter(`Unknown query parameter ${name} for ${resolved.operationId}`);
    checkValue(name, value, parameter.schema);
  }
}

/** The response schema's property names for a component (e.g. `api.v2010.account.conference`). */
export function resourceFields(component: string): string[] {
  return Object.keys(load().spec.components.schemas[component]?.properties ?? {});
}

/** The JSON schema of an operation's success response (the list envelope or the resource). */
export function responseSchema(operationId: string): SpecSchema | undefined {
  for (const methods of Object.values(load().spec.paths)) {
    for (const operation of Object.values(methods)) {
      if (operation?.operationId !== operationId) continue;
      for (const [code, response] of Object.entries(operation.responses)) {
        if (code.startsWith('2')) return deref(response.content?.['application/json']?.schema);
      }
    }
  }
  return undefined;
}
