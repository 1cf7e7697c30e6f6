import { describe, expect, it } from 'vitest';
import { buildNode, type Node } from '@tabagent/common';
import { matchesConditions } from './field-condition.js';

const message = buildNode({ type: 'Message', chatId: 'chat_1', sender: 'alice', role: 'user', content: 'Paris in May', timestamp: 100, tags: ['travel', 'fun'], metadata: { lang: 'en', score: 3 } }) as Node;
const entity = buildNode({ type: 'Entity', entityType: 'LOCATION', label: 'Paris', aliases: ['City of Light'] }) as Node;

describe('matchesConditions', () => {
  it.each([
    ['timestamp', { eq: 100 }, true],
    ['timestamp', { eq: '100' }, false],
    ['timestamp', { ne: 100 }, false],
    ['topic', { ne: 'x' }, true], // absent fields are "not equal"
    ['timestamp', { gt: 99, lte: 100 }, true],
    ['timestamp', { gt: 100 }, false],
    ['timestamp', { gte: 'a' }, false], // numbers never satisfy string bounds
    ['sender', { gte: 'al', lt: 'b' }, true],
    ['sender', { in: ['bob', 'alice'] }, true],
    ['sender', { prefix: 'ali' }, true],
    ['content', { contains: 'in M' }, true],
    ['content', { contains: 'paris' }, false], // case-sensitive
    ['tags', { eq: 'fun' }, true], // any element
    ['tags', { contains: 'trav' }, true],
    ['tags', { in: ['work'] }, false],
    ['metadata.lang', { eq: 'en' }, true],
    ['metadata.score', { lt: 5 }, true],
    ['metadata.missing', { exists: false }, true],
    ['replyToId', { exists: true }, false],
    ['tags', { exists: true, ne: 'work' }, true],
  ] as const)('%s %j → %s', (field, condition, expected) => {
    expect(matchesConditions(message, field, condition)).toBe(expected);
  });

  it('uses the index extractor for derived fields', () => {
    expect(matchesConditions(entity, 'label', { eq: 'paris' })).toBe(true); // normalised
    expect(matchesConditions(entity, 'label', { eq: 'city of light' })).toBe(true); // aliases
    expect(matchesConditions(entity, 'entity', { eq: 'LOCATION:paris' })).toBe(true);
    expect(matchesConditions(message, 'entity', { exists: false })).toBe(true);
  });
});
