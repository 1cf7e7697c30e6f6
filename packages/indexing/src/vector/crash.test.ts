import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAndKill, seededRandom } from '@tabagent/common/testing';
import { Storage } from '@tabagent/storage';
import { VectorIndex } from './vector-index.js';
import { bruteForce, expectSameHits, randomVector, tempDir } from './test-support.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-ingest.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the ingesting child until it acknowledged `acks` commits, waits `delayMs` more, SIGKILLs it. */
function runChildAndKill(dir: string, seed: number, acks: number, delayMs: number): Promise<number> {
  return runAndKill({ script: CHILD, args: [dir, String(seed)], cwd: PACKAGE_DIR, acks, delayMs });
}

describe('vector index crash safety', () => {
  it('is consistent with the store after SIGKILLs mid-ingest and mid-snapshot', async () => {
    const dir = join(await tempDir(), 'db');
    const random = seededRandom(20261122);
    const sources = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const acked = await runChildAndKill(dir, round + 1, 2 + Math.floor(random() * 12), Math.floor(random() * 40));
      expect(acked).toBeGreaterThan(0);

      const storage = await Storage.open(dir);
      // Exact on these small sets (see vector-index.test.ts): long candidate list, one insert thread.
      const index = await VectorIndex.open(storage, { expansionSearch: 512, threads: 1 });
      try {
        await index.whenReady();
        sources.add(index.stats().ready!.source);
        expect(await index.verify()).toMatchObject({ ok: true, missing: 0, extra: 0, mismatched: 0 });
        for (let q = 0; q < 3; q++) {
          const query = randomVector(random, 32);
          const { results, mode } = await index.search(query, { model: 'crash', k: 10 });
          expect(mode).toBe('hnsw');
          expectSameHits(results, await bruteForce(storage, query, 'crash', 10));
        }
      } finally {
        await index.close();
        await storage.close();
      }
    }
    // The first reopen has the child's snapshots to load (the child saves every 40 changes).
    expect(sources.has('snapshot')).toBe(true);
  }, 120_000);
});
