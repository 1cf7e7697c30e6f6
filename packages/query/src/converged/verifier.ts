import { ID_PREFIXES, type Node, type NodeType } from '@tabagent/common';
import { matchesConditions, type FieldConditions } from './field-condition.js';
import type { NodeReader } from './node-reader.js';

/**
 * The checks no index stage enforced: node kinds (by id prefix, then on the record),
 * and field conditions evaluated on records — non-indexed fields, `ne`, `contains`,
 * `exists`, and index constraints the planner chose to check rather than look up.
 */
export class Verifier {
  readonly #types: ReadonlySet<string> | undefined;
  readonly #prefixes: readonly string[] | undefined;
  readonly #conditions: [string, FieldConditions][] = [];
  readonly #within: { label: string; ids: ReadonlySet<string> }[] = [];
  readonly #reader: NodeReader;

  constructor(types: readonly string[] | undefined, reader: NodeReader) {
    this.#types = types === undefined ? undefined : new Set(types);
    this.#prefixes = types?.map((type) => `${ID_PREFIXES[type as NodeType]}_`);
    this.#reader = reader;
  }

  /** Adds conditions on a field to check on records. */
  add(field: string, conditions: FieldConditions): void {
    this.#conditions.push([field, conditions]);
  }

  /** Restricts accepted ids to a set (a graph filter that was not the driver). */
  restrictTo(label: string, ids: ReadonlySet<string>): void {
    this.#within.push({ label, ids });
  }

  /** True when some ids are rejected at all (kinds, sets or record checks). */
  get restricts(): boolean {
    return this.#types !== undefined || this.#within.length > 0 || this.#conditions.length > 0;
  }

  /** True when accepting an id needs its record (not just its prefix). */
  get needsRecords(): boolean {
    return this.#conditions.length > 0;
  }

  /** Human-readable list of the record checks (for explain). */
  describe(): string[] {
    return [
      ...this.#within.map((w) => `${w.label} (${w.ids.size} nodes)`),
      ...this.#conditions.map(([field, c]) => `${field} ${Object.entries(c).map(([op, v]) => `${op} ${JSON.stringify(v)}`).join(' ')}`),
    ];
  }

  /** The cheap part: the node kind from the id's prefix, and set memberships. */
  acceptsId(id: string): boolean {
    for (const w of this.#within) if (!w.ids.has(id)) return false;
    const prefixes = this.#prefixes;
    if (prefixes === undefined) return true;
    for (let i = 0; i < prefixes.length; i++) if (id.startsWith(prefixes[i]!)) return true;
    return false;
  }

  /** Every check on a record already read. */
  acceptsNode(node: Node): boolean {
    if (this.#types !== undefined && !this.#types.has(node.type)) return false;
    for (const [field, c] of this.#conditions) if (!matchesConditions(node, field, c)) return false;
    return true;
  }

  /** Every check, reading the record when needed. */
  accepts(id: string): boolean {
    if (!this.acceptsId(id)) return false;
    if (this.#conditions.length === 0) return true;
    const node = this.#reader.get(id);
    return node !== undefined && this.acceptsNode(node);
  }
}
