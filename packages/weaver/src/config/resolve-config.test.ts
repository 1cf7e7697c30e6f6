import { describe, expect, it } from 'vitest';
import { DbError } from '@tabagent/common';
import { resolveWeaverConfig } from './resolve-config.js';
import { DEFAULT_WEAVER_CONFIG } from './weaver-config.js';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    if (DbError.is(err, 'INVALID_ARGUMENT')) return err.details.field;
    throw err;
  }
  return undefined;
};

describe('resolveWeaverConfig', () => {
  it('has the issue defaults: k 5, cosine ≥ 0.85 within 30 days, a summary every 20 messages', () => {
    const config = resolveWeaverConfig();
    expect(config.modules['associative-linker']).toMatchObject({ k: 5, threshold: 0.85, windowDays: 30, enabled: true });
    expect(config.modules.summarizer.everyMessages).toBe(20);
    expect(config).toEqual(DEFAULT_WEAVER_CONFIG);
    expect(Object.isFrozen(DEFAULT_WEAVER_CONFIG.modules.summarizer)).toBe(true);
  });

  it('merges overrides per module without touching the defaults', () => {
    const config = resolveWeaverConfig({ modules: { summarizer: { everyMessages: 5 } }, import: { batchFactor: 8 }, maxTextLength: 100 });
    expect(config.modules.summarizer).toMatchObject({ everyMessages: 5, maxLength: 500 });
    expect(config.import).toMatchObject({ batchFactor: 8, priority: 'low' });
    expect(config.maxTextLength).toBe(100);
    expect(DEFAULT_WEAVER_CONFIG.modules.summarizer.everyMessages).toBe(20);
  });

  it('names the bad field', () => {
    expect(fieldOf(() => resolveWeaverConfig({ modules: { 'entity-linker': { minConfidence: 2 } } }))).toBe('modules.entity-linker.minConfidence');
    expect(fieldOf(() => resolveWeaverConfig({ modules: { 'semantic-indexer': { types: ['Nope' as never] } } }))).toBe('modules.semantic-indexer.types');
    expect(fieldOf(() => resolveWeaverConfig({ import: { priority: 'urgent' as never } }))).toBe('import.priority');
    expect(fieldOf(() => resolveWeaverConfig({ cursorFlushMs: 1.5 }))).toBe('options.cursorFlushMs');
    expect(fieldOf(() => resolveWeaverConfig({ bogus: 1 } as never))).toBe('options.bogus');
  });
});
