import { describe, expect, it } from 'vitest';
import { openDb } from './helpers.js';

/**
 * A hand-checked corpus. Keyword "paris museum" (BM25, every text 3 terms long except
 * d5): d1 has both terms; d2 has "paris" twice; d3 has "museum" once; both terms have
 * df = 2, so d1 > d2 > d3 and nothing else matches. Semantic (query [1, 0, 0]):
 * d4 1.0 > d3 0.8 > d1 0.6 > d2 0.0 > d5 −1.0.
 *
 * RRF with k = 60:
 *   d1 = 1/61 + 1/63 = 0.0322664   d3 = 1/63 + 1/62 = 0.0320020   d2 = 1/62 + 1/64 = 0.0317540
 *   d4 = 1/61        = 0.0163934   d5 = 1/65        = 0.0153846
 */
const CORPUS = [
  { id: 'msg_d1', content: 'paris museum louvre', vector: [0.6, 0.8, 0] },
  { id: 'msg_d2', content: 'paris paris trip', vector: [0, 1, 0] },
  { id: 'msg_d3', content: 'museum of modern art', vector: [0.8, 0.6, 0] },
  { id: 'msg_d4', content: 'eiffel tower at night', vector: [1, 0, 0] },
  { id: 'msg_d5', content: 'bread and cheese', vector: [-1, 0, 0] },
];

async function corpus() {
  const db = await openDb();
  const chat = await db.storage.insertNode({ type: 'Chat', title: 'Hand-checked' });
  await db.storage.insertNodes(CORPUS.map(({ id, content }) => ({ type: 'Message' as const, id, chatId: chat.id, sender: 'me', role: 'user' as const, content })));
  await db.storage.putEmbeddings(CORPUS.map(({ id, vector }) => ({ nodeId: id, model: 'hand', vector: Float32Array.from(vector) })));
  const { engine } = db;
  await engine.ready();
  return db;
}

const query = { keyword: 'paris museum', semantic: { vector: [1, 0, 0] }, types: ['Message' as const] };

describe('hybrid keyword + semantic search (reciprocal rank fusion)', () => {
  it('ranks and scores as computed by hand', async () => {
    const { engine } = await corpus();
    const { hits, total } = await engine.query({ ...query, limit: 10 });
    expect(hits.map((h) => h.node.id)).toEqual(['msg_d1', 'msg_d3', 'msg_d2', 'msg_d4', 'msg_d5']);
    expect(total).toBe(5);
    const fused = Object.fromEntries(hits.map((h) => [h.node.id, h.scores.fused]));
    expect(fused['msg_d1']).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(fused['msg_d3']).toBeCloseTo(1 / 63 + 1 / 62, 12);
    expect(fused['msg_d2']).toBeCloseTo(1 / 62 + 1 / 64, 12);
    expect(fused['msg_d4']).toBeCloseTo(1 / 61, 12);
    expect(fused['msg_d5']).toBeCloseTo(1 / 65, 12);
    const semantic = Object.fromEntries(hits.map((h) => [h.node.id, h.scores.semantic]));
    expect(semantic).toEqual({ msg_d1: expect.closeTo(0.6, 6), msg_d2: expect.closeTo(0, 6), msg_d3: expect.closeTo(0.8, 6), msg_d4: expect.closeTo(1, 6), msg_d5: expect.closeTo(-1, 6) });
    // Keyword scores exist exactly for the keyword matches, in keyword order.
    const keyword = hits.filter((h) => h.scores.keyword !== undefined).sort((a, b) => b.scores.keyword! - a.scores.keyword!);
    expect(keyword.map((h) => h.node.id)).toEqual(['msg_d1', 'msg_d2', 'msg_d3']);
  });

  it('keeps keyword matches below the similarity threshold (the threshold trims the semantic list only)', async () => {
    const { engine } = await corpus();
    const { hits } = await engine.query({ ...query, semantic: { vector: [1, 0, 0], threshold: 0.5 } });
    // Semantic list: d4, d3, d1. d2 keeps only its keyword rank (1/62); d5 drops out.
    expect(hits.map((h) => h.node.id)).toEqual(['msg_d1', 'msg_d3', 'msg_d4', 'msg_d2']);
    expect(hits.find((h) => h.node.id === 'msg_d2')!.scores.fused).toBeCloseTo(1 / 62, 12);
  });

  it('fuses only the top `window` of each ranking, and honours k', async () => {
    const { engine } = await corpus();
    // window 1: keyword [d1], semantic [d4] → both 1/61, tie broken by id.
    const narrow = await engine.query({ ...query, fusion: { window: 1 }, limit: 1 });
    expect(narrow.hits.map((h) => h.node.id)).toEqual(['msg_d1']);
    expect(narrow.total).toBe(2);
    // k = 1 amplifies rank differences: d1 = 1/2 + 1/4, d4 = 1/2, d3 = 1/4 + 1/3, d2 = 1/3 + 1/5.
    const sharp = await engine.query({ ...query, fusion: { k: 1 } });
    expect(sharp.hits.map((h) => h.node.id)).toEqual(['msg_d1', 'msg_d3', 'msg_d2', 'msg_d4', 'msg_d5']);
    expect(sharp.hits[0]!.scores.fused).toBeCloseTo(0.75, 12);
  });

  it('pages through the fused list and explains the plan', async () => {
    const { engine } = await corpus();
    const page = await engine.query({ ...query, limit: 2, offset: 2, explain: true });
    expect(page.hits.map((h) => h.node.id)).toEqual(['msg_d2', 'msg_d4']);
    expect(page.explain?.ranking).toBe('hybrid');
    expect(page.explain?.stages.map((s) => s.name)).toEqual(expect.arrayContaining(['keyword', 'semantic', 'fuse', 'fetch']));
  });

  it('keyword alone and semantic alone rank as their parts', async () => {
    const { engine } = await corpus();
    const keyword = await engine.query({ keyword: 'paris museum' });
    expect(keyword.hits.map((h) => h.node.id)).toEqual(['msg_d1', 'msg_d2', 'msg_d3']);
    const semantic = await engine.query({ semantic: { vector: [1, 0, 0] } });
    expect(semantic.hits.map((h) => h.node.id)).toEqual(['msg_d4', 'msg_d3', 'msg_d1', 'msg_d2', 'msg_d5']);
  });
});
