import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { DbError } from '@tabagent/common';
import { openIndexedStorage, type Indexing } from '@tabagent/indexing';
import type { Storage } from '@tabagent/storage';
import { QueryEngine, type QueryEngineOptions } from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-query-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestDb {
  storage: Storage;
  indexing: Indexing;
  engine: QueryEngine;
  /** Another engine over the same data with different settings (closed with the test). */
  engineWith(options: Partial<QueryEngineOptions>): Promise<QueryEngine>;
}

/** A real storage with the real indexes in a temp dir, and an engine over them; all closed after the test. */
export async function openDb(options: Partial<QueryEngineOptions> = {}): Promise<TestDb> {
  const { storage, indexing } = await openIndexedStorage(join(await tempDir(), 'db'), { vectors: false });
  const engines: QueryEngine[] = [];
  cleanups.push(async () => {
    await Promise.allSettled(engines.map((e) => e.close()));
    await storage.close();
  });
  const engineWith = async (extra: Partial<QueryEngineOptions>): Promise<QueryEngine> => {
    const engine = await QueryEngine.open({ storage, indexing, ...options, ...extra });
    engines.push(engine);
    return engine;
  };
  const engine = await engineWith({});
  return { storage, indexing, engine, engineWith };
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<DbError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DbError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/**
 * A small real embedder for tests: hashed word unigrams into `dims` buckets (signed),
 * L2-normalised. Texts sharing words get similar vectors; deterministic.
 */
export function hashEmbed(text: string, dims = 64): Float32Array<ArrayBuffer> {
  const vector = new Float32Array(dims);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    const bucket = (h >>> 0) % dims;
    vector[bucket]! += (h & 0x100) === 0 ? 1 : -1;
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  if (norm === 0) vector[0] = 1;
  else for (let i = 0; i < dims; i++) vector[i]! /= Math.sqrt(norm);
  return vector;
}
