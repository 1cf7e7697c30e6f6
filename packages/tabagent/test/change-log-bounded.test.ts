import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewNode } from '@tabagent/common';
import { TabAgent } from '../src/index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const MESSAGES = 1_000_000;
const BATCH = 10_000;
const COMPACT_EVERY = 1_000;
const SLACK = COMPACT_EVERY + 2 * BATCH;
const WORDS = ['paris', 'train', 'museum', 'budget', 'dinner', 'alice', 'bob', 'project', 'flight', 'hotel', 'lisbon', 'review'];

describe('the change log under a million writes', () => {
  it('holds only the entries behind the slowest durable cursor, with the weaver on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabagent-log-'));
    dirs.push(dir);
    const db = await TabAgent.open(dir, {
      ml: { provider: 'builtin' },
      storage: { compactEvery: COMPACT_EVERY },
      logger: { info: () => {}, warn: () => {} },
    });
    try {
      db.setActivityLevel('sleep');
      const chats = await db.insertNodes(Array.from({ length: 100 }, (_, i) => ({ type: 'Chat' as const, title: `chat ${i}` })));
      let worstExcess = -Infinity;
      let maxEntries = 0;
      let compactedSeen = false;
      for (let written = 0; written < MESSAGES; written += BATCH) {
        const batch: NewNode[] = [];
        for (let i = written; i < written + BATCH; i++) {
          const content = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i}`;
          batch.push({ type: 'Message', chatId: chats[i % chats.length]!.id, sender: i % 2 ? 'alice' : 'bob', role: 'user', content });
        }
        await db.insertNodes(batch);
        if ((written / BATCH) % 10 !== 9) continue;
        const stats = await db.storageStats();
        const slowest = Math.min(...Object.values(stats.cursors));
        // Everything after the slowest cursor, plus what a compaction still in flight or
        // not yet due (fewer than compactEvery entries) leaves behind.
        const behind = stats.lastSeq - slowest;
        worstExcess = Math.max(worstExcess, stats.log.entries - behind);
        maxEntries = Math.max(maxEntries, stats.log.entries);
        if ((stats.log.firstSeq ?? 0) > 1) compactedSeen = true;
        expect(stats.diskBytes).toBeGreaterThan(0);
      }
      // The weaver works through the backlog in order; as its cursor moves, storage compacts behind it.
      let stats = await db.storageStats();
      for (let waited = 0; waited < 240 && (stats.log.firstSeq ?? 0) <= COMPACT_EVERY; waited++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        stats = await db.storageStats();
      }
      if ((stats.log.firstSeq ?? 0) > 1) compactedSeen = true;
      // The messages, and whatever the weaver wrote meanwhile.
      expect(stats.lastSeq).toBeGreaterThanOrEqual(MESSAGES + chats.length);
      // Both durable consumers are registered: the weaver and the vector index.
      expect(Object.keys(stats.cursors).sort()).toEqual(['vectors', 'weaver']);
      expect(compactedSeen).toBe(true);
      // Never more than the entries behind the slowest cursor, plus what it passed since the
      // last compaction (one step, and at most a second's worth: compactions are a second apart).
      expect(worstExcess).toBeLessThanOrEqual(SLACK);
      // And a bounded log, not a million entries.
      expect(stats.log.entries).toBeLessThanOrEqual(stats.lastSeq - Math.min(...Object.values(stats.cursors)) + SLACK);
      console.log(`1M messages: log held at most ${maxEntries} entries; at the end ${stats.log.entries} (cursors ${JSON.stringify(stats.cursors)}, ${(stats.diskBytes / 1e6).toFixed(0)} MB on disk)`);
    } finally {
      await db.close();
    }
  }, 900_000);
});
