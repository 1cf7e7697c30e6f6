import { describe, expect, it } from 'vitest';
import type { Embedding } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { LocalIndex } from './local-index.js';
import { ChangeBatch } from './replica.js';
import { cosineToUnit, queryVector, TopNodes, type VectorHit } from './vector-math.js';
import { VectorWorkerState } from './vector-worker.js';
import { expectSameHits, randomVector, tempDir } from './test-support.js';

const DIMS = 16;
const SPACE = `m@${DIMS}`;

function embedding(id: string, nodeId: string, vector: Float32Array<ArrayBuffer>): Embedding {
  return { id, nodeId, model: 'm', dims: vector.length, vector, contentHash: '', createdAt: 0 };
}

/** The main-thread index over a real snapshot of `rows`, written by the worker's own code. */
async function snapshotOf(rows: Map<string, Embedding>): Promise<LocalIndex> {
  const state = new VectorWorkerState({ connectivity: 16, expansionAdd: 128, expansionSearch: 512 });
  const batch = new ChangeBatch();
  for (const row of rows.values()) batch.upsert(row);
  state.apply(batch.toRequest(1).request);
  const saved = state.save(await tempDir(), 1);
  return new LocalIndex({ deltaLimit: 4_096, expansionSearch: 512, published: saved.published });
}

function bruteForce(rows: Map<string, Embedding>, query: Float32Array, k: number): VectorHit[] {
  const unit = queryVector(query);
  const top = new TopNodes(k);
  for (const e of rows.values()) top.offer({ nodeId: e.nodeId, embeddingId: e.id, score: cosineToUnit(unit, e.vector) });
  return top.results();
}

describe('LocalIndex', () => {
  it('finds the true nearest neighbours when later changes shadow most of the snapshot top', async () => {
    const random = seededRandom(11);
    const rows = new Map<string, Embedding>();
    for (let i = 0; i < 300; i++) rows.set(`emb_${i}`, embedding(`emb_${i}`, `msg_${i}`, randomVector(random, DIMS)));
    const local = await snapshotOf(rows);
    const query = randomVector(random, DIMS);
    const unit = queryVector(query);

    // Move 25 of the 40 nearest far away, delete 5 more: the snapshot's top is mostly stale.
    const nearest = bruteForce(rows, query, 40);
    const batch = new ChangeBatch();
    nearest.slice(0, 25).forEach((hit, i) => {
      const far = Float32Array.from(unit, (v, d) => -v + 0.01 * ((i + d) % 3)) as Float32Array<ArrayBuffer>;
      const moved = embedding(hit.embeddingId, hit.nodeId, far);
      rows.set(moved.id, moved);
      batch.upsert(moved);
    });
    for (const hit of nearest.slice(25, 30)) {
      rows.delete(hit.embeddingId);
      batch.remove(hit.embeddingId);
    }
    local.record(batch, 2);
    for (const k of [1, 5, 10, 20]) expectSameHits(local.search(SPACE, unit, k, undefined, 16_384)!, bruteForce(rows, query, k));
  });

  it('ranks nodes, not embeddings, when one node has several near embeddings in the delta', async () => {
    const random = seededRandom(12);
    const rows = new Map<string, Embedding>();
    for (let i = 0; i < 100; i++) rows.set(`emb_${i}`, embedding(`emb_${i}`, `msg_${i}`, randomVector(random, DIMS)));
    const local = await snapshotOf(rows);
    const query = randomVector(random, DIMS);
    const batch = new ChangeBatch();
    // Enough rows that the delta is scanned natively, three of them one node's, all close.
    for (let i = 0; i < 100; i++) {
      const near = i < 4 ? Float32Array.from(query, (v, d) => v + 0.01 * i * (d % 2)) : randomVector(random, DIMS);
      const row = embedding(`emb_new_${i}`, i < 3 ? 'msg_chunks' : `msg_new_${i}`, near as Float32Array<ArrayBuffer>);
      rows.set(row.id, row);
      batch.upsert(row);
    }
    local.record(batch, 2);
    for (const k of [1, 2, 3, 8]) expectSameHits(local.search(SPACE, queryVector(query), k, undefined, 16_384)!, bruteForce(rows, query, k));
    const odd = (nodeId: string): boolean => nodeId.endsWith('1') || nodeId.endsWith('3') || nodeId === 'msg_chunks';
    const filtered = local.search(SPACE, queryVector(query), 4, odd, 16_384)!;
    const expected = new TopNodes(4);
    for (const e of rows.values()) if (odd(e.nodeId)) expected.offer({ nodeId: e.nodeId, embeddingId: e.id, score: cosineToUnit(queryVector(query), e.vector) });
    expectSameHits(filtered, expected.results());
    expect(filtered[0]!.nodeId).toBe('msg_chunks');
  });
});
