// Exact cosine straight from the embeddings store: the answer before the graph is ready,
// for small candidate sets, and whenever a filter is too selective for the graph.

import { DbError, throwIfAborted } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';
import { cosineToUnit, TopNodes, type VectorHit } from './vector-math.js';

/**
 * The `k` best nodes of the space (`model`, `query.length`) by scanning every stored
 * embedding. `NOT_FOUND` when the space holds nothing; `INVALID_ARGUMENT` when the model
 * is stored with other dimensions.
 */
export async function scanSpace(
  storage: Storage,
  query: Float32Array,
  model: string,
  k: number,
  accept: ((nodeId: string) => boolean) | undefined,
  options: { batchSize: number; signal: AbortSignal | undefined },
): Promise<VectorHit[]> {
  const top = new TopNodes(k);
  let inSpace = 0;
  let otherDims: number | undefined;
  for await (const chunk of storage.scanEmbeddings(options)) {
    for (const embedding of chunk) {
      if (embedding.model !== model) continue;
      if (embedding.dims !== query.length) {
        otherDims = embedding.dims;
        continue;
      }
      inSpace++;
      if (accept !== undefined && !accept(embedding.nodeId)) continue;
      top.offer({ nodeId: embedding.nodeId, embeddingId: embedding.id, score: cosineToUnit(query, embedding.vector) });
    }
  }
  if (inSpace === 0) {
    if (otherDims !== undefined) {
      throw new DbError('INVALID_ARGUMENT', `vector: has ${query.length} components; model ${model} is stored with ${otherDims} dimensions`, {
        details: { field: 'vector' },
      });
    }
    throw new DbError('NOT_FOUND', `no embeddings of model ${model} with ${query.length} dimensions are stored`, { details: { field: 'model' } });
  }
  return top.results();
}

/** Exact scores of the given nodes' embeddings in the space, best first, one per node. */
export async function scoreNodeIds(
  storage: Storage,
  query: Float32Array,
  model: string,
  nodeIds: readonly string[],
  signal: AbortSignal | undefined,
): Promise<VectorHit[]> {
  const top = new TopNodes(Math.max(1, nodeIds.length));
  const CHUNK = 256;
  for (let start = 0; start < nodeIds.length; start += CHUNK) {
    throwIfAborted(signal);
    const lists = await Promise.all(nodeIds.slice(start, start + CHUNK).map((id) => storage.embeddingsOf(id)));
    for (const list of lists) {
      for (const embedding of list) {
        if (embedding.model !== model || embedding.dims !== query.length) continue;
        top.offer({ nodeId: embedding.nodeId, embeddingId: embedding.id, score: cosineToUnit(query, embedding.vector) });
      }
    }
  }
  return top.results();
}
