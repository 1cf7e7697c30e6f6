import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Storage } from '@tabagent/storage';
import { openIndexedStorage, type Indexing } from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-indexing-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Storage with the indexes hooked in, closed after the test. */
export async function openIndexed(dir?: string): Promise<{ storage: Storage; indexing: Indexing; dir: string }> {
  const location = dir ?? join(await tempDir(), 'db');
  const { storage, indexing } = await openIndexedStorage(location, { vectors: false });
  cleanups.push(() => storage.close());
  return { storage, indexing, dir: location };
}
