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

export function fromProtoValue(value: ProtoValue | undefined): unknown {
  if (value === undefined || value === null) return null;
  const kind = value.kind ?? Object.keys(value).find((k) => k !== 'kind');
  switch (kind) {
    case 'stringValue':
      return value.stringValue ?? '';
    case 'numberValue':
      return value.numberValue ?? 0;
    case 'boolValue':
      return value.boolValue ?? false;
    case 'structValue':
      return fromProtoStruct(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(fromProtoValue);
    default:
      return null;
  }
}

export function fromProtoStruct(struct: ProtoStruct | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = fromProtoValue(value);
  return out;
}
