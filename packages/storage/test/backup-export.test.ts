import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DbError, NODE_TYPES, type Edge, type Embedding, type Node } from '@tabagent/common';
import { sampleNewNodes } from '@tabagent/common/testing';
import { Storage, backupStorage, exportJsonl, importJsonl, restoreStorage } from '../src/index.js';
import { rejectionCode, tempDir } from './helpers.js';

/** A small database with every kind of record. */
async function populate(storage: Storage): Promise<void> {
  const chat = await storage.insertNode({ type: 'Chat', title: 'Trip' });
  const samples = sampleNewNodes(chat.id);
  const nodes = await storage.insertNodes(NODE_TYPES.filter((t) => t !== 'Chat').map((t) => samples[t]));
  const message = nodes.find((n) => n.type === 'Message')!;
  const entity = nodes.find((n) => n.type === 'Entity')!;
  await storage.insertEdges([
    { from: message.id, to: entity.id, type: 'MENTIONS', weight: 0.93, metadata: { start: 17, end: 22 } },
    { from: message.id, to: chat.id, type: 'PART_OF' },
  ]);
  await storage.putEmbeddings([
    { nodeId: message.id, model: 'test', vector: new Float32Array([0.25, -0.5, 1e-7, 3.5]), contentHash: 'abc' },
    { nodeId: entity.id, model: 'test', vector: new Float32Array([1, 2, 3, 4]) },
  ]);
}

async function snapshot(storage: Storage): Promise<{ nodes: Node[]; edges: Edge[]; embeddings: Embedding[] }> {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const embeddings: Embedding[] = [];
  for await (const chunk of storage.scanNodes()) nodes.push(...chunk);
  for await (const chunk of storage.scanEdges()) edges.push(...chunk);
  for await (const chunk of storage.scanEmbeddings()) embeddings.push(...chunk);
  return { nodes, edges, embeddings };
}

describe('backup and restore', () => {
  it('restores an identical database, consistent at the backup point', async () => {
    const root = await tempDir();
    const storage = await Storage.open(join(root, 'db'));
    await populate(storage);
    const expected = await snapshot(storage);
    const progress: number[] = [];
    // Writes racing the backup land either wholly before or wholly after its snapshot.
    const racing = storage.insertNodes(Array.from({ length: 200 }, (_, i) => ({ type: 'Chat' as const, title: `late ${i}` })));
    const manifest = await backupStorage(storage, join(root, 'backup'), { onProgress: (n) => progress.push(n) });
    await racing;
    expect(progress.length).toBeGreaterThan(0);

    await restoreStorage(join(root, 'backup'), join(root, 'restored'));
    const restored = await Storage.open(join(root, 'restored'));
    const got = await snapshot(restored);
    expect(restored.lastSeq).toBe(manifest.lastSeq);
    const lateChats = got.nodes.filter((n) => n.type === 'Chat' && n.title.startsWith('late')).length;
    expect([0, 200]).toContain(lateChats);
    expect(got.nodes.filter((n) => !(n.type === 'Chat' && n.title.startsWith('late')))).toEqual(expected.nodes);
    expect(got.edges).toEqual(expected.edges);
    expect(got.embeddings).toEqual(expected.embeddings);
    expect(manifest.lastSeq).toBe(lateChats === 0 ? 16 : 216);
    // The restored database is fully usable and continues the change log.
    await restored.insertNode({ type: 'Chat', title: 'after restore' });
    expect(restored.lastSeq).toBe(manifest.lastSeq + 1);
    await restored.close();
    await storage.close();
  });

  it('refuses non-empty targets and incomplete backups', async () => {
    const root = await tempDir();
    const storage = await Storage.open(join(root, 'db'));
    await populate(storage);
    await backupStorage(storage, join(root, 'backup'));
    expect(await rejectionCode(backupStorage(storage, join(root, 'backup')))).toBe('CONFLICT');
    expect(await rejectionCode(restoreStorage(join(root, 'nothing-here'), join(root, 'r1')))).toBe('NOT_FOUND');
    expect(await rejectionCode(restoreStorage(join(root, 'backup'), join(root, 'db')))).toBe('CONFLICT');
    await storage.close();
  });

  it('detects a backup whose contents do not match its manifest', async () => {
    const root = await tempDir();
    const storage = await Storage.open(join(root, 'db'));
    await populate(storage);
    await backupStorage(storage, join(root, 'backup'));
    await storage.close();
    const manifestPath = join(root, 'backup', 'tabagent-backup.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { entries: number };
    await writeFile(manifestPath, JSON.stringify({ ...manifest, entries: manifest.entries + 5 }));
    expect(await rejectionCode(restoreStorage(join(root, 'backup'), join(root, 'restored')))).toBe('CORRUPTED');
  });
});

describe('JSONL export and import', () => {
  it('round-trips every record exactly', async () => {
    const root = await tempDir();
    const source = await Storage.open(join(root, 'a'));
    await populate(source);
    const file = join(root, 'export.jsonl');
    const exported = await exportJsonl(source, file);
    expect(exported).toBe(16);

    const target = await Storage.open(join(root, 'b'));
    const result = await importJsonl(target, file);
    expect(result).toEqual({ nodes: 12, edges: 2, embeddings: 2 });
    expect(await snapshot(target)).toEqual(await snapshot(source));

    // Exporting the imported database gives the same lines (apart from the header).
    const again = join(root, 'again.jsonl');
    await exportJsonl(target, again);
    const body = async (path: string) => (await readFile(path, 'utf8')).split('\n').slice(1);
    expect(await body(again)).toEqual(await body(file));

    // A second import collides unless told what to do.
    expect(await rejectionCode(importJsonl(target, file))).toBe('CONFLICT');
    expect(await importJsonl(target, file, { ifExists: 'ignore' })).toEqual(result);
    await source.close();
    await target.close();
  });

  it('names the bad line of an invalid file', async () => {
    const root = await tempDir();
    const storage = await Storage.open(join(root, 'db'));
    const file = join(root, 'bad.jsonl');
    await writeFile(file, [
      JSON.stringify({ kind: 'node', record: { type: 'Chat', title: 'ok' } }),
      '{not json',
    ].join('\n'));
    const error = (await importJsonl(storage, file).then(
      () => undefined,
      (err: unknown) => err as DbError,
    ))!;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('line 2');
    await writeFile(file, JSON.stringify({ kind: 'node', record: { type: 'Chat', title: 5 } }));
    expect(await rejectionCode(importJsonl(storage, file))).toBe('INVALID_ARGUMENT');
    expect(await storage.countNodes('Chat')).toBe(0);
    await storage.close();
  });
});

describe('JSONL files that cannot be opened', () => {
  it('fail with a code instead of an unhandled stream error', async () => {
    const dir = await tempDir();
    await using storage = await Storage.open(join(dir, 'db'));
    await expect(exportJsonl(storage, join(dir, 'no', 'such', 'dir', 'x.jsonl'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(importJsonl(storage, join(dir, 'missing.jsonl'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
