import { describe, expect, it } from 'vitest';
import { EdgeTypes, entityId, type NewEdge, type NewNode } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { cosine } from '@tabagent/indexing';
import { hashEmbed, openDb } from './helpers.js';

const MODEL = 'hash-64';
const PLACES = ['Paris', 'Berlin', 'Lyon', 'Rome', 'Madrid'];
const TEMPLATES = [
  'I loved the museums in {place} last spring',
  'Can you find a cheap hotel in {place} for the conference',
  'What is the fastest train from {place} to the coast',
  'Remind me to call Alice about the {place} trip',
  'The weather in {place} was rainy all week',
  'Book a table for dinner near the station in {place}',
  'Summarise our conversations about {place}',
];
const FILLER = ['please review the budget draft', 'the deploy failed again on friday', 'what should we cook tonight', 'send the quarterly report to the team'];

/**
 * The seeds' Example 2, "Show me Paris conversations":
 * structural (type = Message) ∩ graph (MENTIONS of the Paris entity), then semantic rerank.
 */
describe('Example 2: "Show me Paris conversations"', () => {
  it('intersects the type filter with the MENTIONS of Paris and reranks the candidates by meaning', async () => {
    const db = await openDb({ embed: (text) => hashEmbed(text) });
    const { storage, engine } = db;
    const random = seededRandom(2);
    const chats = await storage.insertNodes(Array.from({ length: 40 }, (_, i) => ({ type: 'Chat' as const, title: `chat ${i}` })));
    const entities = await storage.insertNodes(PLACES.map((label) => ({ type: 'Entity' as const, id: entityId('LOCATION', label), entityType: 'LOCATION', label })));
    const paris = entityId('LOCATION', 'Paris');

    // 2,000 messages: 50 mention Paris, 250 other places, the rest none.
    const messages: NewNode[] = [];
    const mentions: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const place = i % 40 === 0 ? 'Paris' : i % 8 === 1 ? PLACES[1 + (i % 4)]! : undefined;
      const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
      const content = place === undefined ? FILLER[i % FILLER.length]! : template.replace('{place}', place);
      messages.push({ type: 'Message', chatId: chats[i % 40]!.id, sender: i % 2 ? 'me' : 'assistant', role: i % 2 ? 'user' : 'assistant', content, timestamp: 1_000 + i });
      mentions.push(place === undefined ? -1 : PLACES.indexOf(place));
    }
    const stored = [];
    for (let i = 0; i < messages.length; i += 1_000) stored.push(...(await storage.insertNodes(messages.slice(i, i + 1_000))));
    // A summary mentions Paris too: the type filter must keep it out.
    const summary = await storage.insertNode({ type: 'Summary', chatId: chats[0]!.id, content: 'Paris trip planning' });
    const edges: NewEdge[] = stored.flatMap((m, i) => (mentions[i]! < 0 ? [] : [{ from: m.id, to: entities[mentions[i]!]!.id, type: EdgeTypes.MENTIONS, weight: 0.9 }]));
    edges.push({ from: summary.id, to: paris, type: EdgeTypes.MENTIONS });
    await storage.insertEdges(edges);
    await storage.putEmbeddings([...stored, summary].map((n) => ({ nodeId: n.id, model: MODEL, vector: hashEmbed(n.type === 'Message' || n.type === 'Summary' ? n.content : '') })));
    await engine.ready();

    const query = {
      types: ['Message' as const],
      graph: { start: paris, direction: 'in' as const, edgeTypes: [EdgeTypes.MENTIONS] },
      semantic: { text: 'Paris conversations' },
      limit: 10,
      explain: true,
    };
    const result = await engine.query(query);

    // The expected answer, computed directly: Paris-mentioning messages by cosine.
    const queryVector = hashEmbed('Paris conversations');
    const parisMessages = stored.filter((_, i) => mentions[i] === 0);
    expect(parisMessages).toHaveLength(50);
    const expected = parisMessages
      .map((m) => ({ id: m.id, score: cosine(queryVector, hashEmbed(m.type === 'Message' ? m.content : '')) }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    expect(result.hits.map((h) => h.node.id)).toEqual(expected.slice(0, 10).map((e) => e.id));
    expect(result.total).toBe(50);
    for (const [i, hit] of result.hits.entries()) {
      expect(hit.node.type).toBe('Message');
      expect(hit.graphDepth).toBe(1);
      expect(hit.scores.semantic).toBeCloseTo(expected[i]!.score, 6);
    }
    // The best match is a message that talks about Paris and conversations.
    expect(result.hits[0]!.node.type === 'Message' && result.hits[0]!.node.content).toBe('Summarise our conversations about Paris');

    // The plan: start from the 51 nodes mentioning Paris (not the 2,000 messages), keep the
    // 50 messages, score just those exactly.
    const explain = result.explain!;
    expect(explain.driver).toBe(`graph in MENTIONS from ${paris} depth 1`);
    expect(explain.ranking).toBe('exact');
    const stage = (name: string) => explain.stages.find((s) => s.name === name)!;
    expect(stage('graph').output).toBe(51);
    expect(stage('types')).toMatchObject({ input: 51, output: 50 });
    expect(stage('semantic')).toMatchObject({ input: 50, output: 50 });
    expect(stage('fetch').output).toBe(10);
    // The kind is checked by id prefix for free; the 2,000 messages are never counted.
    expect(explain.estimates).toEqual([{ constraint: `graph in MENTIONS from ${paris} depth 1`, count: 51, exact: true }]);
    expect(explain.plan[0]).toMatch(/^start from graph in MENTIONS/u);
    expect(explain.plan).toContain('check type in [Message] by id prefix');
    for (const s of explain.stages) expect(s.ms).toBeGreaterThanOrEqual(0);

    // With the seeds' similarity threshold, only close matches remain, still in order.
    const strict = await engine.query({ ...query, semantic: { text: 'Paris conversations', threshold: 0.7 }, explain: false });
    expect(strict.hits.map((h) => h.node.id)).toEqual(expected.filter((e) => e.score >= 0.7).slice(0, 10).map((e) => e.id));
    expect(strict.hits.length).toBeGreaterThan(0);
  });
});
