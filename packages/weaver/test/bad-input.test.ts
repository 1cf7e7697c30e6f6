import { describe, expect, it } from 'vitest';
import { entityId } from '@tabagent/common';
import type { MentionMetadata } from '../src/index.js';
import { FaultyMlBridge } from './fixtures/faulty-ml.js';
import { mentionsOf, message, onCleanup, openStack } from './helpers.js';

describe('bad input', () => {
  it('skips nodes without text and kinds it has nothing to do with', async () => {
    const stack = await openStack();
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'empty' });
    const empty = await stack.storage.insertNode(message(chat.id, '   '));
    await stack.storage.insertNode({ type: 'ModelInfo', modelId: 'm', provider: 'p', task: 'embedding' });
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect(await stack.storage.embeddingsOf(empty.id)).toEqual([]);
    expect(await mentionsOf(stack.storage, empty.id)).toEqual([]);
    const stats = stack.weaver.stats();
    expect(stats.modules['semantic-indexer']).toMatchObject({ failed: 0, notes: { empty: 1 } });
    expect(stats.modules['semantic-indexer']!.skipped).toBe(1);
    expect(stats).toMatchObject({ deadLetters: 0, lag: 0 });
  });

  it('cuts enormous text before the models see it: logged, counted, noted on the mentions', async () => {
    const stack = await openStack({ weaver: { maxTextLength: 10_000 } });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'huge' });
    const content = `Alice met Bob in Paris. ${'All work and no play makes a dull day. '.repeat(50_000)}`;
    const huge = await stack.storage.insertNode(message(chat.id, content));
    await stack.weaver.whenIdle({ timeoutMs: 60_000 });

    expect(await stack.storage.embeddingsOf(huge.id)).toHaveLength(1);
    const mentions = await mentionsOf(stack.storage, huge.id);
    expect(mentions.map((e) => e.to)).toContain(entityId('PERSON', 'Alice'));
    const metadata = mentions[0]!.metadata as unknown as MentionMetadata;
    expect(metadata.truncated).toEqual({ searchedLength: 10_000, textLength: content.length });
    const stats = stack.weaver.stats();
    expect(stats.modules['semantic-indexer']!.notes['truncated']).toBe(1);
    expect(stats.modules['entity-linker']!.notes['truncated']).toBe(1);
    expect(stack.logger.messages('warn').filter((m) => m.includes(huge.id) && m.includes('cut from'))).toHaveLength(1);
  });

  it('an ML provider that never answers times out: logged, retried, dead-lettered, visible in stats; the other modules finish', async () => {
    const ml = new FaultyMlBridge({ embed: 'hang' });
    onCleanup(() => ml.close());
    const stack = await openStack({ ml, weaver: { mlTimeoutMs: 100, modules: { 'semantic-indexer': { retries: 1 } } } });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'slow' });
    const msgs = await stack.storage.insertNodes([message(chat.id, 'Alice met Bob in Paris'), message(chat.id, 'Carol lives in Rome')]);
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });

    const stats = stack.weaver.stats();
    expect(stats.modules['semantic-indexer']).toMatchObject({ processed: 0, failed: 2, pending: 0, lastError: { code: 'TIMEOUT' } });
    expect(stats.modules['semantic-indexer']!.retried).toBeGreaterThanOrEqual(1);
    expect(stats.modules['entity-linker']).toMatchObject({ processed: 2, failed: 0 });
    expect(stats).toMatchObject({ deadLetters: 2, lag: 0 });
    const letters = await stack.weaver.deadLetters.list();
    expect(letters.map((l) => l.target).sort()).toEqual(msgs.map((m) => m.id).sort());
    expect(letters.every((l) => l.module === 'semantic-indexer' && l.error.code === 'TIMEOUT' && l.attempts >= 2)).toBe(true);
    expect(stack.logger.messages('warn').some((m) => m.includes('moved to the dead letters'))).toBe(true);
    expect(await mentionsOf(stack.storage, msgs[0]!.id)).toHaveLength(3);
  });
});
