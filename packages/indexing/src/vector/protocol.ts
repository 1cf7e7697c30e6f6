// Messages between the main thread and a vector worker. The worker owns the usearch
// indexes and the key mapping; the main thread owns everything that touches storage.

/** `workerData.role` of a vector worker, so the bundled package knows to start one. */
export const WORKER_ROLE = 'tabagent-vector-worker';

/** HNSW parameters of every index a worker builds or loads. */
export interface HnswParams {
  connectivity: number;
  expansionAdd: number;
  /** A fixed candidate list size, or `auto`: chosen from the space's size (`expansionSearchFor`). */
  expansionSearch: number | 'auto';
}

/**
 * The search candidate list size for a space of `count` vectors. HNSW needs a longer list
 * as the graph grows to keep the same recall; measured on clustered 384-d vectors:
 * 100k → 64 gives recall@10 0.995–0.999; 1M → 64 gives 0.89, 128 gives 0.96, 256 gives 0.995.
 */
export function expansionSearchFor(setting: number | 'auto', count: number): number {
  if (setting !== 'auto') return setting;
  if (count <= 250_000) return 64;
  if (count <= 2_500_000) return 128;
  return 256;
}

/** One embedding space as the worker holds it. */
export interface SpaceInfo {
  /** `embeddingSpace(model, dims)`. */
  space: string;
  model: string;
  dims: number;
  /** Vectors indexed. */
  count: number;
}

/** Embeddings to add or replace in one space; `vectors` is `ids.length × dims`, row-major. */
export interface SpaceUpserts {
  space: string;
  model: string;
  dims: number;
  ids: string[];
  nodeIds: string[];
  vectors: Float32Array;
}

export interface ApplyRequest {
  op: 'apply';
  /** Embedding ids to remove (whatever space they are in). */
  removes: string[];
  upserts: SpaceUpserts[];
  /** Threads for large adds (usearch's own thread pool). */
  threads: number;
}

export type WorkerRequest =
  | { op: 'load'; dir: string }
  | { op: 'reset' }
  | ApplyRequest
  | { op: 'search'; space: string; vector: Float32Array; k: number }
  | { op: 'save'; dir: string; seq: number }
  | { op: 'entries' };

/**
 * One space of a snapshot on disk, in the compact form the main thread searches with:
 * it memory-maps the usearch file and maps result keys back to ids through these arrays.
 */
export interface PublishedSpace extends SpaceInfo {
  /** Absolute path of the usearch file (its checksum was verified or it was just written). */
  file: string;
  /** usearch keys in ascending order; row `i` of the arrays below belongs to `keys[i]`. */
  keys: Float64Array;
  /** Embedding ids joined; row `i` is `idsText.slice(idOffsets[i], idOffsets[i + 1])`. */
  idsText: string;
  idOffsets: Uint32Array;
  nodeIdsText: string;
  nodeOffsets: Uint32Array;
}

/** A snapshot the worker has written or loaded, ready for the main thread to map. */
export interface Published {
  seq: number;
  params: HnswParams;
  spaces: PublishedSpace[];
}

export type LoadResponse =
  | { status: 'loaded'; seq: number; params: HnswParams; spaces: SpaceInfo[]; bytes: number; published: Published }
  | { status: 'missing' }
  | { status: 'corrupt'; reason: string };

export interface ApplyResponse {
  /** The spaces the batch touched, with their new counts. */
  spaces: SpaceInfo[];
  /** Vectors that could not be indexed (non-finite or zero). */
  rejected: number;
}

export interface SearchResponse {
  ids: string[];
  nodeIds: string[];
  /** Cosine similarity of each hit, best first. */
  scores: Float32Array;
  /** Vectors in the space. */
  count: number;
}

export interface SaveResponse {
  seq: number;
  bytes: number;
  spaces: SpaceInfo[];
  published: Published;
}

/** Everything a worker indexes, for `verify()`. */
export interface SpaceEntries extends SpaceInfo {
  ids: string[];
  nodeIds: string[];
  /** crc32 of each indexed vector's float32 bytes as stored (before normalisation). */
  fingerprints: number[];
  /** Vectors usearch reports, to compare with the mapping. */
  indexSize: number;
  /** Mapped keys usearch does not contain. */
  lostKeys: number;
}

export interface EntriesResponse {
  spaces: SpaceEntries[];
}

/** What a worker answers to each request. */
export interface WorkerResponses {
  load: LoadResponse;
  reset: null;
  apply: ApplyResponse;
  search: SearchResponse;
  save: SaveResponse;
  entries: EntriesResponse;
}

export interface RequestEnvelope {
  id: number;
  request: WorkerRequest;
}

export type ResponseEnvelope =
  | { id: number; ok: true; response: unknown }
  | { id: number; ok: false; error: { code: string; message: string } };

/** An error raised inside a worker, carrying a DbError code across the thread boundary. */
export class WorkerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
