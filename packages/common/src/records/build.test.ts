import { describe, expect, it } from 'vitest';
import { DbError } from '../errors/db-error.js';
import { buildEdge, buildEmbedding, buildNode } from './build.js';
import { nodeText } from './node-text.js';
import { sampleNewNodes } from '../testing/samples.js';
import { NODE_TYPES } from '../schema/node-type.js';

function errorOf(fn: () => unknown): DbError {
  try {
    fn();
  } catch (err) {
    if (DbError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a DbError');
}

describe('edges and embeddings', () => {
  it('builds an edge with defaults', () => {
    const edge = buildEdge({ from: 'msg_1', to: 'ent_1', type: 'MENTIONS', weight: 0.9 }, 5);
    expect(edge).toMatchObject({ from: 'msg_1', to: 'ent_1', type: 'MENTIONS', createdAt: 5, metadata: {} });
    expect(edge.id.startsWith('edge_')).toBe(true);
  });

  it('rejects bad edges', () => {
    expect(errorOf(() => buildEdge({ from: 'a', to: 'b', type: 'mentions' })).details.field).toBe('type');
    expect(errorOf(() => buildEdge({ from: 'a', type: 'MENTIONS' })).details.field).toBe('to');
    expect(errorOf(() => buildEdge({ from: 'a', to: 'b', type: 'X', weight: Number.NaN })).details.field).toBe('weight');
  });

  it('builds an embedding and infers dims', () => {
    const embedding = buildEmbedding({ nodeId: 'msg_1', model: 'm', vector: new Float32Array([0.6, 0.8]) });
    expect(embedding.dims).toBe(2);
    expect(embedding.id.startsWith('emb_')).toBe(true);
  });

  it('rejects wrong dims, NaN, Infinity, zero vectors and plain arrays', () => {
    const base = { nodeId: 'msg_1', model: 'm' };
    expect(errorOf(() => buildEmbedding({ ...base, dims: 3, vector: new Float32Array(2).fill(1) })).details.field).toBe('vector');
    expect(errorOf(() => buildEmbedding({ ...base, vector: new Float32Array([1, Number.NaN]) })).details.field).toBe('vector.1');
    expect(errorOf(() => buildEmbedding({ ...base, vector: new Float32Array([Infinity, 1]) })).details.field).toBe('vector.0');
    expect(errorOf(() => buildEmbedding({ ...base, vector: new Float32Array(4) })).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => buildEmbedding({ ...base, vector: [1, 2] })).code).toBe('INVALID_ARGUMENT');
  });
});

describe('nodeText', () => {
  it('returns the searchable text of every text-bearing kind', () => {
    const samples = sampleNewNodes('chat_1');
    for (const type of NODE_TYPES) {
      const text = nodeText(buildNode(samples[type]));
      if (type === 'ModelInfo') expect(text).toBe('');
      else expect(text.length, type).toBeGreaterThan(0);
    }
    expect(nodeText(buildNode(samples.Message))).toBe('Alice met Bob in Paris last May.');
  });
});
