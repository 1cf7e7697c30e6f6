import { describe, expect, it } from 'vitest';
import { Weaver } from '../src/index.js';
import { message, openStack } from './helpers.js';

describe('lifecycle and options', () => {
  it('is open after open(), closes idempotently, and fails with NOT_OPEN afterwards', async () => {
    const stack = await openStack();
    const { weaver } = stack;
    expect(weaver.status).toBe('open');
    await Promise.all([weaver.close(), weaver.close()]);
    expect(weaver.status).toBe('closed');
    await weaver.close();
    await expect(weaver.whenIdle()).rejects.toMatchObject({ code: 'NOT_OPEN' });
    await expect(weaver.deadLetters.list()).rejects.toMatchObject({ code: 'NOT_OPEN' });
    expect(() => weaver.importMode(true)).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }));
    expect(weaver.stats().status).toBe('closed');
    // The caller's handles stay open.
    expect(stack.storage.status).toBe('open');
    expect(stack.vectors.status).toBe('open');
    expect(stack.scheduler.status).toBe('open');
  });

  it('supports await using, and closes when its storage closes', async () => {
    const stack = await openStack({ noWeaver: true });
    let held: Weaver | undefined;
    {
      await using weaver = await Weaver.open({ storage: stack.storage, vectors: stack.vectors, scheduler: stack.scheduler, ml: stack.ml, logger: stack.logger });
      held = weaver;
      const chat = await stack.storage.insertNode({ type: 'Chat', title: 'x' });
      await stack.storage.insertNode(message(chat.id, 'hello Paris'));
      await weaver.whenIdle({ timeoutMs: 30_000 });
    }
    expect(held.status).toBe('closed');

    const other = await Weaver.open({ storage: stack.storage, vectors: stack.vectors, scheduler: stack.scheduler, ml: stack.ml, logger: stack.logger });
    await stack.vectors.close();
    await stack.storage.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(other.status).toBe('closed');
  });

  it('rejects bad options with INVALID_ARGUMENT naming the field, and closed handles with NOT_OPEN', async () => {
    const stack = await openStack({ noWeaver: true });
    const base = { storage: stack.storage, vectors: stack.vectors, scheduler: stack.scheduler, ml: stack.ml, logger: stack.logger };
    const fieldOf = async (options: object): Promise<string | undefined> => {
      try {
        await Weaver.open({ ...base, ...options } as never);
      } catch (err) {
        return `${(err as { code: string }).code} ${(err as { details: { field?: string } }).details.field}`;
      }
      return undefined;
    };
    expect(await fieldOf({ modules: { summarizer: { everyMessages: 0 } } })).toBe('INVALID_ARGUMENT modules.summarizer.everyMessages');
    expect(await fieldOf({ modules: { 'associative-linker': { threshold: 1.5 } } })).toBe('INVALID_ARGUMENT modules.associative-linker.threshold');
    expect(await fieldOf({ modules: { 'semantic-indexer': { priority: 'urgent' } } })).toBe('INVALID_ARGUMENT modules.semantic-indexer.priority');
    expect(await fieldOf({ modules: { 'entity-linker': { entityTypes: ['person'] } } })).toBe('INVALID_ARGUMENT modules.entity-linker.entityTypes');
    expect(await fieldOf({ modules: { 'semantic-indexer': { tpyes: ['Message'] } } })).toBe('INVALID_ARGUMENT modules.semantic-indexer.tpyes');
    expect(await fieldOf({ modules: { 'no-such-module': {} } })).toBe('INVALID_ARGUMENT modules.no-such-module');
    expect(await fieldOf({ readBatchSize: -1 })).toBe('INVALID_ARGUMENT options.readBatchSize');
    expect(await fieldOf({ customModules: [{ name: 'semantic-indexer', settings: {}, route: () => undefined, process: async () => undefined }] })).toBe(
      'INVALID_ARGUMENT customModules',
    );
    expect(await fieldOf({ vectors: undefined })).toBe('INVALID_ARGUMENT vectors');
    await stack.scheduler.close();
    expect(await fieldOf({})).toBe('NOT_OPEN scheduler');
  });

  it('runs only the enabled modules and reports the others as disabled', async () => {
    const stack = await openStack({ weaver: { modules: { 'entity-linker': { enabled: false }, summarizer: { enabled: false } } } });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'x' });
    const msg = await stack.storage.insertNode(message(chat.id, 'Alice met Bob in Paris'));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect(await stack.storage.embeddingsOf(msg.id)).toHaveLength(1);
    expect((await stack.storage.edgesOf(msg.id)).length).toBe(0);
    const stats = stack.weaver.stats();
    expect(stats.modules['entity-linker']).toMatchObject({ enabled: false, processed: 0 });
    expect(stats.modules['topic-modeler']).toMatchObject({ enabled: true, processed: 1 });
  });
});
