// Helpers for the vector index tests: temp directories, real storages, random vectors and
// the brute-force answer every search is compared with. Not part of the public API.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { DbError } from '@tabagent/common';
import { Storage } from '@tabagent/storage';
import { cosineToUnit, queryVector, TopNodes, type VectorHit } from './vector-math.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `fn` after the current test (last registered first). */
export function onCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-vector-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An open storage in a fresh temp dir, closed after the test. */
export async function openStorage(location?: string): Promise<Storage> {
  const storage = await Storage.open(location ?? join(await tempDir(), 'db'));
  onCleanup(() => storage.close());
  return storage;
}

/** A random vector with normally distributed components (never zero in practice). */
export function randomVector(random: () => number, dims: number): Float32Array<ArrayBuffer> {
  const vector = new Float32Array(dims);
  for (let i = 0; i < dims; i++) {
    const u = Math.max(random(), 1e-12);
    vector[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return vector;
}

/** Inserts `count` message nodes in one chat; returns their ids. */
export async function insertMessages(storage: Storage, count: number): Promise<string[]> {
  const chat = await storage.insertNode({ type: 'Chat', title: 'vectors' });
  const nodes = await storage.insertNodes(
    Array.from({ length: count }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 'test', role: 'user' as const, content: `message ${i}` })),
  );
  return nodes.map((n) => n.id);
}

/** The exact answer, straight from the embeddings store: best embedding per node, best first. */
export async function bruteForce(
  storage: Storage,
  vector: Float32Array,
  model: string,
  k: number,
  accept?: (nodeId: string) => boolean,
): Promise<VectorHit[]> {
  const query = queryVector(vector);
  const top = new TopNodes(k);
  for await (const chunk of storage.scanEmbeddings()) {
    for (const e of chunk) {
      if (e.model !== model || e.dims !== query.length) continue;
      if (accept !== undefined && !accept(e.nodeId)) continue;
      top.offer({ nodeId: e.nodeId, embeddingId: e.id, score: cosineToUnit(query, e.vector) });
    }
  }
  return top.results();
}

/** Same nodes and embeddings in the same order, scores equal up to float32 rounding. */
export function expectSameHits(actual: VectorHit[], expected: VectorHit[]): void {
  expect(actual.map((h) => [h.nodeId, h.embeddingId])).toEqual(expected.map((h) => [h.nodeId, h.embeddingId]));
  actual.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
}

/** The DbError code a call fails with (fails the test when it succeeds). */
export async function errorCode(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (DbError.is(err)) return err.code;
    throw err;
  }
  throw new Error('expected a DbError');
}
