import { describe, expect, it } from 'vitest';
import { DbError } from '../errors/db-error.js';
import { NODE_TYPES } from '../schema/node-type.js';
import {
  deterministicEdgeId,
  entityId,
  newEdgeId,
  newNodeId,
  nodeTypeOfId,
  normaliseLabel,
  recordKindOfId,
} from './ids.js';

describe('ids', () => {
  it('prefixes ids with their kind and maps them back', () => {
    for (const type of NODE_TYPES) {
      const id = newNodeId(type);
      expect(nodeTypeOfId(id)).toBe(type);
      expect(recordKindOfId(id)).toBe(type);
    }
    expect(recordKindOfId(newEdgeId())).toBe('edge');
    expect(nodeTypeOfId('nope')).toBeUndefined();
    expect(nodeTypeOfId('zzz_123')).toBeUndefined();
  });

  it('orders ids by creation time, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newNodeId('Message', 1_700_000_000_000 + Math.floor(i / 100)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives entities deterministic ids from type and normalised label', () => {
    expect(entityId('LOCATION', 'Paris')).toBe(entityId('location', '  PARIS '));
    expect(entityId('LOCATION', 'New   York')).toBe(entityId('LOCATION', 'new york'));
    expect(entityId('LOCATION', 'Paris')).not.toBe(entityId('PERSON', 'Paris'));
    expect(nodeTypeOfId(entityId('ORG', 'Acme'))).toBe('Entity');
    expect(normaliseLabel(' Ｐａｒｉｓ\t')).toBe('paris');
    expect(() => entityId('PERSON', '   ')).toThrow(DbError);
  });

  it('gives the same edge id for the same (from, type, to)', () => {
    expect(deterministicEdgeId('a', 'MENTIONS', 'b')).toBe(deterministicEdgeId('a', 'MENTIONS', 'b'));
    expect(deterministicEdgeId('a', 'MENTIONS', 'b')).not.toBe(deterministicEdgeId('b', 'MENTIONS', 'a'));
  });
});
