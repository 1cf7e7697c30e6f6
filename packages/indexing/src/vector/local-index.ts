// The main thread's read path. A round trip to the worker costs two thread wake-ups per
// query, which on a busy 2-core machine put the p99 over budget (measured: worker round
// trip p99 3.7–4.9 ms vs 0.45 ms in-thread). So searches run here, in-thread, against:
//
//   - the latest snapshot, memory-mapped read-only (usearch `view`: ~12 ms at 100k, no
//     copy; the worker, which owns the mutable index, wrote or verified the file), and
//   - a delta: every change applied since that snapshot, kept here as normalised vectors
//     and scanned exactly (native `exactSearch`), with the snapshot entries it replaces
//     or deletes shadowed.
//
// Each snapshot the worker saves becomes the new base, and the delta is cut back to the
// changes after it. A space whose delta outgrows `deltaLimit` stops recording vectors and
// is searched in the worker until a snapshot covers everything it skipped.

import { embeddingSpace } from '@tabagent/common';
import { exactSearch, Index, MetricKind, ScalarKind } from 'usearch';
import { expansionSearchFor, type Published, type PublishedSpace } from './protocol.js';
import type { ChangeBatch } from './replica.js';
import { TopNodes, type VectorHit } from './vector-math.js';

/** One space of the memory-mapped snapshot. */
class MappedSpace {
  readonly #index: Index | undefined;
  readonly #data: PublishedSpace;

  constructor(data: PublishedSpace, expansionSearch: number | 'auto') {
    this.#data = data;
    if (data.count > 0) {
      // Connectivity and metric come from the file; expansion_search is ours.
      this.#index = new Index({
        dimensions: data.dims,
        metric: MetricKind.IP,
        quantization: ScalarKind.F32,
        connectivity: 0,
        expansion_add: 0,
        expansion_search: expansionSearchFor(expansionSearch, data.count),
        multi: false,
      });
      this.#index.view(data.file);
    }
  }

  get count(): number {
    return this.#data.count;
  }

  #row(key: number): number {
    const keys = this.#data.keys;
    let lo = 0;
    let hi = keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const value = keys[mid]!;
      if (value === key) return mid;
      if (value < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Up to `k` nearest entries: ids, node ids and cosine scores, best first. */
  search(query: Float32Array, k: number): { ids: string[]; nodeIds: string[]; scores: number[] } {
    const out = { ids: [] as string[], nodeIds: [] as string[], scores: [] as number[] };
    const wanted = Math.min(k, this.#data.count);
    if (this.#index === undefined || wanted === 0) return out;
    const { keys, distances } = this.#index.search(query, wanted, 1);
    const d = this.#data;
    for (let i = 0; i < keys.length; i++) {
      const row = this.#row(Number(keys[i]));
      if (row < 0) continue;
      out.ids.push(d.idsText.slice(d.idOffsets[row], d.idOffsets[row + 1]));
      out.nodeIds.push(d.nodeIdsText.slice(d.nodeOffsets[row], d.nodeOffsets[row + 1]));
      out.scores.push(1 - distances[i]!);
    }
    return out;
  }
}

/** Changes of one space since the snapshot, as exact-scanned rows. */
class DeltaSpace {
  rows: Float32Array;
  ids: string[] = [];
  nodeIds: string[] = [];
  seqs: number[] = [];
  alive: Uint8Array;
  length = 0;
  live = 0;
  /** False after the delta outgrew its limit: changes are no longer kept here. */
  recording = true;
  /** Highest sequence of a change not kept here; the space is usable once a snapshot covers it. */
  gapUntil = 0;

  constructor(readonly dims: number) {
    this.rows = new Float32Array(16 * dims);
    this.alive = new Uint8Array(16);
  }

  append(id: string, nodeId: string, vector: Float32Array, seq: number): number {
    if (this.length === this.alive.length) {
      const rows = new Float32Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
      const alive = new Uint8Array(this.alive.length * 2);
      alive.set(this.alive);
      this.alive = alive;
    }
    const row = this.length++;
    // Normalised here once, so the scan is a plain inner product like the graph's.
    let sum = 0;
    for (let i = 0; i < this.dims; i++) sum += vector[i]! * vector[i]!;
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let i = 0; i < this.dims; i++) this.rows[row * this.dims + i] = vector[i]! * scale;
    this.ids[row] = id;
    this.nodeIds[row] = nodeId;
    this.seqs[row] = seq;
    this.alive[row] = 1;
    this.live++;
    return row;
  }

  kill(row: number): void {
    if (this.alive[row] === 1) {
      this.alive[row] = 0;
      this.live--;
    }
  }

  /** The `k` best nodes among the live rows (accepted by `accept`), exactly. */
  best(query: Float32Array, k: number, accept: ((nodeId: string) => boolean) | undefined): VectorHit[] {
    if (this.live === 0) return [];
    const dims = this.dims;
    if (this.length <= 64) {
      const top = new TopNodes(k);
      for (let row = 0; row < this.length; row++) {
        if (this.alive[row] !== 1 || (accept !== undefined && !accept(this.nodeIds[row]!))) continue;
        let dot = 0;
        for (let i = 0, o = row * dims; i < dims; i++) dot += query[i]! * this.rows[o + i]!;
        top.offer({ nodeId: this.nodeIds[row]!, embeddingId: this.ids[row]!, score: dot });
      }
      return top.results();
    }
    // Dead rows, filtered rows and several rows of one node can all crowd the top, so
    // only stop once k distinct nodes are in hand: nothing further down can beat them.
    // The dataset starts at offset 0 and the query is its own array (exactSearch ignores
    // subarray offsets).
    let wanted = accept === undefined ? Math.min(this.length, k + (this.length - this.live)) : this.length;
    for (;;) {
      const { keys, distances } = exactSearch(this.rows.subarray(0, this.length * dims), query, dims, wanted, MetricKind.IP, 1) as unknown as {
        keys: BigUint64Array;
        distances: Float32Array;
      };
      const top = new TopNodes(k);
      for (let i = 0; i < keys.length; i++) {
        const row = Number(keys[i]);
        if (this.alive[row] !== 1 || (accept !== undefined && !accept(this.nodeIds[row]!))) continue;
        top.offer({ nodeId: this.nodeIds[row]!, embeddingId: this.ids[row]!, score: 1 - distances[i]! });
      }
      if (top.size >= k || wanted >= this.length) return top.results();
      wanted = Math.min(this.length, wanted * 4);
    }
  }
}

interface Shadow {
  seq: number;
  space?: string;
  row?: number;
}

/** Main-thread search over the mapped snapshot plus the exact delta since it. */
export class LocalIndex {
  /** Sequence of the mapped snapshot (0: none). */
  seq = 0;
  /** Changes up to this sequence were never seen here (a store build); unusable until a snapshot covers them. */
  #gapUntil: number;
  #mapped = new Map<string, MappedSpace>();
  #delta = new Map<string, DeltaSpace>();
  /** Every embedding changed since the snapshot: its snapshot entry no longer counts. */
  #shadow = new Map<string, Shadow>();
  readonly #deltaLimit: number;
  readonly #expansionSearch: number | 'auto';

  constructor(options: { deltaLimit: number; expansionSearch: number | 'auto'; gapUntil?: number; published?: Published }) {
    this.#deltaLimit = options.deltaLimit;
    this.#expansionSearch = options.expansionSearch;
    this.#gapUntil = options.gapUntil ?? 0;
    if (options.published !== undefined) this.publish(options.published);
  }

  /** Records a batch posted to the worker, tagged with the change-log sequence it reaches. */
  record(batch: ChangeBatch, seq: number): void {
    for (const [id, embedding] of batch.entries()) {
      const previous = this.#shadow.get(id);
      if (previous?.row !== undefined) this.#delta.get(previous.space!)!.kill(previous.row);
      if (embedding === null) {
        this.#shadow.set(id, { seq });
        continue;
      }
      const space = embeddingSpace(embedding.model, embedding.dims);
      let delta = this.#delta.get(space);
      if (delta === undefined) this.#delta.set(space, (delta = new DeltaSpace(embedding.dims)));
      if (delta.recording && delta.live < this.#deltaLimit) {
        this.#shadow.set(id, { seq, space, row: delta.append(id, embedding.nodeId, embedding.vector, seq) });
      } else {
        delta.recording = false;
        delta.gapUntil = seq;
        this.#shadow.set(id, { seq });
      }
    }
  }

  /** Makes a newer snapshot the base and keeps only the changes after it. */
  publish(published: Published): void {
    if (published.seq < this.seq) return;
    this.#mapped = new Map(published.spaces.map((s) => [s.space, new MappedSpace(s, this.#expansionSearch)]));
    this.seq = published.seq;
    const shadow = new Map<string, Shadow>();
    const delta = new Map<string, DeltaSpace>();
    for (const [space, old] of this.#delta) {
      const fresh = new DeltaSpace(old.dims);
      fresh.gapUntil = old.gapUntil;
      delta.set(space, fresh);
    }
    for (const [id, entry] of this.#shadow) {
      if (entry.seq <= published.seq) continue;
      if (entry.row === undefined) {
        shadow.set(id, { seq: entry.seq });
        continue;
      }
      const old = this.#delta.get(entry.space!)!;
      const fresh = delta.get(entry.space!)!;
      const o = entry.row * old.dims;
      const row = fresh.append(id, old.nodeIds[entry.row]!, old.rows.subarray(o, o + old.dims), entry.seq);
      shadow.set(id, { seq: entry.seq, space: entry.space!, row });
    }
    this.#shadow = shadow;
    this.#delta = delta;
  }

  /** Whether this space can be searched here: everything since the snapshot is in the delta. */
  usable(space: string): boolean {
    const delta = this.#delta.get(space);
    return this.seq >= this.#gapUntil && (delta === undefined || (delta.recording && this.seq >= delta.gapUntil));
  }

  /** Rows kept in the delta, over all spaces. */
  get deltaSize(): number {
    let size = 0;
    for (const delta of this.#delta.values()) size += delta.live;
    return size;
  }

  /**
   * The `k` best nodes, or `undefined` when a filter is so selective that even `maxK`
   * snapshot candidates do not yield `k` (the caller then scans exactly).
   */
  search(space: string, query: Float32Array, k: number, accept: ((nodeId: string) => boolean) | undefined, maxK: number): VectorHit[] | undefined {
    const fromDelta = this.#delta.get(space)?.best(query, k, accept) ?? [];
    const mapped = this.#mapped.get(space);
    if (mapped === undefined) return fromDelta;
    // Shadowed entries, filters and several embeddings per node drop snapshot hits:
    // widen until k distinct usable nodes come from the snapshot itself (nothing below
    // them can then make the top k) or the snapshot is exhausted.
    let wanted = accept === undefined ? k + 8 : Math.max(4 * k, k + 32);
    for (;;) {
      const asked = Math.min(wanted, maxK);
      const found = mapped.search(query, asked);
      const fromSnapshot = new TopNodes(k);
      for (let i = 0; i < found.ids.length; i++) {
        const id = found.ids[i]!;
        if (this.#shadow.has(id)) continue;
        const nodeId = found.nodeIds[i]!;
        if (accept !== undefined && !accept(nodeId)) continue;
        fromSnapshot.offer({ nodeId, embeddingId: id, score: found.scores[i]! });
      }
      const exhausted = found.ids.length < asked || asked >= mapped.count;
      if (fromSnapshot.size >= k || exhausted) {
        const merged = new TopNodes(k);
        for (const hit of fromDelta) merged.offer(hit);
        for (const hit of fromSnapshot.results()) merged.offer(hit);
        return merged.results();
      }
      if (asked >= maxK) return undefined;
      wanted = asked * 4;
    }
  }
}
