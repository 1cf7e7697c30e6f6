import { describe, expect, it } from 'vitest';
import { ENTITY_LABELS, isEntityLabel, normalizeEntityLabel } from './entity-labels.js';

describe('normalizeEntityLabel', () => {
  it.each([
    ['B-PER', 'PERSON'],
    ['I-PER', 'PERSON'],
    ['person', 'PERSON'],
    ['B-ORG', 'ORG'],
    ['I-corporation', 'ORG'],
    ['group', 'ORG'],
    ['GPE', 'LOCATION'],
    ['B-LOC', 'LOCATION'],
    ['FAC', 'LOCATION'],
    ['DATE', 'DATE'],
    ['S-TIME', 'TIME'],
    ['creative-work', 'WORK_OF_ART'],
    ['product', 'PRODUCT'],
    ['B-MISC', 'MISC'],
    ['NORP', 'MISC'],
    ['something-else', 'MISC'],
    ['email', 'EMAIL'],
  ])('%s → %s', (raw, label) => {
    expect(normalizeEntityLabel(raw)).toBe(label);
  });

  it('maps every vocabulary label to itself', () => {
    for (const label of ENTITY_LABELS) expect(normalizeEntityLabel(label)).toBe(label);
    expect(isEntityLabel('PERSON')).toBe(true);
    expect(isEntityLabel('PER')).toBe(false);
  });
});
