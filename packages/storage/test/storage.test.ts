import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DbError, NODE_TYPES, entityId, type ChangeEvent, type Node } from '@tabagent/common';
import { sampleNewNodes } from '@tabagent/common/testing';
import { Storage, type Extension, type RecordChange, type Sublevel } from '../src/index.js';
import { rejectionCode, tempDir } from './helpers.js';

async function openTemp(options = {}): Promise<Storage> {
  return Storage.open(join(await tempDir(), 'db'), options);
}

async function withChat(storage: Storage): Promise<string> {
  const chat = await storage.insertNode({ type: 'Chat', title: 'Trip' });
  return chat.id;
}

describe('Storage CRUD', () => {
  it('round-trips every node kind, across a reopen', async () => {
    const dir = join(await tempDir(), 'db');
    const storage = await Storage.open(dir);
    const chatId = await withChat(storage);
    const samples = sampleNewNodes(chatId);
    const inserted = await storage.insertNodes(NODE_TYPES.map((type) => samples[type]));
    expect(inserted.map((n) => n.type)).toEqual([...NODE_TYPES]);
    expect(await storage.getNodes(inserted.map((n) => n.id))).toEqual(inserted);
    await storage.close();

    const reopened = await Storage.open(dir);
    expect(await reopened.getNodes(inserted.map((n) => n.id))).toEqual(inserted);
    for (const type of NODE_TYPES) {
      expect(await reopened.countNodes(type), type).toBe(type === 'Chat' ? 2 : 1);
    }
    await reopened.close();
  });

  it('returns undefined for missing ids and NOT_FOUND for getNode', async () => {
    const storage = await openTemp();
    expect(await storage.getNodes(['msg_01MISSING', 'nonsense', 'edge_x'])).toEqual([undefined, undefined, undefined]);
    expect(await rejectionCode(storage.getNode('msg_01MISSING'))).toBe('NOT_FOUND');
    await storage.close();
  });

  it('updates with partial patches and bumps updatedAt', async () => {
    let clock = 1_000;
    const storage = await openTemp({ now: () => clock });
    const chat = await storage.insertNode({ type: 'Chat', title: 'Old', topic: 'x' });
    clock = 2_000;
    const updated = await storage.updateNode(chat.id, { title: 'New', topic: null });
    expect(updated).toMatchObject({ title: 'New', createdAt: 1_000, updatedAt: 2_000 });
    expect('topic' in updated).toBe(false);
    expect(await storage.getNode(chat.id)).toEqual(updated);
    expect(await rejectionCode(storage.updateNode(chat.id, { title: 7 }))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(storage.updateNode(chat.id, { createdAt: 5 }))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(storage.updateNode('chat_01MISSING', { title: 'x' }))).toBe('NOT_FOUND');
    await storage.close();
  });

  it('rejects duplicate ids with CONFLICT, or ignores / replaces on request', async () => {
    const storage = await openTemp();
    const id = entityId('LOCATION', 'Paris');
    await storage.insertNode({ type: 'Entity', id, label: 'Paris', entityType: 'LOCATION' });
    expect(await rejectionCode(storage.insertNode({ type: 'Entity', id, label: 'Paris', entityType: 'LOCATION' }))).toBe('CONFLICT');
    const ignored = await storage.insertNode({ type: 'Entity', id, label: 'paris', entityType: 'LOCATION' }, { ifExists: 'ignore' });
    expect(ignored).toMatchObject({ label: 'Paris' });
    const replaced = await storage.insertNode({ type: 'Entity', id, label: 'PARIS', entityType: 'LOCATION' }, { ifExists: 'replace' });
    expect((await storage.getNode(id)) as Node).toEqual(replaced);
    expect(replaced).toMatchObject({ label: 'PARIS' });
    await storage.close();
  });

  it('stores embeddings as float32 and finds them by node', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    const vector = new Float32Array([0.1, -0.2, 0.3, 0.4]);
    const stored = await storage.putEmbedding({ nodeId: chatId, model: 'test-model', vector, contentHash: 'h1' });
    const [read] = await storage.getEmbeddings([stored.id]);
    expect(read!.vector).toBeInstanceOf(Float32Array);
    expect(Array.from(read!.vector)).toEqual(Array.from(vector));
    expect(await storage.embeddingsOf(chatId)).toEqual([read]);
    expect(await rejectionCode(storage.putEmbedding({ nodeId: 'chat_01MISSING', model: 'm', vector }))).toBe('NOT_FOUND');
    expect(await rejectionCode(storage.putEmbedding({ nodeId: chatId, model: 'm', vector: new Float32Array([Number.NaN, 1]) }))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(storage.putEmbedding({ nodeId: chatId, model: 'm', vector: new Float32Array(3) }))).toBe('INVALID_ARGUMENT');
    await storage.close();
  });
});

describe('edges and cascades', () => {
  it('requires both endpoints to exist', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    expect(await rejectionCode(storage.insertEdge({ from: chatId, to: 'ent_missing', type: 'MENTIONS' }))).toBe('NOT_FOUND');
    expect(await rejectionCode(storage.insertEdge({ from: 'msg_missing', to: chatId, type: 'MENTIONS' }))).toBe('NOT_FOUND');
    expect(await rejectionCode(storage.insertEdge({ from: chatId, to: chatId, type: 'bad type' }))).toBe('INVALID_ARGUMENT');
    await storage.close();
  });

  it('deleting a node deletes its edges (both directions) and embeddings, and nothing else', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    const [m1, m2, paris] = await storage.insertNodes([
      { type: 'Message', chatId, sender: 'a', role: 'user', content: 'Paris?' },
      { type: 'Message', chatId, sender: 'b', role: 'assistant', content: 'Yes, Paris.' },
      { type: 'Entity', label: 'Paris', entityType: 'LOCATION' },
    ]);
    const edges = await storage.insertEdges([
      { from: m1!.id, to: paris!.id, type: 'MENTIONS' },
      { from: m2!.id, to: paris!.id, type: 'MENTIONS' },
      { from: m2!.id, to: m1!.id, type: 'REPLIES_TO' },
    ]);
    const embedding = await storage.putEmbedding({ nodeId: m1!.id, model: 'm', vector: new Float32Array([1, 0]) });
    const other = await storage.putEmbedding({ nodeId: m2!.id, model: 'm', vector: new Float32Array([0, 1]) });

    await storage.deleteNode(m1!.id);
    expect(await storage.getNodes([m1!.id])).toEqual([undefined]);
    expect(await storage.getEdges(edges.map((e) => e.id))).toEqual([undefined, edges[1], undefined]);
    expect(await storage.getEmbeddings([embedding.id, other.id])).toEqual([undefined, other]);
    expect(await storage.edgesOf(paris!.id)).toEqual([edges[1]]);
    expect(await storage.edgesOf(m2!.id)).toEqual([edges[1]]);
    expect(await rejectionCode(storage.deleteNode(m1!.id))).toBe('NOT_FOUND');
    await storage.close();
  });

  it('cascades edges created earlier in the same batch', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    const batch = storage.batch();
    const a = batch.insertNode({ type: 'Entity', label: 'A', entityType: 'PERSON' });
    const b = batch.insertNode({ type: 'Entity', label: 'B', entityType: 'PERSON' });
    const edge = batch.insertEdge({ from: a, to: b, type: 'RELATED_TO' });
    batch.insertEdge({ from: chatId, to: b, type: 'RELATED_TO' });
    batch.deleteNode(a);
    await batch.commit();
    expect(await storage.getEdges([edge])).toEqual([undefined]);
    expect((await storage.edgesOf(b)).map((e) => e.from)).toEqual([chatId]);
    await storage.close();
  });
});

describe('atomic batches', () => {
  it('writes nothing when any operation is invalid', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    const before = storage.lastSeq;
    const batch = storage.batch();
    const good = batch.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'kept?' });
    batch.insertEdge({ from: good, to: 'ent_missing', type: 'MENTIONS' });
    expect(await rejectionCode(batch.commit())).toBe('NOT_FOUND');
    expect(await storage.getNodes([good])).toEqual([undefined]);
    expect(storage.lastSeq).toBe(before);
    expect(await storage.readChanges({ after: before })).toEqual([]);

    // A schema error is caught while building the batch, before anything is queued.
    expect(await rejectionCode(() => storage.insertNodes([
      { type: 'Message', chatId, sender: 'a', role: 'user', content: 'ok' },
      { type: 'Message', chatId, sender: 'a', role: 'robot', content: 'bad' } as never,
    ]))).toBe('INVALID_ARGUMENT');
    expect(storage.lastSeq).toBe(before);
    await storage.close();
  });

  it('names the offending field of a bad batch', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    const error = await storage
      .insertNodes([{ type: 'Message', chatId, sender: 'a', role: 'user', content: 'ok' }, { type: 'Message', chatId, role: 'user' } as never])
      .catch((err: unknown) => err as DbError);
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).details.field).toBe('ops.1.sender');
    const unknownKind = await storage.insertNodes([{ type: 'Spaceship' } as never]).catch((err: unknown) => err as DbError);
    expect((unknownKind as DbError).code).toBe('INVALID_ARGUMENT');
    expect((unknownKind as DbError).details.field).toBe('ops.0.type');
    await storage.close();
  });

  it('rejects references to chats that do not exist', async () => {
    const storage = await openTemp();
    expect(await rejectionCode(storage.insertNode({ type: 'Message', chatId: 'chat_01MISSING', sender: 'a', role: 'user', content: 'x' }))).toBe('NOT_FOUND');
    const chatId = await withChat(storage);
    const batch = storage.batch();
    const later = batch.insertNode({ type: 'Chat', title: 'same batch' });
    batch.insertNode({ type: 'Message', chatId: later, sender: 'a', role: 'user', content: 'fine' });
    await batch.commit();
    expect(await rejectionCode(storage.insertNode({ type: 'Message', chatId: 'msg_notachat', sender: 'a', role: 'user', content: 'x' }))).toBe('NOT_FOUND');
    expect((await storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'x' })).type).toBe('Message');
    await storage.close();
  });

  it('rejects oversized records with TOO_LARGE and writes nothing', async () => {
    const storage = await openTemp({ maxRecordBytes: 10_000 });
    const chatId = await withChat(storage);
    const before = storage.lastSeq;
    expect(await rejectionCode(storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'x'.repeat(20_000) }))).toBe('TOO_LARGE');
    expect(storage.lastSeq).toBe(before);
    await storage.close();
  });

  it('keeps independent concurrent batches independent (group commit)', async () => {
    const storage = await openTemp();
    const chatId = await withChat(storage);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        i % 10 === 3
          ? storage.insertNode({ type: 'Message', chatId: 'chat_01MISSING', sender: 'a', role: 'user', content: `bad ${i}` })
          : storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: `good ${i}` }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(180);
    const changes = await storage.readChanges({ limit: 10_000 });
    expect(changes.map((c) => c.seq)).toEqual(Array.from({ length: 181 }, (_, i) => i + 1));
    await storage.close();
  });
});

describe('change log', () => {
  it('records every change in order with gap-free sequence numbers, after commit', async () => {
    const storage = await openTemp();
    const seen: ChangeEvent[] = [];
    storage.on('change', (event) => seen.push(event));
    const chatId = await withChat(storage);
    const msg = await storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'hi' });
    const ent = await storage.insertNode({ type: 'Entity', label: 'Bob', entityType: 'PERSON' });
    const edge = await storage.insertEdge({ from: msg.id, to: ent.id, type: 'MENTIONS' });
    await storage.updateNode(msg.id, { content: 'hello' });
    await storage.deleteNode(msg.id);

    const log = await storage.readChanges();
    expect(log.map((e) => [e.seq, e.op, e.entity, e.kind])).toEqual([
      [1, 'insert', 'node', 'Chat'],
      [2, 'insert', 'node', 'Message'],
      [3, 'insert', 'node', 'Entity'],
      [4, 'insert', 'edge', 'MENTIONS'],
      [5, 'update', 'node', 'Message'],
      [6, 'delete', 'edge', 'MENTIONS'],
      [7, 'delete', 'node', 'Message'],
    ]);
    expect(log[1]).toMatchObject({ id: msg.id, chatId });
    expect(log[3]).toMatchObject({ id: edge.id, from: msg.id, to: ent.id });
    expect(log[4]!.fields).toEqual(['content']);
    expect(seen).toEqual(log);
    expect(storage.lastSeq).toBe(7);
    await storage.close();
  });

  it('resumes from a cursor after a reopen and continues the sequence', async () => {
    const dir = join(await tempDir(), 'db');
    const storage = await Storage.open(dir);
    const chatId = await withChat(storage);
    await storage.insertNodes(Array.from({ length: 5 }, (_, i) => ({ type: 'Message' as const, chatId, sender: 'a', role: 'user' as const, content: `m${i}` })));
    const cursor = 3;
    await storage.close();

    const reopened = await Storage.open(dir);
    expect(reopened.lastSeq).toBe(6);
    const resumed = [];
    for await (const event of reopened.changes({ after: cursor })) resumed.push(event.seq);
    expect(resumed).toEqual([4, 5, 6]);
    await reopened.insertNode({ type: 'Chat', title: 'next' });
    expect((await reopened.readChanges({ after: 6 })).map((e) => e.seq)).toEqual([7]);
    expect(await rejectionCode(reopened.readChanges({ after: -1 }))).toBe('INVALID_ARGUMENT');
    await reopened.close();
  });

  it('follows the log live until aborted', async () => {
    const storage = await openTemp();
    const controller = new AbortController();
    const received: number[] = [];
    const follower = (async () => {
      try {
        for await (const event of storage.changes({ follow: true, signal: controller.signal })) {
          received.push(event.seq);
          if (received.length === 3) controller.abort();
        }
      } catch (err) {
        if (!DbError.is(err, 'ABORTED')) throw err;
      }
    })();
    await withChat(storage);
    await withChat(storage);
    await withChat(storage);
    await follower;
    expect(received).toEqual([1, 2, 3]);
    await storage.close();
  });

  it('compacts old entries but keeps the sequence going', async () => {
    const dir = join(await tempDir(), 'db');
    const storage = await Storage.open(dir);
    for (let i = 0; i < 4; i++) await withChat(storage);
    await storage.compactChangeLog(10);
    expect((await storage.readChanges()).map((e) => e.seq)).toEqual([4]);
    await storage.close();
    const reopened = await Storage.open(dir);
    await withChat(reopened);
    expect((await reopened.readChanges()).map((e) => e.seq)).toEqual([4, 5]);
    await reopened.close();
  });
});

describe('extensions that apply', () => {
  it('writes extension entries in the same batch and sees before/after', async () => {
    const calls: RecordChange[][] = [];
    let index: Sublevel | undefined;
    const hook: Extension = {
      name: 'by-chat',
      kind: 'derived',
      open(context) {
        index = context.keyspace;
      },
      apply(changes, batch) {
        calls.push([...changes]);
        for (const change of changes) {
          if (change.entity !== 'node') continue;
          if (change.before?.type === 'Message') batch.del(`${change.before.chatId}\u0000${change.id}`);
          if (change.after?.type === 'Message') batch.put(`${change.after.chatId}\u0000${change.id}`, new Uint8Array([1]));
        }
      },
    };
    const storage = await openTemp({ extensions: [hook] });
    const chatId = await withChat(storage);
    const msg = await storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'x' });
    expect(await index!.keys().all()).toEqual([`${chatId}\u0000${msg.id}`]);
    await storage.updateNode(msg.id, { content: 'y' });
    expect(calls.at(-1)![0]).toMatchObject({ op: 'update', before: { content: 'x' }, after: { content: 'y' } });
    await storage.deleteNode(msg.id);
    expect(await index!.keys().all()).toEqual([]);
    await storage.close();
  });

  it('a failing extension fails the commit and nothing is written', async () => {
    let fail = false;
    const storage = await openTemp({
      extensions: [{ name: 'flaky', kind: 'derived', apply: () => { if (fail) throw new Error('disk on fire'); } }],
    });
    const chatId = await withChat(storage);
    fail = true;
    const before = storage.lastSeq;
    expect(await rejectionCode(storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'x' }))).toBe('INTERNAL');
    expect(storage.lastSeq).toBe(before);
    expect(await storage.countNodes('Message')).toBe(0);
    fail = false;
    await storage.insertNode({ type: 'Message', chatId, sender: 'a', role: 'user', content: 'x' });
    expect((await storage.readChanges()).map((e) => e.seq)).toEqual([1, 2]);
    await storage.close();
  });
});

describe('lifecycle', () => {
  it('open and close are idempotent; calls after close fail with NOT_OPEN', async () => {
    const storage = new Storage(join(await tempDir(), 'db'));
    expect(storage.status).toBe('closed');
    expect(await rejectionCode(async () => storage.getNode('chat_x'))).toBe('NOT_OPEN');
    await Promise.all([storage.open(), storage.open()]);
    expect(storage.status).toBe('open');
    await storage.close();
    await storage.close();
    expect(storage.status).toBe('closed');
    expect(await rejectionCode(async () => storage.insertNode({ type: 'Chat', title: 'x' }))).toBe('NOT_OPEN');
    expect(await rejectionCode(async () => storage.batch())).toBe('NOT_OPEN');
    expect(await rejectionCode(async () => storage.lastSeq)).toBe('NOT_OPEN');
  });

  it('close waits for queued writes', async () => {
    const dir = join(await tempDir(), 'db');
    const storage = await Storage.open(dir);
    const writes = Array.from({ length: 50 }, (_, i) => storage.insertNode({ type: 'Chat', title: `c${i}` }));
    await storage.close();
    expect((await Promise.allSettled(writes)).every((r) => r.status === 'fulfilled')).toBe(true);
    const reopened = await Storage.open(dir);
    expect(await reopened.countNodes('Chat')).toBe(50);
    await reopened.close();
  });

  it('a second process-level open of the same directory is UNAVAILABLE', async () => {
    const dir = join(await tempDir(), 'db');
    const first = await Storage.open(dir);
    expect(await rejectionCode(Storage.open(dir))).toBe('UNAVAILABLE');
    await first.close();
  });

  it('works with await using', async () => {
    const dir = join(await tempDir(), 'db');
    let handle: Storage | undefined;
    {
      await using storage = await Storage.open(dir);
      handle = storage;
      await withChat(storage);
    }
    expect(handle.status).toBe('closed');
  });

  it('fsyncs commits in sync mode and still reads them back', async () => {
    const dir = join(await tempDir(), 'db');
    const storage = await Storage.open(dir, { durability: 'sync' });
    const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.insertNode({ type: 'Chat', title: `c${i}` })));
    await storage.close();
    const reopened = await Storage.open(dir);
    expect((await reopened.getNodes(writes.map((w) => w.id))).every((n) => n !== undefined)).toBe(true);
    await reopened.close();
  });
});

describe('followers and close', () => {
  it('a live follower ends when the storage closes', async () => {
    const storage = await openTemp();
    await withChat(storage);
    const seen: number[] = [];
    const follower = (async () => {
      for await (const event of storage.changes({ follow: true })) seen.push(event.seq);
    })();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await storage.close();
    await follower;
    expect(seen).toEqual([1]);
  });
});
