import { describe, expect, it } from 'vitest';
import { DbError } from '@tabagent/common';
import { DEFAULT_RUN_SETTINGS, type DeadLetter, type WeaverModule } from '../src/index.js';
import { message, openStack, openWeaver } from './helpers.js';

/** A custom module that fails on every message until `healed`. */
function flakyModule(): WeaverModule & { healed: boolean; done: string[] } {
  const module = {
    name: 'flaky',
    settings: { ...DEFAULT_RUN_SETTINGS, retries: 1, batchSize: 8 },
    healed: false,
    done: [] as string[],
    route: (change: { entity: string; kind: string; op: string; id: string }) =>
      change.entity === 'node' && change.kind === 'Message' && change.op === 'insert' ? { action: 'check', target: change.id } : undefined,
    async process(items: readonly { target: string }[]) {
      if (!module.healed) throw new DbError('UNAVAILABLE', 'flaky is down');
      module.done.push(...items.map((i) => i.target));
    },
  };
  return module as never;
}

describe('dead letters', () => {
  it('a module that always throws ends in dead letters; the others finish; list, retry and purge', async () => {
    const flaky = flakyModule();
    const stack = await openStack({ weaver: { customModules: [flaky] } });
    const letters: DeadLetter[] = [];
    stack.weaver.on('dead-letter', (l) => letters.push(l));
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'dl' });
    const msgs = await stack.storage.insertNodes(Array.from({ length: 5 }, (_, i) => message(chat.id, `Alice met Bob in Paris ${i}`)));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });

    const stats = stack.weaver.stats();
    expect(stats.modules['flaky']).toMatchObject({ failed: 5, processed: 0, pending: 0, lastError: { code: 'UNAVAILABLE' } });
    expect(stats.modules['semantic-indexer']).toMatchObject({ processed: 5, failed: 0 });
    expect(stats.modules['entity-linker']).toMatchObject({ processed: 5, failed: 0 });
    expect(stats).toMatchObject({ deadLetters: 5, lag: 0 });
    expect(letters).toHaveLength(5);

    const listed = await stack.weaver.deadLetters.list();
    expect(listed.map((l) => l.target).sort()).toEqual(msgs.map((m) => m.id).sort());
    expect(listed[0]).toMatchObject({ module: 'flaky', action: 'check', error: { code: 'UNAVAILABLE' }, change: { op: 'insert', entity: 'node' } });
    expect(await stack.weaver.deadLetters.list({ limit: 2 })).toHaveLength(2);
    await expect(stack.weaver.deadLetters.list({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    // Still failing: retried letters are kept, with one more attempt each.
    expect(await stack.weaver.deadLetters.retry([listed[0]!.id])).toBe(1);
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const again = await stack.weaver.deadLetters.list();
    expect(again).toHaveLength(5);
    expect(again.find((l) => l.id === listed[0]!.id)!.attempts).toBeGreaterThan(listed[0]!.attempts);

    // Healed: retrying succeeds and removes them.
    flaky.healed = true;
    expect(await stack.weaver.deadLetters.retry(listed.slice(0, 3).map((l) => l.id))).toBe(3);
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect(flaky.done.sort()).toEqual(listed.slice(0, 3).map((l) => l.target).sort());
    expect(stack.weaver.stats().deadLetters).toBe(2);

    // Dead letters survive a restart, then purge removes them.
    await stack.weaver.close();
    const reopened = await openWeaver(stack, { customModules: [flaky] });
    expect(reopened.stats().deadLetters).toBe(2);
    expect(await reopened.deadLetters.purge([listed[3]!.id, 'no-such-letter'])).toBe(1);
    expect(await reopened.deadLetters.purge()).toBe(1);
    expect(await reopened.deadLetters.list()).toEqual([]);
    await expect(reopened.deadLetters.retry('x' as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('dead letters that failed for a full disk are retried by themselves once a commit succeeds again', async () => {
    const full = flakyModule();
    full.process = async (items: readonly { target: string }[]) => {
      if (!full.healed) throw new DbError('DISK_FULL', 'no space left on the device holding the database');
      full.done.push(...items.map((i) => i.target));
    };
    const stack = await openStack({ weaver: { customModules: [full] } });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'full' });
    const msgs = await stack.storage.insertNodes(Array.from({ length: 3 }, (_, i) => message(chat.id, `message ${i}`)));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect((await stack.weaver.deadLetters.list()).map((l) => l.error.code)).toEqual(['DISK_FULL', 'DISK_FULL', 'DISK_FULL']);

    // Space is back: the next successful commit retries them, with no call to retry().
    full.healed = true;
    for (let i = 0; i < 100 && stack.weaver.stats().deadLetters > 0; i++) {
      await stack.storage.insertNode({ type: 'Chat', title: `later ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    }
    expect(stack.weaver.stats().deadLetters).toBe(0);
    expect(full.done.sort()).toEqual(msgs.map((m) => m.id).sort());
  });

  it('opens a breaker after many failures in a row, so a broken module cannot hold up the log', async () => {
    const flaky = flakyModule();
    const stack = await openStack({ weaver: { customModules: [flaky] } });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'breaker' });
    await stack.storage.insertNodes(Array.from({ length: 60 }, (_, i) => message(chat.id, `message ${i}`)));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const stats = stack.weaver.stats();
    expect(stats.modules['flaky']).toMatchObject({ failed: 60, breaker: 'open' });
    expect(stack.logger.messages('error').some((m) => m.includes('in a row'))).toBe(true);
    expect(stats.modules['semantic-indexer']!.processed).toBe(63); // 60 messages and their 3 summaries
  });
});
