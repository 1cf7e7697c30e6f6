import { createHash } from 'node:crypto';
import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { DbError } from '../errors/db-error.js';
import { NODE_TYPES } from '../schema/node-type.js';
import {
  deterministicEdgeId,
  entityId,
  MAX_ID_TIME,
  newEmbeddingId,
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

  it('draws fresh randomness for every millisecond, past the end of the entropy pool', () => {
    // One new millisecond per id: 16 random characters each, 5,000 ids use the
    // 4,096-byte pool about twenty times over.
    const ids = Array.from({ length: 5000 }, (_, i) => newNodeId('Message', 1_800_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    const randomParts = ids.map((id) => id.slice(-16));
    expect(new Set(randomParts).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/u);
    // Every Crockford base-32 character shows up in the random parts.
    expect(new Set(randomParts.join('')).size).toBe(32);
  });

  it('makes ids for any time without failing, and a far-future time does not move later ids (issue 16, finding 1)', () => {
    for (const time of [2 ** 48, 2 ** 53 - 1, Number.POSITIVE_INFINITY, Number.NaN, -1, 1.5, Number.MAX_VALUE]) {
      expect(newNodeId('Chat', time)).toMatch(/^chat_[0-9A-HJKMNP-TV-Z]{26}$/u);
      expect(newEdgeId(time)).toMatch(/^edge_/u);
      expect(newEmbeddingId(time)).toMatch(/^emb_/u);
    }
    expect(decodeTime(newNodeId('Chat', 2 ** 48).slice(5))).toBe(MAX_ID_TIME);
    const before = Date.now();
    const later = decodeTime(newNodeId('Message').slice(4));
    expect(later).toBeGreaterThanOrEqual(before);
    expect(later).toBeLessThan(before + 60_000);
  });

  it('gives entities deterministic ids from type and normalised label', () => {
    expect(entityId('LOCATION', 'Paris')).toBe(entityId('location', '  PARIS '));
    expect(entityId('LOCATION', 'New   York')).toBe(entityId('LOCATION', 'new york'));
    expect(entityId('LOCATION', 'Paris')).not.toBe(entityId('PERSON', 'Paris'));
    expect(nodeTypeOfId(entityId('ORG', 'Acme'))).toBe('Entity');
    expect(normaliseLabel(' Ｐａｒｉｓ\t')).toBe('paris');
    expect(() => entityId('PERSON', '   ')).toThrow(DbError);
  });

  it('keeps entity ids stable: the first 32 hex digits of SHA-256 over "TYPE\\0label"', () => {
    // Stored databases depend on these ids never changing.
    const reference = (text: string) => `ent_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    expect(entityId('LOCATION', 'Paris')).toBe(reference('LOCATION\u0000paris'));
    expect(entityId('person', 'Zoë 北京')).toBe(reference('PERSON\u0000zoë 北京'));
  });

  it('gives the same edge id for the same (from, type, to)', () => {
    expect(deterministicEdgeId('a', 'MENTIONS', 'b')).toBe(deterministicEdgeId('a', 'MENTIONS', 'b'));
    expect(deterministicEdgeId('a', 'MENTIONS', 'b')).not.toBe(deterministicEdgeId('b', 'MENTIONS', 'a'));
  });
});
