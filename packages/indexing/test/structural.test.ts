import { describe, expect, it } from 'vitest';
import { DbError, normaliseLabel, type Node } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { encodeKeyValue, INDEXED_FIELDS, type FieldCondition } from '../src/index.js';
import { openIndexed } from './helpers.js';

/** Brute force: what a condition matches, from the nodes themselves. */
function matches(node: Node, field: string, condition: FieldCondition): boolean {
  const values = INDEXED_FIELDS.find((f) => f.name === field)!.values(node);
  return values.some((v) => {
    if ('eq' in condition) return v === condition.eq;
    if ('in' in condition) return condition.in.includes(v);
    if ('prefix' in condition) return typeof v === 'string' && v.startsWith(condition.prefix);
    const { gt, gte, lt, lte } = condition;
    const bound = gt ?? gte ?? lt ?? lte;
    if (typeof v !== typeof bound) return false;
    return (gt === undefined || v > gt) && (gte === undefined || v >= gte) && (lt === undefined || v < lt) && (lte === undefined || v <= lte);
  });
}

describe('order-preserving keys', () => {
  it('sorts numbers numerically and strings by code unit', () => {
    const random = seededRandom(1);
    const numbers = [0, -0.5, 1e-9, -1e12, 1e12, 42, -42, Infinity, -Infinity, ...Array.from({ length: 200 }, () => (random() - 0.5) * 1e6)];
    const byKey = [...numbers].sort((a, b) => (encodeKeyValue(a) < encodeKeyValue(b) ? -1 : 1));
    expect(byKey).toEqual([...numbers].sort((a, b) => a - b));
    const strings = ['', 'a', 'ab', 'b', 'a\u0000b', 'a\u0001', 'Z', 'é'];
    const sortedByKey = [...strings].sort((a, b) => (encodeKeyValue(a) < encodeKeyValue(b) ? -1 : 1));
    expect(sortedByKey).toEqual([...strings].sort());
    expect(() => encodeKeyValue(Number.NaN)).toThrow(DbError);
  });
});

describe('structural index', () => {
  it('matches a brute-force scan on randomized insert/update/delete mixes', async () => {
    const { storage, indexing } = await openIndexed();
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const chats = await storage.insertNodes(Array.from({ length: 5 }, (_, i) => ({ type: 'Chat' as const, title: `chat ${i}`, tags: i % 2 ? ['work'] : ['home', 'travel'] })));
    const senders = ['alice', 'bob', 'carol', 'dave'];
    const live = new Set<string>();
    for (let round = 0; round < 8; round++) {
      const inserted = await storage.insertNodes(Array.from({ length: 40 }, () => ({
        type: 'Message' as const,
        chatId: pick(chats).id,
        sender: pick(senders),
        role: pick(['user', 'assistant'] as const),
        content: 'x',
        timestamp: Math.floor(random() * 1_000),
        tags: random() < 0.3 ? [pick(['urgent', 'later', 'travel'])] : [],
      })));
      for (const node of inserted) live.add(node.id);
      await storage.insertNodes(Array.from({ length: 5 }, () => ({
        type: 'Entity' as const,
        label: `${pick(['Paris', 'Lyon', 'Acme Corp', 'Alice'])} ${Math.floor(random() * 5)}`,
        entityType: pick(['LOCATION', 'ORG', 'PERSON']),
      })), { ifExists: 'ignore' });
      const ids = [...live];
      for (let i = 0; i < 10; i++) {
        const id = pick(ids);
        if (!live.has(id)) continue;
        if (random() < 0.5) {
          await storage.updateNode(id, { sender: pick(senders), timestamp: Math.floor(random() * 1_000), tags: [] });
        } else {
          await storage.deleteNode(id);
          live.delete(id);
        }
      }
    }
    const all: Node[] = [];
    for await (const chunk of storage.scanNodes()) all.push(...chunk);
    const conditions: [string, FieldCondition][] = [
      ['type', { eq: 'Message' }],
      ['type', { in: ['Chat', 'Entity'] }],
      ['chatId', { eq: chats[2]!.id }],
      ['sender', { in: ['alice', 'carol'] }],
      ['sender', { prefix: 'ca' }],
      ['timestamp', { gte: 100, lt: 400 }],
      ['timestamp', { gt: 500 }],
      ['timestamp', { lte: 50 }],
      ['tags', { eq: 'travel' }],
      ['entityType', { eq: 'LOCATION' }],
      ['label', { prefix: normaliseLabel('Acme') }],
      ['role', { eq: 'assistant' }],
      ['createdAt', { gte: 0 }],
    ];
    for (const [field, condition] of conditions) {
      const got = await indexing.structural.lookup(field, condition);
      const want = all.filter((n) => matches(n, field, condition)).map((n) => n.id);
      expect(new Set(got), `${field} ${JSON.stringify(condition)}`).toEqual(new Set(want));
      const estimate = await indexing.structural.estimate(field, condition);
      expect(estimate).toEqual({ count: got.length, exact: true });
    }
    expect((await indexing.structural.estimate('type', { eq: 'Message' }, 10)).exact).toBe(false);
    expect(await indexing.structural.lookup('type', { eq: 'Message' }, { limit: 7 })).toHaveLength(7);
    for (const report of await indexing.verify()) expect(report, report.index).toMatchObject({ ok: true });
  });

  it('returns range results in value order', async () => {
    const { storage, indexing } = await openIndexed();
    const chat = await storage.insertNode({ type: 'Chat', title: 'c' });
    const times = [500, 3, 20, 8, 1000, 0];
    const nodes = await storage.insertNodes(times.map((timestamp) => ({ type: 'Message' as const, chatId: chat.id, sender: 's', role: 'user' as const, content: 'x', timestamp })));
    const ids = await indexing.structural.lookup('timestamp', { gte: 0 });
    const byId = new Map(nodes.map((n) => [n.id, n.type === 'Message' ? n.timestamp : 0]));
    expect(ids.map((id) => byId.get(id))).toEqual([0, 3, 8, 20, 500, 1000]);
    const between = await indexing.structural.lookup('timestamp', { gt: 3, lte: 500 });
    expect(between.map((id) => byId.get(id))).toEqual([8, 20, 500]);
  });

  it('rejects unknown fields and malformed conditions', async () => {
    const { indexing } = await openIndexed();
    const code = async (fn: () => Promise<unknown>) => fn().then(() => 'resolved', (e: unknown) => (e as DbError).code);
    expect(await code(() => indexing.structural.lookup('colour', { eq: 'red' }))).toBe('INVALID_ARGUMENT');
    expect(await code(() => indexing.structural.lookup('timestamp', { gte: 1, lt: 'z' }))).toBe('INVALID_ARGUMENT');
    expect(await code(() => indexing.structural.lookup('timestamp', {}))).toBe('INVALID_ARGUMENT');
    expect(await code(() => indexing.structural.lookup('sender', { in: 'alice' as never }))).toBe('INVALID_ARGUMENT');
    expect(await code(() => indexing.structural.lookup('timestamp', { eq: Number.NaN }))).toBe('INVALID_ARGUMENT');
  });
});

describe('derived fields and distinct values', () => {
  it('lists distinct senders with one entry each, escaped values included', async () => {
    const { storage, indexing } = await openIndexed();
    const chat = await storage.insertNode({ type: 'Chat', title: 't' });
    const senders = ['Nate', 'Joanna', 'Nate', 'a\u0000b', 'Joanna'];
    await storage.insertNodes(senders.map((sender) => ({ type: 'Message' as const, chatId: chat.id, sender, role: 'user' as const, content: 'hi' })));
    expect(await indexing.structural.distinctStrings('sender')).toEqual(['Joanna', 'Nate', 'a\u0000b']);
    expect(await indexing.structural.distinctStrings('sender', { limit: 1 })).toEqual(['Joanna']);
  });

  it('indexes the days a message is about: when it was sent and the days its words name', async () => {
    const { storage, indexing } = await openIndexed();
    const chat = await storage.insertNode({ type: 'Chat', title: 't' });
    const sent = Date.UTC(2023, 5, 3, 15);
    const [said] = await storage.insertNodes([{ type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'We did that yesterday.', timestamp: sent }]);
    const june2 = Date.UTC(2023, 5, 2);
    expect(await indexing.structural.lookup('day', { eq: june2 })).toEqual([said!.id]);
    expect(await indexing.structural.lookup('day', { eq: Date.UTC(2023, 5, 3) })).toEqual([said!.id]);
    expect(await indexing.structural.lookup('day', { eq: Date.UTC(2023, 5, 1) })).toEqual([]);
  });
});
