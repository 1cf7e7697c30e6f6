import { describe, expect, it } from 'vitest';
import { entityId } from '@tabagent/common';
import { mentionsOf, message, openStack, openWeaver } from './helpers.js';

describe('a change log compacted past the cursor', () => {
  it('is made up for by re-reading the whole store, then the log again', async () => {
    const stack = await openStack({ noWeaver: true });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'old' });
    const old = await stack.storage.insertNodes(Array.from({ length: 30 }, (_, i) => message(chat.id, `Alice met Bob in Paris, day ${i}`)));
    await stack.storage.compactChangeLog(stack.storage.lastSeq);
    expect((await stack.storage.readChanges({ after: 0, limit: 1 }))[0]!.seq).toBe(stack.storage.lastSeq);

    const weaver = await openWeaver(stack);
    await weaver.whenIdle({ timeoutMs: 30_000 });
    for (const m of old) {
      expect(await stack.storage.embeddingsOf(m.id)).toHaveLength(1);
      expect((await mentionsOf(stack.storage, m.id)).map((e) => e.to)).toContain(entityId('LOCATION', 'Paris'));
    }
    expect(stack.logger.messages('warn').some((m) => m.includes('compacted'))).toBe(true);
    expect(weaver.stats()).toMatchObject({ backfilling: false, lag: 0, cursor: stack.storage.lastSeq });

    // And from there on, the log as usual.
    const fresh = await stack.storage.insertNode(message(chat.id, 'Carol flew to Berlin'));
    await weaver.whenIdle({ timeoutMs: 30_000 });
    expect(await stack.storage.embeddingsOf(fresh.id)).toHaveLength(1);
  });
});
