import { DbError, ID_PREFIXES, throwIfAborted, type Node } from '@tabagent/common';
import { EMPTY_VALUE, EntryIndex, type Entries, type IndexedRecord } from '../entry-index.js';
import { encodeKeyValue, escapeComponent, HIGH, lastComponent, prefixRange, SEP, unescapeString, type KeyValue } from '../keys/tuple-key.js';
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

/** Key prefix of the (chat, time) order of messages: not a node field, so `@` keeps it apart from them. */
const TIMELINE = '@chatTimeline';

/** A message's key in the (chat, time) order: chat id, time as fixed-width base 36 (sorts as numbers), message id. */
function timelineKey(chatId: string, timestamp: number, id: string): string {
  const time = Math.max(0, Math.floor(timestamp)).toString(36).padStart(11, '0');
  return `${TIMELINE}${SEP}${escapeComponent(chatId)}${SEP}${time}${SEP}${id}`;
}

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
    if (node.type === 'Message') into.set(timelineKey(node.chatId, node.timestamp, node.id), EMPTY_VALUE);
  }

  /**
   * One page of a chat's messages in conversation order (by `timestamp`, then id) read
   * from the (chat, time) order — keys only, so a page of a long chat costs its own
   * size, not the chat's. `complete` is false when some of the chat's messages have no
   * entry in that order yet (a database indexed before it existed, until a reindex);
   * the caller then sorts the messages itself.
   */
  async chatTimeline(chatId: string, options: { offset: number; limit: number; reverse?: boolean; signal?: AbortSignal }): Promise<{ ids: string[]; total: number; complete: boolean }> {
    const prefix = `${TIMELINE}${SEP}${escapeComponent(chatId)}${SEP}`;
    const range = { gte: prefix, lt: `${prefix}${HIGH}` };
    const total = await this.#countKeys(range, options.signal);
    const messages = await this.#countKeys(this.#ranges('chatId', { eq: chatId })[0]!, options.signal, `${ID_PREFIXES.Message}_`);
    if (total !== messages) return { ids: [], total, complete: false };
    const wanted = options.offset + options.limit;
    const keys = wanted <= 0 ? [] : await this.store.keys({ ...range, reverse: options.reverse === true, limit: wanted }).all();
    return { ids: keys.slice(options.offset).map(lastComponent), total, complete: true };
  }

  /** Keys in a range (optionally only those whose id starts with `idPrefix`), counted without collecting them. */
  async #countKeys(range: Range, signal: AbortSignal | undefined, idPrefix?: string): Promise<number> {
    let count = 0;
    const iterator = this.store.keys(range);
    try {
      for (;;) {
        throwIfAborted(signal);
        const keys = await iterator.nextv(1_000);
        if (keys.length === 0) return count;
        if (idPrefix === undefined) count += keys.length;
        else for (const key of keys) if (lastComponent(key).startsWith(idPrefix)) count++;
      }
    } finally {
      await iterator.close();
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
