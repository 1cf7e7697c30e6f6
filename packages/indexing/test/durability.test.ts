// Durability of the storage and its indexes against real damage: real LevelDB files
// damaged on disk, real SIGKILLs. The corruption catalogue (also in the storage README):
//
// | damage                              | outcome                                                                 |
// |-------------------------------------|-------------------------------------------------------------------------|
// | `CURRENT` missing                   | open refused (`CORRUPTED`), no file touched; `repair` recovers all      |
// | `MANIFEST` damaged                  | open refused (`CORRUPTED`); `repair` recovers all                       |
// | newest `.log` zeroed in the middle  | opens; loud `CORRUPTED` warning + recorded incident; indexes rebuilt    |
// | newest `.log` truncated             | opens; the vector snapshot (ahead of the log) makes it a loud incident  |
// | table (`.ldb`) block damaged        | reads fail `CORRUPTED` (not INTERNAL); `repair` keeps readable blocks   |
// |                                     | and names every record the change log knows that is gone                |
// | vector snapshot damaged             | opens; vector index rebuilt from the store, nothing lost                |
// | marker missing (older build)        | opens and adopts the directory                                          |
// | unrelated files in the directory    | open refused (`INVALID_ARGUMENT`), nothing created                      |
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DbError } from '@tabagent/common';
import { runAndKill } from '@tabagent/common/testing';
import { repairStorage, Storage } from '@tabagent/storage';
import { openIndexedStorage } from '../src/index.js';
import { tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/interrupted-reindex.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIMS = 8;

async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (DbError.is(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** A database of `messages` messages (every fifth with an embedding), closed (vector snapshot saved). */
async function seed(messages: number, options: { vectors?: boolean } = {}): Promise<string> {
  const dir = join(await tempDir(), 'db');
  const { storage, vectors } = await openIndexedStorage(dir, { vectors: options.vectors === false ? false : { threads: 1 } });
  const chat = await storage.insertNode({ type: 'Chat', title: 'durability' });
  for (let start = 0; start < messages; start += 100) {
    const batch = storage.batch();
    for (let i = start; i < Math.min(messages, start + 100); i++) {
      const nodeId = batch.insertNode({ type: 'Message', chatId: chat.id, sender: 'me', role: 'user', content: `message ${i} about paris trains number${i}` });
      if (i % 5 === 0) batch.putEmbedding({ nodeId, model: 'test', vector: new Float32Array(DIMS).map((_, d) => Math.sin(i + d)) });
    }
    await batch.commit();
  }
  await vectors?.whenReady();
  await vectors?.saveSnapshot();
  await storage.close();
  return dir;
}

async function filesOf(dir: string, pattern: RegExp): Promise<string[]> {
  return (await readdir(dir)).filter((f) => pattern.test(f)).sort();
}

/** Overwrites `length` bytes at `fraction` of a file with `byte`. */
async function damage(file: string, fraction: number, length: number, byte = 0): Promise<void> {
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length * fraction);
  bytes.fill(byte, at, Math.min(bytes.length, at + length));
  await writeFile(file, bytes);
}

async function nodeCount(storage: Storage): Promise<number> {
  return (await storage.countNodes('Chat')) + (await storage.countNodes('Message'));
}

/** Opens with every index, checks each matches the data, closes. */
async function expectConsistent(dir: string): Promise<void> {
  const { storage, indexing, vectors } = await openIndexedStorage(dir, { vectors: { threads: 1 } });
  try {
    for (const report of await indexing.verify()) expect(report, report.index).toMatchObject({ ok: true });
    await vectors!.whenReady();
    expect(await vectors!.verify()).toMatchObject({ ok: true });
  } finally {
    await storage.close();
  }
}

describe('corruption catalogue', () => {
  it('missing CURRENT: refused with CORRUPTED and nothing deleted; repair brings every record back', async () => {
    const dir = await seed(500);
    await rm(join(dir, 'CURRENT'));
    const before = await filesOf(dir, /\.(log|ldb)$|^MANIFEST/u);
    expect(await rejectionCode(openIndexedStorage(dir))).toBe('CORRUPTED');
    // Before the marker, LevelDB created a new empty database here and deleted the old files.
    expect(await filesOf(dir, /\.(log|ldb)$|^MANIFEST/u)).toEqual(before);

    const report = await repairStorage(dir);
    expect(report.records.nodes).toBe(501);
    expect(report.records.embeddings).toBe(100);
    expect(report.missingRecords.count).toBe(0);
    const { storage, indexing } = await openIndexedStorage(dir, { vectors: false });
    await indexing.rebuild();
    await storage.close();
    await expectConsistent(dir);
  });

  it('damaged MANIFEST: refused with CORRUPTED; repair brings every record back', async () => {
    const dir = await seed(300, { vectors: false });
    const [manifest] = await filesOf(dir, /^MANIFEST-/u);
    await damage(join(dir, manifest!), 0, 40);
    expect(await rejectionCode(Storage.open(dir))).toBe('CORRUPTED');
    const report = await repairStorage(dir);
    expect(report.records.nodes).toBe(301);
    expect(report.missingRecords.count).toBe(0);
  });

  it('newest log zeroed in the middle: opens with a loud CORRUPTED warning and an incident, and rebuilds the indexes', async () => {
    const dir = await seed(1_000);
    const [log] = await filesOf(dir, /\.log$/u);
    await damage(join(dir, log!), 0.5, 6_000);

    const warnings: DbError[] = [];
    const { storage, indexing, vectors } = await openIndexedStorage(dir, { storage: { onWarning: (w) => warnings.push(w) }, vectors: { threads: 1 } });
    try {
      expect(warnings.map((w) => w.code)).toContain('CORRUPTED');
      expect(warnings.some((w) => /data loss/u.test(w.message))).toBe(true);
      expect(storage.warnings.length).toBeGreaterThan(0);
      expect((await storage.incidents()).length).toBeGreaterThan(0);
      expect(await nodeCount(storage)).toBeLessThan(1_001);
      for (const report of await indexing.verify()) expect(report, report.index).toMatchObject({ ok: true });
      await vectors!.whenReady();
      expect(await vectors!.verify()).toMatchObject({ ok: true });
    } finally {
      await storage.close();
    }
    // Recorded: a later open still knows, until a repair reports and clears it.
    const reopened = await Storage.open(dir);
    expect((await reopened.incidents()).length).toBeGreaterThan(0);
    await reopened.close();
    const report = await repairStorage(dir);
    expect(report.incidents.length).toBeGreaterThan(0);
    const cleared = await Storage.open(dir);
    expect(await cleared.incidents()).toEqual([]);
    await cleared.close();
  });

  it('newest log truncated: the vector snapshot is ahead of the database, a loud incident, and the vector index is rebuilt', async () => {
    const dir = await seed(1_000);
    const [log] = await filesOf(dir, /\.log$/u);
    const size = (await stat(join(dir, log!))).size;
    await truncate(join(dir, log!), Math.floor(size * 0.6));

    const { storage, vectors } = await openIndexedStorage(dir, { vectors: { threads: 1 } });
    try {
      await vectors!.whenReady();
      expect(vectors!.stats().ready).toMatchObject({ source: 'store' });
      const loss = storage.warnings.find((w) => /vector index snapshot covers seq/u.test(w.message));
      expect(loss?.code).toBe('CORRUPTED');
      expect((await storage.incidents()).some((i) => /snapshot covers seq/u.test(i.message))).toBe(true);
      // The vector index's cursor was past the end of the log: it resumes from the end.
      expect(storage.cursors['vectors']).toBeLessThanOrEqual(storage.lastSeq);
      expect(await vectors!.verify()).toMatchObject({ ok: true });
    } finally {
      await storage.close();
    }
  });

  it('damaged table block: reads fail CORRUPTED (not INTERNAL); repair keeps the readable blocks and names what is gone', async () => {
    const dir = await seed(3_000, { vectors: false });
    // Reopen once: LevelDB turns the log into a table file.
    await (await Storage.open(dir)).close();
    const [table] = await filesOf(dir, /\.ldb$/u);
    await damage(join(dir, table!), 0.2, 16, 0xff);
    await damage(join(dir, table!), 0.5, 16, 0xff);

    // Whichever step meets the damaged block first (an index's open, verify, a scan) fails CORRUPTED.
    const code = await (async () => {
      const { storage, indexing } = await openIndexedStorage(dir, { vectors: false });
      try {
        await indexing.verify();
        let nodes = 0;
        for await (const chunk of storage.scanNodes()) nodes += chunk.length;
        return nodes === 3_001 ? 'ok' : 'lost';
      } finally {
        await storage.close();
      }
    })().catch((err: unknown) => (DbError.is(err) ? err.code : `not a DbError: ${(err as Error).stack}`));
    expect(code).toBe('CORRUPTED');

    // Where the damage lands is random (the ids are): LevelDB's repair may abort on it (a native assertion),
    // or keep a record whose bytes are damaged. Either ends as CORRUPTED, never as a crash of this process.
    const outcome = await repairStorage(dir).catch((err: unknown) => err);
    if (DbError.is(outcome)) {
      expect(outcome.code).toBe('CORRUPTED');
      return;
    }
    const report = outcome as Awaited<ReturnType<typeof repairStorage>>;
    expect(report.damaged.some((line) => /Corruption/u.test(line))).toBe(true);
    // Every record is either back or named as gone (how many are gone depends on what the damaged blocks held: records or index entries).
    expect(report.records.nodes + report.records.embeddings + report.missingRecords.count).toBe(3_001 + 600);
    const { storage, indexing } = await openIndexedStorage(dir, { vectors: false });
    await indexing.rebuild();
    for (const drift of await indexing.verify()) expect(drift, drift.index).toMatchObject({ ok: true });
    await storage.close();
  });

  it('damaged vector snapshot: the index is rebuilt from the store and nothing is lost', async () => {
    const dir = await seed(500);
    const snapshots = await filesOf(join(dir, 'vector'), /\.usearch$/u);
    expect(snapshots.length).toBeGreaterThan(0);
    for (const file of snapshots) await damage(join(dir, 'vector', file), 0.3, 64, 0xff);

    const { storage, vectors } = await openIndexedStorage(dir, { vectors: { threads: 1 } });
    try {
      await vectors!.whenReady();
      expect(vectors!.stats().ready).toMatchObject({ source: 'store' });
      expect(vectors!.stats().ready!.reason).toMatch(/corrupt/u);
      expect(vectors!.count()).toBe(100);
      expect(await vectors!.verify()).toMatchObject({ ok: true });
      expect(await storage.incidents()).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('a database from before the marker is adopted; a directory of unrelated files is refused untouched', async () => {
    const dir = await seed(50, { vectors: false });
    await rm(join(dir, 'TABAGENT'));
    const adopted = await Storage.open(dir);
    expect(await adopted.countNodes('Message')).toBe(50);
    await adopted.close();
    expect(await filesOf(dir, /^TABAGENT$/u)).toEqual(['TABAGENT']);

    const foreign = await tempDir();
    await writeFile(join(foreign, 'notes.txt'), 'mine');
    expect(await rejectionCode(Storage.open(foreign))).toBe('INVALID_ARGUMENT');
    expect(await readdir(foreign)).toEqual(['notes.txt']);
  });
});

describe('interrupted reindex', () => {
  for (const index of ['structural', 'keyword'] as const) {
    it(`a ${index} rebuild SIGKILLed midway is finished at the next open, with a warning`, async () => {
      const dir = await seed(2_500, { vectors: false });
      // The child clears the index, writes its first batch, and is killed there.
      await runAndKill({ script: CHILD, args: [dir, index], cwd: PACKAGE_DIR, acks: 1, delayMs: 0 });

      const { storage, indexing } = await openIndexedStorage(dir, { vectors: false });
      try {
        expect(storage.warnings.some((w) => w.message.includes(`index ${index}: a rebuild was interrupted`))).toBe(true);
        for (const report of await indexing.verify()) expect(report, report.index).toMatchObject({ ok: true });
        const hits = await indexing.keyword.search('number2499', { limit: 1 });
        expect(hits.length).toBe(1);
      } finally {
        await storage.close();
      }
      // Finished: the next open has nothing left to do.
      const again = await openIndexedStorage(dir, { vectors: false });
      expect(again.storage.warnings).toEqual([]);
      await again.storage.close();
    }, 60_000);
  }
});

describe('repair', () => {
  it('refuses to repair a database another handle has open (LevelDB repair takes no lock)', async () => {
    const dir = await seed(20, { vectors: false });
    const open = await Storage.open(dir);
    try {
      expect(await rejectionCode(repairStorage(dir))).toBe('UNAVAILABLE');
    } finally {
      await open.close();
    }
    expect((await repairStorage(dir)).records.nodes).toBe(21);
  });
});
