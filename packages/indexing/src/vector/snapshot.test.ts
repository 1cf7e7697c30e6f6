import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tabagent/common/testing';
import type { Storage } from '@tabagent/storage';
import { VectorIndex } from './vector-index.js';
import type { VectorIndexOptions } from './vector-options.js';
import { MANIFEST_FILE } from './snapshot-files.js';
import { bruteForce, expectSameHits, insertMessages, onCleanup, openStorage, randomVector, tempDir } from './test-support.js';

const DIMS = 12;
// Exact on these small sets (see vector-index.test.ts): long candidate list, one insert thread.
const OPTIONS: VectorIndexOptions = { expansionSearch: 512, threads: 1 };

async function open(storage: Storage, options: VectorIndexOptions = {}): Promise<VectorIndex> {
  const index = await VectorIndex.open(storage, { ...OPTIONS, ...options });
  onCleanup(() => index.close());
  return index;
}

/** Adds embeddings for fresh nodes; returns their ids. */
async function addEmbeddings(storage: Storage, random: () => number, count: number): Promise<string[]> {
  const nodes = await insertMessages(storage, count);
  const stored = await storage.putEmbeddings(nodes.map((nodeId) => ({ nodeId, model: 'm', vector: randomVector(random, DIMS) })));
  return stored.map((e) => e.id);
}

/** Search results equal brute force for a few queries, and verify() is clean. */
async function expectConsistent(index: VectorIndex, storage: Storage, random: () => number): Promise<void> {
  for (let q = 0; q < 5; q++) {
    const query = randomVector(random, DIMS);
    const { results, mode } = await index.search(query, { model: 'm', k: 8 });
    expect(mode).toBe('hnsw');
    expectSameHits(results, await bruteForce(storage, query, 'm', 8));
  }
  expect(await index.verify()).toMatchObject({ ok: true, missing: 0, extra: 0, mismatched: 0 });
}

async function snapshotFile(dir: string, extension: string): Promise<string> {
  const name = (await readdir(dir)).find((f) => f.endsWith(extension));
  if (name === undefined) throw new Error(`no ${extension} file in ${dir}`);
  return join(dir, name);
}

describe('VectorIndex snapshots', () => {
  it('loads its snapshot after a restart and catches up with the writes in between', async () => {
    const dir = join(await tempDir(), 'db');
    const random = seededRandom(1);
    let storage = await openStorage(dir);
    const ids = await addEmbeddings(storage, random, 60);
    let index = await open(storage);
    await index.whenReady();
    expect(index.stats().ready?.source).toBe('store');
    await index.close(); // saves a snapshot
    const snapshotSeq = storage.lastSeq;
    const manifest = JSON.parse(await readFile(join(dir, 'vector', MANIFEST_FILE), 'utf8')) as { manifest: { seq: number } };
    expect(manifest.manifest.seq).toBe(snapshotSeq);

    // Writes while no index is open: inserts, updates, deletes, a node cascade.
    await addEmbeddings(storage, random, 20);
    const current = await storage.getEmbeddings(ids.slice(0, 10));
    await storage.putEmbeddings(current.map((e) => ({ id: e!.id, nodeId: e!.nodeId, model: 'm', vector: randomVector(random, DIMS) })));
    for (const id of ids.slice(10, 15)) await storage.deleteEmbedding(id);
    await storage.deleteNode(current[0]!.nodeId);
    await storage.close();

    storage = await openStorage(dir);
    index = await open(storage);
    await index.whenReady();
    const stats = index.stats();
    expect(stats.ready).toMatchObject({ source: 'snapshot', seq: storage.lastSeq });
    expect(stats.snapshotSeq).toBe(snapshotSeq);
    expect(stats.seq).toBe(storage.lastSeq);
    await expectConsistent(index, storage, random);
  });

  for (const [what, damage] of [
    ['a flipped byte in the index file', async (dir: string) => {
      const file = await snapshotFile(dir, '.usearch');
      const bytes = await readFile(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      await writeFile(file, bytes);
    }],
    ['a truncated map file', async (dir: string) => truncate(await snapshotFile(dir, '.map'), 10)],
    ['a garbled manifest', async (dir: string) => writeFile(join(dir, MANIFEST_FILE), '{"manifest": {"seq": 3')],
    ['a missing snapshot', async (dir: string) => rm(dir, { recursive: true })],
  ] as const) {
    it(`detects ${what} and rebuilds from the store`, async () => {
      const dir = join(await tempDir(), 'db');
      const random = seededRandom(what.length);
      const storage = await openStorage(dir);
      await addEmbeddings(storage, random, 50);
      let index = await open(storage);
      await index.whenReady();
      await index.close();
      await damage(join(dir, 'vector'));
      await addEmbeddings(storage, random, 5);

      index = await open(storage);
      await index.whenReady();
      const ready = index.stats().ready!;
      expect(ready.source).toBe('store');
      expect(ready.reason).toMatch(what === 'a missing snapshot' ? /no snapshot/ : /corrupt/);
      await expectConsistent(index, storage, random);
      // The rebuilt index is saved again and loads on the next open.
      await index.close();
      index = await open(storage);
      await index.whenReady();
      expect(index.stats().ready?.source).toBe('snapshot');
      await expectConsistent(index, storage, random);
    });
  }

  it('ignores the leftovers of an interrupted save and cleans them up on the next one', async () => {
    const storage = await openStorage();
    const random = seededRandom(2);
    await addEmbeddings(storage, random, 30);
    let index = await open(storage);
    await index.whenReady();
    await index.close();
    const dir = join(storage.location, 'vector');
    const published = new Set(await readdir(dir));
    // What a kill between writing the files and renaming the manifest leaves behind.
    await writeFile(join(dir, '999-0-0123456789ab.usearch'), 'partial');
    await writeFile(join(dir, '999-0-0123456789ab.map'), 'partial');
    await writeFile(join(dir, `${MANIFEST_FILE}.tmp`), '{"manifest":');
    await writeFile(join(dir, 'notes.txt'), 'not ours');

    index = await open(storage);
    await index.whenReady();
    expect(index.stats().ready?.source).toBe('snapshot');
    await addEmbeddings(storage, random, 3);
    await index.saveSnapshot();
    const files = await readdir(dir);
    expect(files).toContain('notes.txt');
    expect(files.filter((f) => f.startsWith('999-') || f.endsWith('.tmp'))).toEqual([]);
    expect(files.filter((f) => published.has(f) && f !== MANIFEST_FILE)).toEqual([]); // the older snapshot is gone too
    await expectConsistent(index, storage, random);
  });

  it('rebuilds when the change log was compacted past the snapshot', async () => {
    const storage = await openStorage();
    const random = seededRandom(3);
    await addEmbeddings(storage, random, 30);
    let index = await open(storage);
    await index.whenReady();
    await index.close();
    await addEmbeddings(storage, random, 10);
    await storage.compactChangeLog(storage.lastSeq);
    index = await open(storage);
    await index.whenReady();
    expect(index.stats().ready).toMatchObject({ source: 'store', reason: expect.stringMatching(/compacted/) });
    await expectConsistent(index, storage, random);
  });

  it('lets the log be compacted while nothing is embedded, and still loads its snapshot', async () => {
    const storage = await openStorage();
    const random = seededRandom(13);
    await addEmbeddings(storage, random, 30);
    let index = await open(storage);
    await index.whenReady();
    await index.saveSnapshot();
    const snapshotSeq = storage.cursors['vectors']!;
    // Thousands of changes without an embedding: the snapshot stays exact, the cursor moves on.
    for (let i = 0; i < 6; i++) await insertMessages(storage, 500);
    for (let i = 0; i < 200 && storage.cursors['vectors']! < storage.lastSeq - 1_000; i++) await new Promise((r) => setTimeout(r, 5));
    expect(storage.cursors['vectors']!).toBeGreaterThan(snapshotSeq + 1_000);
    await index.close();
    await storage.compactChangeLog(storage.cursors['vectors']!);
    index = await open(storage, { snapshotOnClose: false });
    await index.whenReady();
    expect(index.stats().ready).toMatchObject({ source: 'snapshot' });
    await expectConsistent(index, storage, random);
  });

  it('rejects a snapshot from another database and reports drift when sequences line up', async () => {
    const random = seededRandom(4);
    const shared = join(await tempDir(), 'vector');
    const first = await openStorage();
    await addEmbeddings(first, random, 20);
    const index = await open(first, { dir: shared });
    await index.whenReady();
    await index.close();

    // Same length of history, different data: loads (nothing tells them apart) and verify() says so.
    const twin = await openStorage();
    await addEmbeddings(twin, random, 20);
    expect(twin.lastSeq).toBe(first.lastSeq);
    const drifted = await open(twin, { dir: shared });
    await drifted.whenReady();
    expect(drifted.stats().ready?.source).toBe('snapshot');
    const report = await drifted.verify();
    expect(report).toMatchObject({ ok: false, missing: 20, extra: 20 });
    await drifted.rebuild();
    expect((await drifted.verify()).ok).toBe(true);
    await drifted.close();

    // A snapshot covering more history than the database has cannot be its own.
    const older = await openStorage();
    await addEmbeddings(older, random, 3);
    const fromFuture = await open(older, { dir: shared });
    await fromFuture.whenReady();
    expect(fromFuture.stats().ready).toMatchObject({ source: 'store', reason: expect.stringMatching(/newer|covers seq/) });
    await expectConsistent(fromFuture, older, random);
  });

  it('answers exactly before it is ready, or waits and answers from the graph', async () => {
    const storage = await openStorage();
    const random = seededRandom(5);
    await addEmbeddings(storage, random, 80);
    const index = await open(storage);
    const query = randomVector(random, DIMS);
    const expected = await bruteForce(storage, query, 'm', 6);
    // The worker has not even started loading yet: no waiting, an exact scan of the store.
    const early = await index.search(query, { model: 'm', k: 6, waitMs: 0 });
    expect(early.mode).toBe('exact');
    expectSameHits(early.results, expected);
    const waited = await index.search(query, { model: 'm', k: 6, waitMs: 60_000 });
    expect(waited.mode).toBe('hnsw');
    expect(waited.waitedMs).toBeGreaterThanOrEqual(0);
    expectSameHits(waited.results, expected);
    const forced = await index.search(query, { model: 'm', k: 6, exact: true });
    expect(forced.mode).toBe('exact');
    expectSameHits(forced.results, expected);
  });

  it('saves snapshots automatically every N changes and on demand, and rebuilds while serving', async () => {
    const storage = await openStorage();
    const random = seededRandom(6);
    const index = await open(storage, { snapshotEvery: 20 });
    await index.whenReady();
    const saved: number[] = [];
    index.on('snapshot', (info) => saved.push(info.seq));
    for (let i = 0; i < 6; i++) await addEmbeddings(storage, random, 10);
    const explicit = await index.saveSnapshot();
    expect(explicit.seq).toBe(storage.lastSeq);
    expect(saved.length).toBeGreaterThanOrEqual(3);
    expect(index.stats().mapped?.seq).toBe(storage.lastSeq);

    // Searches keep working while a rebuild runs, and the rebuilt index is consistent.
    const query = randomVector(random, DIMS);
    const rebuilding = index.rebuild();
    const during = await index.search(query, { model: 'm', k: 5 });
    expectSameHits(during.results, await bruteForce(storage, query, 'm', 5));
    await addEmbeddings(storage, random, 5);
    const result = await rebuilding;
    expect(result.vectors).toBeGreaterThanOrEqual(60);
    expect(index.stats().ready?.reason).toBe('rebuild');
    await expectConsistent(index, storage, random);
  });
});
