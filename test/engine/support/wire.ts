/**
 * Property values as the Pulumi engine puts them on the wire (`google.protobuf.Struct`), from Pulumi's gRPC
 * protocol: an unknown value is a sentinel string, a secret is an object tagged with a signature key. The harness
 * keeps values in this wire form and only strips what a receiver does not accept, as the engine's
 * `MarshalProperties` does (KeepUnknowns / KeepSecrets).
 */
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';

/** The string the engine sends for a value not known yet (a preview of outputs of resources not created). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
/** The key that marks a special object (secret, asset, resource reference). */
export const SIG_KEY = '4dabf18193072939515e22adb298388d';
/** The signature of a secret. */
export const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/** A property bag in wire form. */
export type Props = Record<string, unknown>;

/** Wraps `value` as the engine marks a secret. */
export function secret(value: unknown): Props {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** True when `value` is a secret wrapper. */
export function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && (value as Props)[SIG_KEY] === SECRET_SIG;
}

/** True when `value` (or anything inside it) is unknown. */
export function containsUnknowns(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknowns);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsUnknowns);
  return false;
}

/** True when `value` (or anything inside it) is a secret. */
export function containsSecrets(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecrets);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsSecrets);
  return false;
}

/** What a receiver accepts, as in the engine's MarshalOptions. */
export interface MarshalOptions {
  readonly keepUnknowns: boolean;
  readonly keepSecrets: boolean;
}

function marshalValue(value: unknown, options: MarshalOptions): unknown {
  if (value === UNKNOWN && !options.keepUnknowns) throw new Error('unexpected unknown value');
  if (isSecret(value)) {
    const inner = marshalValue(value.value, options);
    return options.keepSecrets ? secret(inner) : inner;
  }
  if (Array.isArray(value)) return value.map((v) => marshalValue(v, options));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, marshalValue(v, options)]));
  return value;
}

/** Encodes a property bag for a receiver (a provider) that accepts what `options` says. */
export function marshal(props: Props, options: MarshalOptions): Struct {
  return Struct.fromJavaScript(marshalValue(props, options) as Record<string, never>);
}

/** Decodes a Struct into wire form (secret wrappers and unknown sentinels kept). */
export function unmarshal(struct: Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}

/**
 * Copies secretness from `ins` onto `outs` where the same key holds a secret in the inputs: what the engine does
 * with the answers of a provider that does not accept secrets (`annotateSecrets`).
 */
export function annotateSecrets(outs: Props, ins: Props): Props {
  const result: Props = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const out = result[key];
    const bothObjects = [out, inValue].every(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !isSecret(v),
    );
    if (bothObjects) result[key] = annotateSecrets(out as Props, inValue as Props);
    else if (!isSecret(out) && containsSecrets(inValue)) result[key] = secret(out);
  }
  return result;
}
