import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame, NativeTestClient } from './fixtures/native-client.js';

const MiB = 1024 * 1024;

describe('native messaging host (spawned, speaking the framing on stdio)', () => {
  let host: NativeTestClient;

  beforeAll(async () => {
    host = new NativeTestClient();
    expect((await host.request('ping')).result).toMatchObject({ pong: true });
  });
  afterAll(async () => {
    if (host.child.exitCode === null) await host.close();
  });

  it('answers requests by id: create a chat, add a message, read it, search for it', async () => {
    const chat = await host.request('chats.create', { title: 'From the extension' });
    expect(chat).toMatchObject({ ok: true, result: { type: 'Chat', title: 'From the extension' } });
    const message = await host.request('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content: 'native messaging about quokkas' });
    expect(message.result).toMatchObject({ type: 'Message', chatId: chat.result.id, content: 'native messaging about quokkas' });
    expect((await host.request('nodes.get', { id: message.result.id })).result.id).toBe(message.result.id);
    const search = await host.request('search', { text: 'quokkas', mode: 'keyword' });
    expect(search.result.hits.map((h: { node: { id: string } }) => h.node.id)).toEqual([message.result.id]);
    const page = await host.request('chats.messages', { chatId: chat.result.id });
    expect(page.result).toMatchObject({ total: 1, items: [{ id: message.result.id }] });
  });

  it('answers bad requests with a clear error and the request id', async () => {
    const unknown = await host.request('nodes.teleport', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(unknown.error.message).toContain('unknown method "nodes.teleport"');
    const badParams = await host.request('chats.addMessage', { chatId: 'chat_01NOPE00000000000000000000', sender: 'me', role: 'robot', content: 'x' });
    expect(badParams).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', details: { field: 'params.role' } } });
    const missing = await host.request('nodes.get', { id: 'msg_01NOPE00000000000000000000' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    host.send({ method: 'ping' });
    const noId = await host.next((m) => m.id === null && m.error?.details?.field === 'id', 'the missing-id error');
    expect(noId.error.code).toBe('INVALID_ARGUMENT');
  });

  it('reassembles a message split across reads, and several messages in one read', async () => {
    const bytes = frame({ id: 'split', method: 'ping' });
    host.write(bytes.subarray(0, 2));
    await new Promise((r) => setTimeout(r, 50));
    host.write(bytes.subarray(2, 9));
    await new Promise((r) => setTimeout(r, 50));
    host.write(bytes.subarray(9));
    expect(await host.next((m) => m.id === 'split', 'the split ping')).toMatchObject({ ok: true, result: { pong: true } });
    host.write(Buffer.concat([frame({ id: 'a', method: 'ping' }), frame({ id: 'b', method: 'ping' }), frame({ id: 'c', method: 'ping' })]));
    for (const id of ['a', 'b', 'c']) expect(await host.next((m) => m.id === id, `ping ${id}`)).toMatchObject({ ok: true });
  });

  it('reports invalid JSON, invalid UTF-8 and an empty frame, and keeps running', async () => {
    const before = host.messages.filter((m) => m.id === null).length;
    host.write(frame('{"id": 1, "method": '));
    host.write(Buffer.concat([Buffer.from([3, 0, 0, 0]), Buffer.from([0xff, 0xfe, 0xfd])]));
    host.write(Buffer.from([0, 0, 0, 0]));
    host.write(frame([1, 2, 3]));
    await host.next(() => host.messages.filter((m) => m.id === null).length >= before + 4, 'four errors');
    const errors = host.messages.filter((m) => m.id === null).slice(before);
    expect(errors.map((e) => e.error.code)).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    expect(errors[0].error.message).toContain('not valid JSON');
    expect(errors[1].error.message).toContain('UTF-8');
    expect(errors[3].error.message).toContain('must be an object');
    expect((await host.request('ping')).ok).toBe(true);
  });

  it('skips an oversized message (over 64 MiB) with TOO_LARGE and stays in step', async () => {
    const size = 64 * MiB + 1;
    const header = Buffer.alloc(4);
    header.writeUInt32LE(size);
    host.write(header);
    const block = Buffer.alloc(MiB, 0x20);
    for (let sent = 0; sent < size; sent += block.length) host.write(sent + block.length <= size ? block : block.subarray(0, size - sent));
    const error = await host.next((m) => m.id === null && m.error?.code === 'TOO_LARGE', 'the TOO_LARGE error', 60_000);
    expect(error.error.message).toContain(String(size));
    expect((await host.request('ping')).ok).toBe(true);
  });

  it('accepts a message from the browser far over 1 MiB (4 MiB), and pages the echo back', async () => {
    const chat = await host.request('chats.create', { title: 'big' });
    const content = 'word '.repeat((4 * MiB) / 5);
    const response = await host.request('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content });
    expect(response.ok).toBe(true);
    expect(response.parts).toBeGreaterThan(1);
    expect(response.result.content).toBe(content);
    expect(Math.max(...host.frameSizes)).toBeLessThanOrEqual(MiB);
  });

  it('sends results over 1 MiB in parts of at most 1 MiB that join back into the result', async () => {
    const chat = await host.request('chats.create', { title: 'long chat' });
    const text = 'é"\\\n😀 '.repeat(20_000); // escapes and multi-byte text make the encoding heavier than the string
    for (let i = 0; i < 12; i++) expect((await host.request('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content: `${i} ${text}` })).ok).toBe(true);
    const page = await host.request('chats.messages', { chatId: chat.result.id, limit: 12 });
    expect(page.parts).toBeGreaterThan(1);
    expect(page.result.items).toHaveLength(12);
    expect(page.result.items.map((m: { content: string }) => m.content)).toEqual(Array.from({ length: 12 }, (_, i) => `${i} ${text}`));
    expect(Math.max(...host.frameSizes)).toBeLessThanOrEqual(MiB);
  });

  it('pushes change events to a subscriber after a write, and stops after unsubscribe', async () => {
    const chat = await host.request('chats.create', { title: 'events' });
    const sub = await host.request('subscribe', { kinds: ['change'], chatId: chat.result.id });
    expect(sub.result.subscription).toMatch(/^sub_/u);
    const msg = await host.request('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content: 'hello events' });
    const event = await host.next((m) => m.event === 'change' && m.data?.change?.id === msg.result.id, 'the change event');
    expect(event).toMatchObject({ subscription: sub.result.subscription, data: { change: { op: 'insert', entity: 'node', kind: 'Message', chatId: chat.result.id } } });
    expect((await host.request('subscribe', { kinds: ['gossip'] })).error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'params.kinds.0' } });
    expect((await host.request('unsubscribe', { subscription: sub.result.subscription })).ok).toBe(true);
    const later = await host.request('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content: 'unheard' });
    await host.request('ping');
    expect(host.messages.some((m) => m.event === 'change' && m.data?.change?.id === later.result.id)).toBe(false);
    expect((await host.request('unsubscribe', { subscription: sub.result.subscription })).error.code).toBe('NOT_FOUND');
  });

  it('exits cleanly when the browser closes stdin, with nothing but frames on stdout', async () => {
    const { code } = await host.close();
    expect(code).toBe(0);
    expect(host.leftover).toBe(0);
    expect(host.stderr).toContain('database closed');
    expect(host.stderr).toContain('[fixture] a stray console line');
  });
});

describe('native messaging host, ending inside a message', () => {
  it('logs the truncated frame to stderr and exits cleanly', async () => {
    const host = new NativeTestClient();
    expect((await host.request('ping')).ok).toBe(true);
    host.write(Buffer.from([100, 0, 0, 0, 0x7b]));
    const { code } = await host.close();
    expect(code).toBe(0);
    expect(host.stderr).toContain('input ended in the middle of a message');
  });
});

describe('native messaging host with the weaver on', () => {
  it('pushes the enrichment events of a message the extension wrote', async () => {
    const host = new NativeTestClient({ TABAGENT_TEST_WEAVER: '1' });
    try {
      const chat = await host.request('chats.create', { title: 'weaving' });
      const sub = await host.request('subscribe', { kinds: ['enriched'], chatId: chat.result.id });
      const msg = await host.request('chats.addMessage', { chatId: chat.result.id, sender: 'me', role: 'user', content: 'Alice met Bob in Paris.' });
      const event = await host.next((m) => m.event === 'enriched' && m.data?.nodeId === msg.result.id && m.data.module === 'entity-linker', 'the entity-linker event');
      expect(event).toMatchObject({ subscription: sub.result.subscription, data: { chatId: chat.result.id, nodeKind: 'Message' } });
      const entities = await host.request('entities.mentionedIn', { nodeId: msg.result.id });
      expect(entities.result.map((m: { entity: { label: string } }) => m.entity.label).sort()).toEqual(['Alice', 'Bob', 'Paris']);
      expect((await host.request('weaver.status')).result.enabled).toBe(true);
    } finally {
      expect((await host.close()).code).toBe(0);
    }
  });
});
