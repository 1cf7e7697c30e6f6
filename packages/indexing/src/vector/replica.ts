import { embeddingSpace, type Embedding } from '@tabagent/common';
import type { ApplyRequest, ApplyResponse, HnswParams, LoadResponse, SpaceInfo, SpaceUpserts } from './protocol.js';
import { WorkerClient } from './worker-client.js';

/**
 * Embedding changes headed for a worker, last one per embedding id winning: replaying a
 * stretch of the change log needs only the final state of each embedding.
 */
export class ChangeBatch {
  readonly #ops = new Map<string, Embedding | null>();

  get size(): number {
    return this.#ops.size;
  }

  upsert(embedding: Embedding): void {
    this.#ops.set(embedding.id, embedding);
  }

  remove(id: string): void {
    this.#ops.set(id, null);
  }

  /** Embedding id → the embedding to index, or `null` to remove it. */
  entries(): IterableIterator<[string, Embedding | null]> {
    return this.#ops.entries();
  }

  /** The worker request, with vectors copied into one transferable buffer per space. */
  toRequest(threads: number): { request: ApplyRequest; transfer: ArrayBuffer[] } {
    const removes: string[] = [];
    const bySpace = new Map<string, Embedding[]>();
    for (const [id, embedding] of this.#ops) {
      if (embedding === null) {
        removes.push(id);
        continue;
      }
      const space = embeddingSpace(embedding.model, embedding.dims);
      let group = bySpace.get(space);
      if (group === undefined) bySpace.set(space, (group = []));
      group.push(embedding);
    }
    const upserts: SpaceUpserts[] = [];
    for (const [space, group] of bySpace) {
      const { model, dims } = group[0]!;
      const vectors = new Float32Array(group.length * dims);
      group.forEach((embedding, i) => vectors.set(embedding.vector, i * dims));
      upserts.push({ space, model, dims, ids: group.map((e) => e.id), nodeIds: group.map((e) => e.nodeId), vectors });
    }
    return { request: { op: 'apply', removes, upserts, threads }, transfer: upserts.map((u) => u.vectors.buffer as ArrayBuffer) };
  }
}

/**
 * One worker's copy of the index, seen from the main thread: how far into the change log
 * its posted updates reach, and which spaces it holds.
 */
export class Replica {
  readonly client: WorkerClient;
  /** Change-log sequence covered by everything posted to the worker (it applies in order). */
  seq = 0;
  /** Embedding changes posted and not yet acknowledged. */
  inFlight = 0;
  /** True while this replica reads the change log to catch up (live updates wait for it). */
  pumping = false;
  /** Set when the change log no longer reaches back to this replica; a rebuild replaces it. */
  stale = false;
  /** Spaces with their counts as of the last acknowledged batch. */
  readonly spaces = new Map<string, SpaceInfo>();

  constructor(params: HnswParams) {
    this.client = new WorkerClient(params);
  }

  async load(dir: string): Promise<LoadResponse> {
    const response = await this.client.call({ op: 'load', dir });
    this.spaces.clear();
    if (response.status === 'loaded') for (const space of response.spaces) this.spaces.set(space.space, space);
    return response;
  }

  async reset(): Promise<void> {
    await this.client.call({ op: 'reset' });
    this.spaces.clear();
  }

  /** Posts a batch. Its spaces are known at once (a search right after sees them); counts follow the ack. */
  apply(batch: ChangeBatch, threads: number): Promise<ApplyResponse> {
    const { request, transfer } = batch.toRequest(threads);
    for (const group of request.upserts) {
      if (!this.spaces.has(group.space)) this.spaces.set(group.space, { space: group.space, model: group.model, dims: group.dims, count: 0 });
    }
    const size = batch.size;
    this.inFlight += size;
    return this.client.call(request, transfer).then(
      (response) => {
        this.inFlight -= size;
        for (const space of response.spaces) this.spaces.set(space.space, space);
        return response;
      },
      (err: unknown) => {
        this.inFlight -= size;
        throw err;
      },
    );
  }
}
