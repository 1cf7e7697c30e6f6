// The vector worker: owns the usearch HNSW indexes (one per embedding space) and their
// key mapping, and does every synchronous native call — adds, searches, snapshot save
// and load — so the database's thread never blocks on them. Requests are handled one at
// a time in arrival order, so a search sees every change posted before it.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import { Index, MetricKind, ScalarKind } from 'usearch';
import {
  expansionSearchFor,
  WORKER_ROLE,
  WorkerError,
  type ApplyRequest,
  type ApplyResponse,
  type EntriesResponse,
  type HnswParams,
  type LoadResponse,
  type Published,
  type PublishedSpace,
  type RequestEnvelope,
  type ResponseEnvelope,
  type SaveResponse,
  type SearchResponse,
  type SpaceInfo,
  type WorkerRequest,
} from './protocol.js';
import {
  checkFile,
  CorruptSnapshotError,
  describeFile,
  readManifest,
  removeUnreferenced,
  snapshotFileName,
  writeManifest,
  type SnapshotManifest,
  type SnapshotSpace,
  type SpaceMap,
} from './snapshot-files.js';

/** URL of this module: the worker entry in source form, the package bundle once built. */
export const WORKER_MODULE_URL: string = import.meta.url;

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

/** Vectors of a space inserted on one thread before usearch may insert in parallel. */
const SEED_VECTORS = 1_024;

interface Entry {
  id: string;
  nodeId: string;
  key: number;
  fingerprint: number;
  space: SpaceIndex;
}

/** Fingerprint of a vector as stored, to spot stale entries in `verify()`. */
export function vectorFingerprint(vector: Float32Array): number {
  return crc32(new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
}

function newIndex(dims: number, params: HnswParams, count = 0): Index {
  return new Index({
    dimensions: dims,
    metric: MetricKind.IP,
    quantization: ScalarKind.F32,
    connectivity: params.connectivity,
    expansion_add: params.expansionAdd,
    // Fixed for the life of this object: a space that grows is re-created with a longer
    // list on its next load (and the main thread re-maps each new snapshot).
    expansion_search: expansionSearchFor(params.expansionSearch, count),
    multi: false,
  });
}

/** Scales a row to unit length in place; false for rows that cannot be (zero or non-finite). */
function normaliseRow(vectors: Float32Array, offset: number, dims: number): boolean {
  let sum = 0;
  for (let i = offset; i < offset + dims; i++) sum += vectors[i]! * vectors[i]!;
  if (!(sum > 0) || !Number.isFinite(sum)) return false;
  const scale = 1 / Math.sqrt(sum);
  for (let i = offset; i < offset + dims; i++) vectors[i]! *= scale;
  return true;
}

class SpaceIndex {
  readonly byKey = new Map<number, Entry>();
  nextKey = 1;

  constructor(
    readonly space: string,
    readonly model: string,
    readonly dims: number,
    public index: Index,
  ) {}

  info(): SpaceInfo {
    return { space: this.space, model: this.model, dims: this.dims, count: this.byKey.size };
  }
}

/** The state of one worker: every space's usearch index and key mapping. */
export class VectorWorkerState {
  readonly #params: HnswParams;
  #spaces = new Map<string, SpaceIndex>();
  #byId = new Map<string, Entry>();

  constructor(params: HnswParams) {
    this.#params = params;
  }

  handle(request: WorkerRequest): { response: unknown; transfer?: ArrayBuffer[] } {
    switch (request.op) {
      case 'load': {
        const response = this.load(request.dir);
        return { response, transfer: response.status === 'loaded' ? publishedBuffers(response.published) : [] };
      }
      case 'reset':
        this.reset();
        return { response: null };
      case 'apply':
        return { response: this.apply(request) };
      case 'search': {
        const response = this.search(request.space, request.vector, request.k);
        return { response, transfer: [response.scores.buffer as ArrayBuffer] };
      }
      case 'save': {
        const response = this.save(request.dir, request.seq);
        return { response, transfer: publishedBuffers(response.published) };
      }
      case 'entries':
        return { response: this.entries() };
    }
  }

  reset(): void {
    this.#spaces = new Map();
    this.#byId = new Map();
  }

  #space(space: string, model: string, dims: number): SpaceIndex {
    let found = this.#spaces.get(space);
    if (found === undefined) {
      found = new SpaceIndex(space, model, dims, newIndex(dims, this.#params));
      this.#spaces.set(space, found);
    }
    if (found.dims !== dims) throw new WorkerError('INTERNAL', `space ${space} has ${found.dims} dimensions, got ${dims}`);
    return found;
  }

  #remove(entry: Entry): void {
    entry.space.index.remove(BigInt(entry.key));
    entry.space.byKey.delete(entry.key);
    this.#byId.delete(entry.id);
  }

  /** Removes, then adds or replaces. Ids are unique within one request (the sender dedupes). */
  apply(request: ApplyRequest): ApplyResponse {
    const touched = new Set<SpaceIndex>();
    for (const id of request.removes) {
      const entry = this.#byId.get(id);
      if (entry === undefined) continue;
      touched.add(entry.space);
      this.#remove(entry);
    }
    let rejected = 0;
    for (const group of request.upserts) {
      const space = this.#space(group.space, group.model, group.dims);
      touched.add(space);
      const { dims, vectors } = group;
      const keys = new BigUint64Array(group.ids.length);
      let rows = 0;
      for (let i = 0; i < group.ids.length; i++) {
        const id = group.ids[i]!;
        const nodeId = group.nodeIds[i]!;
        const offset = i * dims;
        const fingerprint = vectorFingerprint(vectors.subarray(offset, offset + dims));
        const existing = this.#byId.get(id);
        // Catch-up replays changes the snapshot or the store scan already covered.
        if (existing !== undefined && existing.space === space && existing.fingerprint === fingerprint && existing.nodeId === nodeId) continue;
        if (existing !== undefined) {
          touched.add(existing.space);
          this.#remove(existing);
        }
        if (!normaliseRow(vectors, offset, dims)) {
          rejected++;
          continue;
        }
        const key = space.nextKey++;
        const entry: Entry = { id, nodeId, key, fingerprint, space };
        space.byKey.set(key, entry);
        this.#byId.set(id, entry);
        keys[rows] = BigInt(key);
        if (rows !== i) vectors.copyWithin(rows * dims, offset, offset + dims);
        rows++;
      }
      if (rows > 0) {
        // Concurrent inserts into a near-empty graph can leave nodes no search reaches
        // (measured: recall 0.995 with ef ≥ n on 300 vectors), so the first SEED_VECTORS of
        // a space go in on one thread. usearch's threads pay off for bulk adds only.
        const seed = Math.min(rows, Math.max(0, SEED_VECTORS - space.index.size()));
        if (seed > 0) space.index.add(keys.slice(0, seed), vectors.subarray(0, seed * dims), 1);
        const rest = rows - seed;
        if (rest > 0) {
          space.index.add(keys.slice(seed, rows), vectors.subarray(seed * dims, rows * dims), rest >= 64 ? request.threads : 1);
        }
      }
    }
    return { spaces: [...touched].map((s) => s.info()), rejected };
  }

  search(spaceName: string, vector: Float32Array, k: number): SearchResponse {
    const space = this.#spaces.get(spaceName);
    const count = space?.byKey.size ?? 0;
    const wanted = Math.min(k, count);
    if (space === undefined || wanted === 0) return { ids: [], nodeIds: [], scores: new Float32Array(0), count };
    const matches = space.index.search(vector, wanted, 1);
    const ids: string[] = [];
    const nodeIds: string[] = [];
    const scores = new Float32Array(matches.keys.length);
    for (let i = 0; i < matches.keys.length; i++) {
      const entry = space.byKey.get(Number(matches.keys[i]));
      if (entry === undefined) continue;
      scores[ids.length] = 1 - matches.distances[i]!;
      ids.push(entry.id);
      nodeIds.push(entry.nodeId);
    }
    return { ids, nodeIds, scores: scores.slice(0, ids.length), count };
  }

  /** Writes a snapshot covering change-log sequence `seq` and publishes it atomically. */
  save(dir: string, seq: number): SaveResponse {
    mkdirSync(dir, { recursive: true });
    const previous = safeManifest(dir);
    // Leftovers of an interrupted save would otherwise accumulate.
    removeUnreferenced(dir, previous);
    const tag = randomBytes(6).toString('hex');
    const spaces: SnapshotSpace[] = [];
    let spaceNo = 0;
    for (const space of this.#spaces.values()) {
      const indexFile = snapshotFileName(seq, spaceNo, tag, 'usearch');
      const mapFile = snapshotFileName(seq, spaceNo, tag, 'map');
      spaceNo++;
      space.index.save(join(dir, indexFile));
      const map: SpaceMap = { nextKey: space.nextKey, keys: [], ids: [], nodeIds: [], fingerprints: [] };
      for (const entry of space.byKey.values()) {
        map.keys.push(entry.key);
        map.ids.push(entry.id);
        map.nodeIds.push(entry.nodeId);
        map.fingerprints.push(entry.fingerprint);
      }
      // describeFile fsyncs both files before the manifest names them.
      writeFileSync(join(dir, mapFile), packr.pack(map));
      spaces.push({
        space: space.space,
        model: space.model,
        dims: space.dims,
        count: space.byKey.size,
        index: describeFile(dir, indexFile),
        map: describeFile(dir, mapFile),
      });
    }
    const manifest: SnapshotManifest = {
      format: 'tabagent-vector-snapshot',
      version: 1,
      seq,
      createdAt: Date.now(),
      metric: 'ip',
      params: this.#params,
      spaces,
    };
    writeManifest(dir, manifest);
    removeUnreferenced(dir, manifest);
    const bytes = spaces.reduce((sum, s) => sum + s.index.bytes + s.map.bytes, 0);
    return {
      seq,
      bytes,
      spaces: spaces.map(({ space, model, dims, count }) => ({ space, model, dims, count })),
      published: this.#published(dir, manifest),
    };
  }

  /** The compact mapping of every space, for the main thread's memory-mapped copy. */
  #published(dir: string, manifest: SnapshotManifest): Published {
    const spaces: PublishedSpace[] = [];
    for (const entry of manifest.spaces) {
      const space = this.#spaces.get(entry.space)!;
      // Keys are handed out in increasing order and a Map iterates in insertion order.
      const entries = [...space.byKey.values()];
      const keys = new Float64Array(entries.length);
      const idOffsets = new Uint32Array(entries.length + 1);
      const nodeOffsets = new Uint32Array(entries.length + 1);
      let idsText = '';
      let nodeIdsText = '';
      entries.forEach((e, i) => {
        if (i > 0 && e.key <= keys[i - 1]!) throw new WorkerError('INTERNAL', `keys of ${entry.space} are out of order`);
        keys[i] = e.key;
        idsText += e.id;
        nodeIdsText += e.nodeId;
        idOffsets[i + 1] = idsText.length;
        nodeOffsets[i + 1] = nodeIdsText.length;
      });
      spaces.push({ ...space.info(), file: join(dir, entry.index.file), keys, idsText, idOffsets, nodeIdsText, nodeOffsets });
    }
    return { seq: manifest.seq, params: manifest.params, spaces };
  }

  /** Loads the published snapshot after checking every file against the manifest. */
  load(dir: string): LoadResponse {
    this.reset();
    try {
      const manifest = readManifest(dir);
      if (manifest === undefined) return { status: 'missing' };
      let bytes = 0;
      for (const entry of manifest.spaces) {
        // Checksums first: usearch must never parse a damaged file.
        const indexPath = checkFile(dir, entry.index);
        const mapPath = checkFile(dir, entry.map);
        bytes += entry.index.bytes + entry.map.bytes;
        const index = newIndex(entry.dims, this.#params, entry.count);
        index.load(indexPath);
        if (index.dimensions() !== entry.dims) throw new CorruptSnapshotError(`${entry.index.file} has ${index.dimensions()} dimensions, expected ${entry.dims}`);
        const map = decodeMap(mapPath, entry);
        const space = new SpaceIndex(entry.space, entry.model, entry.dims, index);
        space.nextKey = map.nextKey;
        for (let i = 0; i < map.keys.length; i++) {
          const key = map.keys[i]!;
          const record: Entry = { id: map.ids[i]!, nodeId: map.nodeIds[i]!, key, fingerprint: map.fingerprints[i]!, space };
          if (key >= map.nextKey || space.byKey.has(key) || this.#byId.has(record.id)) {
            throw new CorruptSnapshotError(`${entry.map.file} has an inconsistent entry for ${record.id}`);
          }
          space.byKey.set(key, record);
          this.#byId.set(record.id, record);
        }
        if (index.size() !== space.byKey.size) {
          throw new CorruptSnapshotError(`${entry.index.file} holds ${index.size()} vectors, its map ${space.byKey.size}`);
        }
        this.#spaces.set(entry.space, space);
      }
      return {
        status: 'loaded',
        seq: manifest.seq,
        params: manifest.params,
        spaces: [...this.#spaces.values()].map((s) => s.info()),
        bytes,
        published: this.#published(dir, manifest),
      };
    } catch (err) {
      this.reset();
      if (err instanceof CorruptSnapshotError) return { status: 'corrupt', reason: err.message };
      return { status: 'corrupt', reason: `snapshot cannot be loaded: ${(err as Error).message}` };
    }
  }

  entries(): EntriesResponse {
    return {
      spaces: [...this.#spaces.values()].map((space) => {
        const ids: string[] = [];
        const nodeIds: string[] = [];
        const fingerprints: number[] = [];
        const keys = new BigUint64Array(space.byKey.size);
        let i = 0;
        for (const entry of space.byKey.values()) {
          ids.push(entry.id);
          nodeIds.push(entry.nodeId);
          fingerprints.push(entry.fingerprint);
          keys[i++] = BigInt(entry.key);
        }
        const contained = keys.length === 0 ? [] : (space.index.contains(keys) as boolean[]);
        const lostKeys = contained.filter((present) => !present).length;
        return { ...space.info(), ids, nodeIds, fingerprints, indexSize: space.index.size(), lostKeys };
      }),
    };
  }

}

function publishedBuffers(published: Published): ArrayBuffer[] {
  return published.spaces.flatMap((s) => [s.keys.buffer, s.idOffsets.buffer, s.nodeOffsets.buffer] as ArrayBuffer[]);
}

function safeManifest(dir: string): SnapshotManifest | undefined {
  try {
    return readManifest(dir);
  } catch {
    return undefined;
  }
}

function decodeMap(path: string, entry: SnapshotSpace): SpaceMap {
  let map: SpaceMap;
  try {
    map = packr.unpack(readFileSync(path)) as SpaceMap;
  } catch {
    throw new CorruptSnapshotError(`${entry.map.file} cannot be decoded`);
  }
  const n = entry.count;
  if (
    map === null ||
    typeof map !== 'object' ||
    !Number.isSafeInteger(map.nextKey) ||
    ![map.keys, map.ids, map.nodeIds, map.fingerprints].every((list) => Array.isArray(list) && list.length === n)
  ) {
    throw new CorruptSnapshotError(`${entry.map.file} is malformed`);
  }
  return map;
}

function startWorker(): void {
  const port = parentPort!;
  const state = new VectorWorkerState((workerData as { params: HnswParams }).params);
  port.on('message', ({ id, request }: RequestEnvelope) => {
    let reply: ResponseEnvelope;
    let transfer: ArrayBuffer[] | undefined;
    try {
      const result = state.handle(request);
      reply = { id, ok: true, response: result.response };
      transfer = result.transfer;
    } catch (err) {
      const code = err instanceof WorkerError ? err.code : 'INTERNAL';
      reply = { id, ok: false, error: { code, message: err instanceof Error ? err.message : String(err) } };
    }
    port.postMessage(reply, transfer ?? []);
  });
}

if (!isMainThread && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) startWorker();
