import { NODE_SCHEMAS, type Node } from '@tabagent/common';
import { INDEXED_FIELDS, type IndexedField } from '@tabagent/indexing';
import type { Scalar } from '../util/compare.js';

/** The kinds of scalar a field can hold; `any` for free-form fields (metadata, inputs). */
export type ValueKind = 'string' | 'number' | 'boolean' | 'any';

/** What a query may know about a field before running. */
export interface FieldInfo {
  name: string;
  kinds: ReadonlySet<ValueKind>;
  /** Covered by the structural index (lookups and estimates). */
  indexed: boolean;
}

interface ZodLike {
  _zod: { def: { type: string; innerType?: ZodLike; element?: ZodLike; values?: unknown[]; entries?: Record<string, unknown> } };
}

function kindsOf(schema: ZodLike, into: Set<ValueKind>): void {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
      if (def.innerType) kindsOf(def.innerType, into);
      return;
    case 'array':
      if (def.element) kindsOf(def.element, into);
      return;
    case 'string':
    case 'enum':
      into.add('string');
      return;
    case 'literal':
      for (const value of def.values ?? []) into.add(typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string');
      return;
    case 'number':
      into.add('number');
      return;
    case 'boolean':
      into.add('boolean');
      return;
    default:
      into.add('any');
  }
}

function buildCatalogue(): Map<string, FieldInfo> {
  const kinds = new Map<string, Set<ValueKind>>();
  const add = (name: string, kind: ValueKind): void => {
    let set = kinds.get(name);
    if (set === undefined) kinds.set(name, (set = new Set()));
    set.add(kind);
  };
  for (const schema of Object.values(NODE_SCHEMAS)) {
    const shape = (schema as unknown as { shape: Record<string, ZodLike> }).shape;
    for (const [name, field] of Object.entries(shape)) {
      const set = new Set<ValueKind>();
      kindsOf(field, set);
      for (const kind of set) add(name, kind);
    }
  }
  // Virtual fields of the structural index (derived values, not properties).
  add('entity', 'string');
  add('day', 'number');
  const indexed = new Set(INDEXED_FIELDS.map((f) => f.name));
  return new Map([...kinds].map(([name, set]) => [name, { name, kinds: set, indexed: indexed.has(name) }]));
}

const CATALOGUE = buildCatalogue();
const INDEXED_BY_NAME = new Map<string, IndexedField>(INDEXED_FIELDS.map((f) => [f.name, f]));

/**
 * What is known about a field path: top-level node fields from the node schemas, the
 * index's virtual fields (`entity`), and dotted paths below them (`metadata.lang`,
 * `results.0.url`), which hold anything. Undefined for fields no node kind has.
 */
export function fieldInfo(path: string): FieldInfo | undefined {
  const dot = path.indexOf('.');
  if (dot === -1) return CATALOGUE.get(path);
  const root = CATALOGUE.get(path.slice(0, dot));
  if (root === undefined) return undefined;
  return { name: path, kinds: new Set<ValueKind>(['any']), indexed: false };
}

/** Every top-level field a filter may name. */
export function knownFields(): string[] {
  return [...CATALOGUE.keys()].sort();
}

function readPath(node: Node, path: string): unknown {
  let value: unknown = node;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function isScalar(value: unknown): value is Scalar {
  const type = typeof value;
  return type === 'string' || type === 'boolean' || (type === 'number' && !Number.isNaN(value));
}

/**
 * The scalar values a node holds in a field. Indexed fields use the structural index's
 * own extractor (so `label` is the normalised label and aliases, `entity` is
 * `TYPE:label`), which keeps post-filters and index lookups in exact agreement; other
 * fields read the property path, and arrays contribute their scalar elements.
 */
export function fieldValues(node: Node, path: string): Scalar[] {
  const indexed = INDEXED_BY_NAME.get(path);
  if (indexed !== undefined) return indexed.values(node) as Scalar[];
  const value = readPath(node, path);
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter(isScalar);
  return isScalar(value) ? [value] : [];
}

/** Whether a node has the field at all (an empty array counts as present). */
export function fieldPresent(node: Node, path: string): boolean {
  if (path === 'entity') return node.type === 'Entity';
  if (path === 'day') return node.type === 'Message';
  const value = readPath(node, path);
  return value !== undefined && value !== null;
}
