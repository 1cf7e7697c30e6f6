import { DbError, throwIfAborted, type Node } from '@tabagent/common';
import { EMPTY_VALUE, EntryIndex, type Entries, type IndexedRecord } from '../entry-index.js';
import { encodeKeyValue, HIGH, lastComponent, prefixRange, SEP, unescapeString, type KeyValue } from '../keys/tuple-key.js';
import { INDEXED_FIELDS, INDEXED_FIELD_NAMES } from './indexed-fields.js';

/** A condition on one indexed field. */
export type FieldCondition =
  | { eq: KeyValue }
  | { in: readonly KeyValue[] }
  | { prefix: string }
  | { gt?: number | string; gte?: number | string; lt?: number | string; lte?: number | string };

export interface LookupOptions {
  /** Stop after this many ids. */
  limit?: number;
  signal?: AbortSignal;
}

type Range = { gt?: string; gte?: string; lt?: string; lte?: string };

/**
 * Secondary indexes over declared node fields (`INDEXED_FIELDS`): one key per
 * (field, value, node id), so equality, `in`, prefix and range lookups are ordered
 * range scans, and counts are bounded key scans.
 *
 * @example
 * await structural.lookup('chatId', { eq: chat.id });
 * await structural.lookup('timestamp', { gte: from, lt: to });
 */
export class StructuralIndex extends EntryIndex {
  readonly name = 'structural';
  protected readonly covers = { nodes: true, edges: false };
  /** 2: the `day` field (days a message is about). */
  protected override readonly version = 2;

  protected entriesFor(item: IndexedRecord, into: Entries): void {
    const node = item.record as Node;
    for (let f = 0; f < INDEXED_FIELDS.length; f++) {
      const field = INDEXED_FIELDS[f]!;
      const values = field.values(node);
      for (let v = 0; v < values.length; v++) into.set(`${field.name}${SEP}${encodeKeyValue(values[v]!)}${SEP}${node.id}`, EMPTY_VALUE);
    }
  }

  /** The field names this index covers. */
  get fields(): readonly string[] {
    return INDEXED_FIELDS.map((f) => f.name);
  }

  isIndexed(field: string): boolean {
    return INDEXED_FIELD_NAMES.has(field);
  }

  #ranges(field: string, condition: FieldCondition): Range[] {
    if (!this.isIndexed(field)) {
      throw new DbError('INVALID_ARGUMENT', `${field}: not an indexed field (indexed: ${this.fields.join(', ')})`, {
        details: { field },
      });
    }
    const base = `${field}${SEP}`;
    const exact = (value: KeyValue): Range => {
      const prefix = `${base}${encodeKeyValue(value)}${SEP}`;
      return { gte: prefix, lt: `${prefix}${HIGH}` };
    };
    if ('eq' in condition) return [exact(condition.eq)];
    if ('in' in condition) {
      if (!Array.isArray(condition.in)) throw new DbError('INVALID_ARGUMENT', `${field}.in: expected an array`, { details: { field } });
      return [...new Set(condition.in)].map(exact);
    }
    if ('prefix' in condition) {
      if (typeof condition.prefix !== 'string') throw new DbError('INVALID_ARGUMENT', `${field}.prefix: expected a string`, { details: { field } });
      const { gte, lt } = prefixRange(condition.prefix);
      return [{ gte: `${base}${gte}`, lt: `${base}${lt}` }];
    }
    const { gt, gte, lt, lte } = condition;
    const bounds = [gt, gte, lt, lte].filter((b) => b !== undefined);
    if (bounds.length === 0) throw new DbError('INVALID_ARGUMENT', `${field}: empty condition`, { details: { field } });
    const kinds = new Set(bounds.map((b) => typeof b));
    if (kinds.size > 1 || (!kinds.has('number') && !kinds.has('string'))) {
      throw new DbError('INVALID_ARGUMENT', `${field}: range bounds must all be numbers or all strings`, { details: { field } });
    }
    const range: Range = {};
    // Keys are value + SEP + id: the bounds must include / exclude all ids of a value.
    if (gt !== undefined) range.gt = `${base}${encodeKeyValue(gt)}${SEP}${HIGH}`;
    if (gte !== undefined) range.gte = `${base}${encodeKeyValue(gte)}${SEP}`;
    if (lt !== undefined) range.lt = `${base}${encodeKeyValue(lt)}${SEP}`;
    if (lte !== undefined) range.lte = `${base}${encodeKeyValue(lte)}${SEP}${HIGH}`;
    // Stay within this field and within the bounds' value type.
    const typeTag = typeof bounds[0] === 'number' ? 'n' : 's';
    if (range.gt === undefined && range.gte === undefined) range.gte = `${base}${typeTag}`;
    if (range.lt === undefined && range.lte === undefined) range.lt = `${base}${typeTag}${HIGH}`;
    return [range];
  }

  /** Node ids matching a condition, in index order (by value, then id). */
  async lookup(field: string, condition: FieldCondition, options: LookupOptions = {}): Promise<string[]> {
    const ids: string[] = [];
    const limit = options.limit ?? Infinity;
    for (const range of this.#ranges(field, condition)) {
      throwIfAborted(options.signal, 'lookup aborted');
      const remaining = limit - ids.length;
      if (remaining <= 0) break;
      const keys = await this.store.keys({ ...range, limit: Number.isFinite(remaining) ? remaining : -1 }).all();
      for (const key of keys) ids.push(lastComponent(key));
    }
    return ids;
  }

  /**
   * The distinct string values of a field, in order (e.g. every message `sender`), at
   * most `limit` (default 1,000): one seek per value, however many nodes share it.
   *
   * @example await structural.distinctStrings('sender') // ['alice', 'bob']
   */
  async distinctStrings(field: string, options: LookupOptions = {}): Promise<string[]> {
    const limit = options.limit ?? 1_000;
    const base = `${field}${SEP}s`;
    this.#ranges(field, { prefix: '' });
    const values: string[] = [];
    const iterator = this.store.keys({ gte: base, lt: `${base}${HIGH}` });
    try {
      while (values.length < limit) {
        throwIfAborted(options.signal, 'lookup aborted');
        const key = await iterator.next();
        if (key === undefined) break;
        const encoded = key.slice(field.length + 1, key.lastIndexOf(SEP));
        values.push(unescapeString(encoded.slice(1)));
        iterator.seek(`${field}${SEP}${encoded}${SEP}${HIGH}`);
      }
    } finally {
      await iterator.close();
    }
    return values;
  }

  /**
   * How many nodes match, counting at most `cap` keys: exact below the cap, "at least
   * cap" above it — enough for a planner to pick the most selective constraint.
   */
  async estimate(field: string, condition: FieldCondition, cap = 10_000): Promise<{ count: number; exact: boolean }> {
    let count = 0;
    for (const range of this.#ranges(field, condition)) {
      const keys = await this.store.keys({ ...range, limit: cap - count + 1 }).all();
      count += keys.length;
      if (count > cap) return { count: cap, exact: false };
    }
    return { count, exact: true };
  }
}
