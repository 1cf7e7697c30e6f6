import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClassicLevel } from 'classic-level';
import { Storage } from '@tabagent/storage';
import { seededRandom } from '@tabagent/common/testing';
import { openIndexedStorage } from '../src/index.js';
import { openIndexed, tempDir } from './helpers.js';

async function seed(storage: Storage): Promise<void> {
  const chat = await storage.insertNode({ type: 'Chat', title: 'Weekend in Paris', tags: ['travel'] });
  const [m1, m2, paris] = await storage.insertNodes([
    { type: 'Message', chatId: chat.id, sender: 'alice', role: 'user', content: 'Shall we visit the Louvre in Paris?' },
    { type: 'Message', chatId: chat.id, sender: 'bob', role: 'assistant', content: 'Yes, book museum tickets early.' },
    { type: 'Entity', label: 'Paris', entityType: 'LOCATION' },
  ]);
  await storage.insertEdges([
    { from: m1!.id, to: paris!.id, type: 'MENTIONS', weight: 0.9 },
    { from: m2!.id, to: m1!.id, type: 'REPLIES_TO' },
  ]);
}

describe('verify and rebuild', () => {
  it('reports drift in every index and rebuild repairs it', async () => {
    const first = await openIndexed();
    await seed(first.storage);
    expect((await first.indexing.verify()).every((r) => r.ok)).toBe(true);
    await first.storage.close();
    // Damage every index's key space on disk, the way a bug or a bad copy would.
    const db = new ClassicLevel<string, Uint8Array>(first.dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    for (const name of ['structural', 'graph', 'keyword'] as const) {
      const store = db.sublevel('idx', { valueEncoding: 'view' }).sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' });
      const [key] = await store.keys({ limit: 1 }).all();
      await store.del(key!);
      await store.put('bogus\u0000entry', new Uint8Array([1]));
    }
    await db.close();
    const { indexing } = await openIndexed(first.dir);
    const reports = await indexing.verify();
    for (const report of reports) {
      expect(report, report.index).toMatchObject({ ok: false, missing: 1, extra: 1 });
      expect(report.examples.length).toBeGreaterThan(0);
    }
    const written = await indexing.rebuild();
    expect(written['structural']).toBeGreaterThan(0);
    expect((await indexing.verify()).every((r) => r.ok)).toBe(true);
    expect((await indexing.structural.lookup('sender', { eq: 'alice' })).length).toBe(1);
  });

  it('builds indexes for data written before they were attached', async () => {
    const dir = join(await tempDir(), 'db');
    const plain = await Storage.open(dir);
    await seed(plain);
    await plain.close();
    const { indexing } = await openIndexed(dir);
    expect((await indexing.verify()).every((r) => r.ok)).toBe(true);
    expect(await indexing.keyword.search('louvre')).toHaveLength(1);
  });
});

const CHILD = fileURLToPath(new URL('./fixtures/indexed-writer.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

function runAndKill(dir: string, seed: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, dir, String(seed)], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let acks = 0;
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      const before = acks;
      acks += (c.toString().match(/ACK/g) ?? []).length;
      if (before === 0 && acks > 0) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acks) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('crash consistency', () => {
  it('leaves every index consistent after SIGKILL mid-ingest', async () => {
    const dir = join(await tempDir(), 'db');
    const random = seededRandom(99);
    for (let round = 0; round < 4; round++) {
      const acks = await runAndKill(dir, round, 50 + Math.floor(random() * 400));
      expect(acks).toBeGreaterThan(0);
      const { storage, indexing } = await openIndexedStorage(dir, { vectors: false });
      const reports = await indexing.verify();
      for (const report of reports) expect(report, `round ${round} ${report.index}`).toMatchObject({ ok: true });
      await storage.close();
    }
  }, 120_000);
});
