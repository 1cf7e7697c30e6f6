import { DbError, type Edge } from '@tabagent/common';
import type { ChangeConsumer, ChangeStretch } from '@tabagent/storage';
import { encodeRecord, decodeRecord } from '@tabagent/storage';
import { EntryIndex, type Entries, type IndexedRecord } from '../entry-index.js';
import { SEP } from '../keys/tuple-key.js';

export type Direction = 'out' | 'in' | 'both';

/** One adjacent node, reached over one edge. */
export interface Neighbor {
  nodeId: string;
  edgeId: string;
  type: string;
  /** `out`: the edge goes from the queried node to this one; `in`: the other way. */
  direction: 'out' | 'in';
  weight?: number;
}

export interface NeighborOptions {
  direction?: Direction;
  /** Only edges of these types (default: all). */
  edgeTypes?: readonly string[];
}

interface AdjacencyEntry {
  other: string;
  type: string;
  edgeId: string;
  weight: number | undefined;
}

interface Adjacency {
  out: AdjacencyEntry[];
  in: AdjacencyEntry[];
}

// Keys: o␀from␀type␀to␀edgeId and i␀to␀type␀from␀edgeId; value: msgpack weight or nil.
function outKey(edge: Edge): string {
  return `o${SEP}${edge.from}${SEP}${edge.type}${SEP}${edge.to}${SEP}${edge.id}`;
}
function inKey(edge: Edge): string {
  return `i${SEP}${edge.to}${SEP}${edge.type}${SEP}${edge.from}${SEP}${edge.id}`;
}

function checkDirection(direction: unknown): Direction {
  if (direction !== 'out' && direction !== 'in' && direction !== 'both') {
    throw new DbError('INVALID_ARGUMENT', `direction: expected out, in or both, got ${JSON.stringify(direction)}`, {
      details: { field: 'direction' },
    });
  }
  return direction;
}

/**
 * Adjacency in both directions, persisted as keys (node, edge type, other node, edge)
 * written in the data's batch, and mirrored in memory once loaded so that multi-hop
 * traversals cost map lookups rather than one LevelDB range scan per visited node.
 * Until the mirror is loaded (in the background after `attach`), lookups use range
 * scans over the persisted keys — same answers, just slower.
 */
export class GraphIndex extends EntryIndex {
  readonly name = 'graph';
  protected readonly covers = { nodes: false, edges: true };
  #memory: Map<string, Adjacency> | undefined;
  #loading: Promise<void> | undefined;
  #follower: ChangeConsumer | undefined;
  #pending: ChangeStretch[] | undefined;

  protected entriesFor(item: IndexedRecord, into: Entries): void {
    const edge = item.record as Edge;
    const value = encodeRecord(edge.weight ?? null);
    into.set(outKey(edge), value);
    into.set(inKey(edge), value);
  }

  protected override async afterOpen(): Promise<void> {
    this.#startLoading();
  }

  #startLoading(): void {
    this.#loading = this.#loadMemory().catch(() => {
      // A failed load leaves range scans in charge; answers stay correct.
      this.#stopFollowing();
      this.#memory = undefined;
    });
  }

  /** Resolves once the in-memory mirror is loaded. */
  async ready(): Promise<void> {
    await this.#loading;
  }

  get inMemory(): boolean {
    return this.#memory !== undefined;
  }

  /** Drops the in-memory mirror (lookups fall back to range scans) — to free memory, or to compare the two paths. */
  unloadMirror(): void {
    this.#stopFollowing();
    this.#memory = undefined;
  }

  override async close(): Promise<void> {
    this.#stopFollowing();
    await this.#loading;
    this.#memory = undefined;
  }

  #stopFollowing(): void {
    void this.#follower?.stop();
    this.#follower = undefined;
  }

  async #loadMemory(): Promise<void> {
    const context = this.context!;
    const memory = new Map<string, Adjacency>();
    // A snapshot and a live follower from the same point: commits after it are buffered, then replayed.
    const snapshot = await context.snapshot();
    this.#pending = [];
    this.#follower = context.consume({ after: snapshot.seq, handle: (stretch) => this.#applyToMemory(stretch) });
    const seq = snapshot.seq;
    try {
      const iterator = this.store.iterator({ gte: `o${SEP}`, lt: `o\u0001`, snapshot: snapshot.handle } as never);
      try {
        for (let chunk = await iterator.nextv(10_000); chunk.length > 0; chunk = await iterator.nextv(10_000)) {
          for (const [key, value] of chunk) {
            const [, from, type, to, edgeId] = key.split(SEP) as [string, string, string, string, string];
            const weight = decodeRecord<number | null>(value, key) ?? undefined;
            this.#link(memory, { id: edgeId, from, to, type, weight } as Edge);
          }
        }
      } finally {
        await iterator.close();
      }
    } finally {
      await snapshot.close();
    }
    const pending = this.#pending;
    this.#pending = undefined;
    this.#memory = memory;
    for (const info of pending) this.#applyToMemory(info, seq);
  }

  #link(memory: Map<string, Adjacency>, edge: Edge): void {
    const entry = (id: string): Adjacency => {
      let adjacency = memory.get(id);
      if (adjacency === undefined) memory.set(id, (adjacency = { out: [], in: [] }));
      return adjacency;
    };
    entry(edge.from).out.push({ other: edge.to, type: edge.type, edgeId: edge.id, weight: edge.weight });
    entry(edge.to).in.push({ other: edge.from, type: edge.type, edgeId: edge.id, weight: edge.weight });
  }

  #unlink(memory: Map<string, Adjacency>, edge: Edge): void {
    for (const [id, side] of [[edge.from, 'out'], [edge.to, 'in']] as const) {
      const adjacency = memory.get(id);
      if (adjacency === undefined) continue;
      adjacency[side] = adjacency[side].filter((e) => e.edgeId !== edge.id);
      if (adjacency.out.length === 0 && adjacency.in.length === 0) memory.delete(id);
    }
  }

  #applyToMemory(info: ChangeStretch, afterSeq = 0): void {
    if (this.#pending !== undefined) {
      this.#pending.push(info);
      return;
    }
    const memory = this.#memory;
    if (memory === undefined) return;
    if (info.changes === undefined) {
      // Read back from the log (the follower fell behind): only a reload is exact.
      this.#stopFollowing();
      this.#memory = undefined;
      this.#startLoading();
      return;
    }
    for (const change of info.changes) {
      if (change.entity !== 'edge' || change.seq <= afterSeq) continue;
      if (change.before) this.#unlink(memory, change.before);
      if (change.after) this.#link(memory, change.after);
    }
  }

  protected override async afterRebuild(): Promise<void> {
    this.#stopFollowing();
    this.#memory = undefined;
    this.#startLoading();
  }

  /** Neighbours of a node in memory, or undefined when the mirror is not loaded. */
  neighborsSync(nodeId: string, options: NeighborOptions = {}): Neighbor[] | undefined {
    const memory = this.#memory;
    if (memory === undefined) return undefined;
    const direction = checkDirection(options.direction ?? 'out');
    const adjacency = memory.get(nodeId);
    if (adjacency === undefined) return [];
    const types = options.edgeTypes === undefined ? undefined : new Set(options.edgeTypes);
    const result: Neighbor[] = [];
    const add = (entries: AdjacencyEntry[], side: 'out' | 'in'): void => {
      for (const e of entries) {
        if (types !== undefined && !types.has(e.type)) continue;
        const neighbor: Neighbor = { nodeId: e.other, edgeId: e.edgeId, type: e.type, direction: side };
        if (e.weight !== undefined) neighbor.weight = e.weight;
        result.push(neighbor);
      }
    };
    if (direction !== 'in') add(adjacency.out, 'out');
    if (direction !== 'out') add(adjacency.in, 'in');
    return result;
  }

  /** Neighbours of a node over edges of the given types and direction. */
  async neighbors(nodeId: string, options: NeighborOptions = {}): Promise<Neighbor[]> {
    const fromMemory = this.neighborsSync(nodeId, options);
    if (fromMemory !== undefined) return fromMemory;
    const direction = checkDirection(options.direction ?? 'out');
    const result: Neighbor[] = [];
    const sides = direction === 'both' ? (['out', 'in'] as const) : ([direction] as const);
    for (const side of sides) {
      const tag = side === 'out' ? 'o' : 'i';
      const prefixes = options.edgeTypes === undefined
        ? [`${tag}${SEP}${nodeId}${SEP}`]
        : [...new Set(options.edgeTypes)].map((type) => `${tag}${SEP}${nodeId}${SEP}${type}${SEP}`);
      for (const prefix of prefixes) {
        const entries = await this.store.iterator({ gte: prefix, lt: `${prefix}\u{10FFFF}` }).all();
        for (const [key, value] of entries) {
          const [, , type, other, edgeId] = key.split(SEP) as [string, string, string, string, string];
          const weight = decodeRecord<number | null>(value, key);
          const neighbor: Neighbor = { nodeId: other, edgeId, type, direction: side };
          if (weight !== null) neighbor.weight = weight;
          result.push(neighbor);
        }
      }
    }
    return result;
  }

  /** Number of edges at a node, by direction and type. */
  async degree(nodeId: string, options: NeighborOptions = {}): Promise<number> {
    return (await this.neighbors(nodeId, options)).length;
  }

  /**
   * Every node within `depth` hops of `start` (breadth-first), with its hop count.
   * The start node has depth 0.
   */
  async neighborhood(start: string, depth: number, options: NeighborOptions & { maxNodes?: number } = {}): Promise<Map<string, number>> {
    if (!Number.isInteger(depth) || depth < 0 || depth > 10) {
      throw new DbError('INVALID_ARGUMENT', 'depth: expected an integer from 0 to 10', { details: { field: 'depth' } });
    }
    const maxNodes = options.maxNodes ?? 1_000_000;
    const seen = new Map<string, number>([[start, 0]]);
    let frontier = [start];
    for (let level = 1; level <= depth && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const id of frontier) {
        const neighbors = this.neighborsSync(id, options) ?? (await this.neighbors(id, options));
        for (const n of neighbors) {
          if (seen.has(n.nodeId)) continue;
          seen.set(n.nodeId, level);
          next.push(n.nodeId);
          if (seen.size >= maxNodes) return seen;
        }
      }
      frontier = next;
    }
    return seen;
  }
}
