import { DbError, MAX_EMBEDDING_DIMS } from '@tabagent/common';

/** One search hit: a node, the embedding that matched and its cosine similarity. */
export interface VectorHit {
  nodeId: string;
  embeddingId: string;
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

function invalid(field: string, message: string): DbError {
  return new DbError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

/**
 * Checks a query vector and returns a unit-length float32 copy. Wrong types, empty or
 * oversized vectors, NaN/Infinity components and the zero vector are `INVALID_ARGUMENT`.
 */
export function queryVector(input: unknown, field = 'vector'): Float32Array {
  const isArray = Array.isArray(input);
  if (!isArray && !(input instanceof Float32Array) && !(input instanceof Float64Array)) {
    throw invalid(field, 'expected a Float32Array, Float64Array or an array of numbers');
  }
  const values = input as ArrayLike<unknown>;
  if (values.length === 0) throw invalid(field, 'must not be empty');
  if (values.length > MAX_EMBEDDING_DIMS) throw invalid(field, `has ${values.length} components; at most ${MAX_EMBEDDING_DIMS} are supported`);
  const vector = new Float32Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${field}.${i}`, 'must be a finite number');
    vector[i] = value;
    sum += value * value;
  }
  if (sum === 0) throw invalid(field, 'must not be the zero vector');
  const scale = 1 / Math.sqrt(sum);
  if (!Number.isFinite(scale)) throw invalid(field, 'is too small to normalise');
  for (let i = 0; i < vector.length; i++) vector[i]! *= scale;
  return vector;
}

/** Cosine similarity between a unit-length query and any non-zero vector of the same length. */
export function cosineToUnit(unitQuery: Float32Array, vector: Float32Array): number {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i]!;
    dot += unitQuery[i]! * v;
    norm += v * v;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : 0;
}

/** Orders hits best first; ties by node then embedding id, so results are deterministic. */
export function compareHits(a: VectorHit, b: VectorHit): number {
  if (b.score !== a.score) return b.score - a.score;
  if (a.nodeId !== b.nodeId) return a.nodeId < b.nodeId ? -1 : 1;
  return a.embeddingId < b.embeddingId ? -1 : a.embeddingId > b.embeddingId ? 1 : 0;
}

/**
 * Keeps the best hit per node and the `k` best nodes overall. Feed hits in any order;
 * `results()` returns them best first.
 */
export class TopNodes {
  readonly #k: number;
  readonly #best = new Map<string, VectorHit>();

  constructor(k: number) {
    this.#k = k;
  }

  get size(): number {
    return this.#best.size;
  }

  offer(hit: VectorHit): void {
    const current = this.#best.get(hit.nodeId);
    if (current === undefined || compareHits(hit, current) < 0) this.#best.set(hit.nodeId, hit);
    // Bound memory on whole-store scans: drop everything below the k-th best now and then.
    if (this.#best.size > Math.max(4 * this.#k, 4_096)) this.#trim();
  }

  #trim(): void {
    const kept = [...this.#best.values()].sort(compareHits).slice(0, this.#k);
    this.#best.clear();
    for (const hit of kept) this.#best.set(hit.nodeId, hit);
  }

  results(): VectorHit[] {
    return [...this.#best.values()].sort(compareHits).slice(0, this.#k);
  }
}
