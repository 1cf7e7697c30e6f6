import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TabAgent } from '../src/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-facade-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const quiet = { info: () => {}, warn: () => {} };
const open = async (dir: string) => TabAgent.open(dir, { ml: { provider: 'builtin' }, mlInWorker: false, weaver: false, logger: quiet });

describe('TabAgent facade (without the weaver)', () => {
  it('creates chats and messages as active records, in conversation order, across a reopen', async () => {
    const dir = await tempDir();
    let chatId: string;
    {
      await using db = await open(dir);
      const chat = await db.createChat({ title: 'Trip planning' });
      chatId = chat.id;
      await chat.addMessage({ sender: 'alice', role: 'user', content: 'Shall we go to Paris in May?', timestamp: 1_000 });
      await chat.addMessage({ sender: 'bot', role: 'assistant', content: 'May is lovely in Paris.', timestamp: 2_000 });
      const { items, total } = await chat.messages();
      expect(total).toBe(2);
      expect(items.map((m) => m.sender)).toEqual(['alice', 'bot']);
    }
    await using db = await open(dir);
    const chat = await db.chat(chatId);
    expect(chat.title).toBe('Trip planning');
    expect((await chat.messages({ order: 'desc' })).items.map((m) => m.content)).toEqual(['May is lovely in Paris.', 'Shall we go to Paris in May?']);
    expect((await db.chats()).items.map((c) => c.id)).toEqual([chatId]);
  });

  it('searches by keyword and by meaning once embeddings exist', async () => {
    await using db = await open(await tempDir());
    const chat = await db.createChat({ title: 'notes' });
    const paris = await chat.addMessage({ sender: 'a', role: 'user', content: 'the museum in paris was wonderful' });
    await chat.addMessage({ sender: 'a', role: 'user', content: 'my bicycle needs new tyres' });
    const keyword = await db.search('paris museum', { mode: 'keyword' });
    expect(keyword.hits[0]?.node.id).toBe(paris.id);

    // Without the weaver nothing is embedded yet: embed by hand with the active provider.
    const nodes = [paris, ...(await chat.messages()).items.filter((m) => m.id !== paris.id)];
    const vectors = await db.inference.embed(nodes.map((n) => n.content));
    await db.putEmbeddings(
      nodes.map((n, i) => ({ nodeId: n.id, model: db.inference.info().embedding.model, vector: new Float32Array(vectors[i]!), contentHash: String(i) })),
    );
    const semantic = await db.search('museum in paris', { mode: 'semantic', types: ['Message'] });
    expect(semantic.hits[0]?.node.id).toBe(paris.id);
    expect((await db.embeddingFor(paris.id))?.nodeId).toBe(paris.id);
    const hybrid = await db.search('paris', { types: ['Message'] });
    expect(hybrid.hits[0]?.node.id).toBe(paris.id);
    expect(hybrid.hits[0]?.scores.fused).toBeGreaterThan(0);
  });

  it('rejects bad input with codes, and everything after close with NOT_OPEN', async () => {
    const db = await open(await tempDir());
    await expect(db.createChat({ title: 42 } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(db.chat('chat_01NOPE00000000000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const chat = await db.createChat({ title: 't' });
    const msg = await chat.addMessage({ sender: 'a', role: 'user', content: 'x' });
    await expect(db.chat(msg.id)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => db.search('  ')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await expect(chat.addMessage({ sender: 'a', role: 'robot', content: 'x' } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await db.close();
    await db.close();
    expect(db.status).toBe('closed');
    await expect(async () => db.createChat({ title: 'late' })).rejects.toMatchObject({ code: 'NOT_OPEN' });
    expect(() => db.stats()).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }));
  });

  it('adds a message by chat id, checking the chat in the write itself', async () => {
    await using db = await open(await tempDir());
    const chat = await db.createChat({ title: 't' });
    const message = await db.addMessage(chat.id, { sender: 'a', role: 'user', content: 'by id' });
    expect(message).toMatchObject({ type: 'Message', chatId: chat.id, content: 'by id' });
    expect(await db.getNode(message.id)).toEqual(message);

    const missing = 'chat_01NOPE000000000000000000';
    await expect(db.addMessage(missing, { sender: 'a', role: 'user', content: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { field: 'chatId', id: missing },
    });
    await expect(db.addMessage(message.id, { sender: 'a', role: 'user', content: 'x' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { field: 'chatId' },
    });
    await expect(db.addMessage(chat.id, { sender: 'a', role: 'robot', content: 'x' } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // Nothing of the failed writes was stored.
    expect((await chat.messages()).items.map((m) => m.id)).toEqual([message.id]);
    // The chat and the kind come from the call, never from the message's own fields.
    const other = await db.createChat({ type: 'Message', title: 'other' } as never);
    expect(other.node.type).toBe('Chat');
    const sneaky = await db.addMessage(chat.id, { sender: 'a', role: 'user', content: 'y', chatId: other.id, type: 'Chat' } as never);
    expect(sneaky).toMatchObject({ type: 'Message', chatId: chat.id });
  });

  it('paths, entities and stats compose the parts', async () => {
    await using db = await open(await tempDir());
    const chat = await db.createChat({ title: 't' });
    const msg = await chat.addMessage({ sender: 'a', role: 'user', content: 'Alice lives in Paris' });
    const [paris] = await db.insertNodes([{ type: 'Entity', entityType: 'LOCATION', label: 'Paris' } as never]);
    await db.insertEdge({ from: msg.id, to: paris!.id, type: 'MENTIONS' });
    expect((await db.entitiesMentionedIn(msg.id)).map((m) => m.entity.id)).toEqual([paris!.id]);
    expect((await db.nodesMentioning(paris!.id)).items.map((n) => n.id)).toEqual([msg.id]);
    const path = await db.findShortestPath(msg.id, paris!.id);
    expect(path?.nodes).toEqual([msg.id, paris!.id]);
    db.setActivityLevel('high');
    const stats = db.stats();
    expect(stats.scheduler.activityLevel).toBe('high');
    expect(stats.ml.provider).toBe('builtin');
    expect(stats.storage.lastSeq).toBeGreaterThan(0);
    expect(stats.weaver).toBeUndefined();
  });
});

describe('subscribe', () => {
  it('delivers committed changes that pass the filter until stopped', async () => {
    await using db = await open(await tempDir());
    const a = await db.createChat({ title: 'a' });
    const b = await db.createChat({ title: 'b' });
    const seen: string[] = [];
    const stop = db.subscribe((e) => {
      if (e.kind === 'change') seen.push(`${e.change.op}:${e.change.kind}:${e.change.id}`);
    }, { chatId: a.id, nodeKinds: ['Message'] });
    const m1 = await a.addMessage({ sender: 's', role: 'user', content: 'one' });
    await b.addMessage({ sender: 's', role: 'user', content: 'other chat' });
    stop();
    await a.addMessage({ sender: 's', role: 'user', content: 'after stop' });
    expect(seen).toEqual([`insert:Message:${m1.id}`]);
  });
});

describe('right after open', () => {
  it('answers a semantic search over stored embeddings before the vector index has loaded', async () => {
    const dir = await tempDir();
    let target: string;
    {
      await using db = await open(dir);
      const chat = await db.createChat({ title: 'notes' });
      const texts = ['the museum in paris was wonderful', 'my bicycle needs new tyres', 'a recipe for lemon cake'];
      const messages = [];
      for (const content of texts) messages.push(await chat.addMessage({ sender: 'a', role: 'user', content }));
      const vectors = await db.inference.embed(texts);
      await db.putEmbeddings(messages.map((m, i) => ({ nodeId: m.id, model: db.inference.info().embedding.model, vector: new Float32Array(vectors[i]!), contentHash: String(i) })));
      target = messages[2]!.id;
    }
    await using db = await open(dir);
    const { hits } = await db.search('lemon cake recipe', { mode: 'semantic' });
    expect(hits[0]?.node.id).toBe(target);
  });
});
