import { DbError } from '@tabagent/common';
import { MAX_REQUEST_DEPTH } from '../operations/operation.js';

/**
 * `google.protobuf.Struct` / `Value` as grpc-js objects (loaded with `oneofs: true`,
 * `enums: String`) ⇄ plain JSON values. Typed arrays become lists; `undefined` fields
 * are left out; non-finite numbers become null, as in JSON.
 */
export interface ProtoValue {
  nullValue?: 'NULL_VALUE' | 0;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
  kind?: string;
}

export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}

const NULL: ProtoValue = { nullValue: 'NULL_VALUE' };

export function toProtoValue(value: unknown): ProtoValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'number':
      return Number.isFinite(value) ? { numberValue: value } : NULL;
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { numberValue: Number(value) };
    case 'object':
      if (value === null) return NULL;
      if (Array.isArray(value)) return { listValue: { values: value.map(toProtoValue) } };
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        return { listValue: { values: Array.from(value as unknown as ArrayLike<number>, (n) => toProtoValue(n)) } };
      }
      return { structValue: toProtoStruct(value as Record<string, unknown>) };
    default:
      return NULL;
  }
}

export function toProtoStruct(object: Record<string, unknown>): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) fields[key] = toProtoValue(value);
  return { fields };
}

/**
 * A `Value` as a plain JSON value. Nesting deeper than {@link MAX_REQUEST_DEPTH} is
 * `INVALID_ARGUMENT` (not a stack overflow); a `__proto__` key stays an own key (it
 * never replaces the object's prototype, so a filter on it is seen, and refused, by its schema).
 */
export function fromProtoValue(value: ProtoValue | undefined, depth = 0): unknown {
  if (value === undefined || value === null) return null;
  if (depth > MAX_REQUEST_DEPTH) throw new DbError('INVALID_ARGUMENT', `a struct nested deeper than ${MAX_REQUEST_DEPTH} levels`);
  const kind = value.kind ?? Object.keys(value).find((k) => k !== 'kind');
  switch (kind) {
    case 'stringValue':
      return value.stringValue ?? '';
    case 'numberValue':
      return value.numberValue ?? 0;
    case 'boolValue':
      return value.boolValue ?? false;
    case 'structValue':
      return fromProtoStruct(value.structValue, depth + 1);
    case 'listValue':
      return (value.listValue?.values ?? []).map((item) => fromProtoValue(item, depth + 1));
    default:
      return null;
  }
}

export function fromProtoStruct(struct: ProtoStruct | undefined, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = struct?.fields ?? {};
  // protobufjs decodes map entries with plain assignment: a `__proto__` key became the
  // map's prototype instead of an entry. Read it back as the entry it was sent as.
  const entries = Object.entries(fields);
  const proto = Object.getPrototypeOf(fields) as ProtoValue | null;
  if (proto !== null && proto !== Object.prototype && !Object.hasOwn(fields, '__proto__')) entries.push(['__proto__', proto]);
  for (const [key, value] of entries) Object.defineProperty(out, key, { value: fromProtoValue(value, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}
