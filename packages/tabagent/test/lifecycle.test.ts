import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe } from 'vitest';
import { openIndexedStorage, type IndexedStorage } from '@tabagent/indexing';
import { BuiltinMlBridge } from '@tabagent/ml-bridge';
import { QueryEngine } from '@tabagent/query';
import { Storage } from '@tabagent/storage';
import { TaskScheduler } from '@tabagent/task-scheduler';
import { Weaver } from '@tabagent/weaver';
import { TabAgent } from '../src/index.js';
import { lifecycleTrait } from './lifecycle-trait.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-lifecycle-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Storage with its indexes and vector index, closed after the test. */
async function indexed(): Promise<IndexedStorage> {
  const opened = await openIndexedStorage(join(await tempDir(), 'db'), { vectors: { threads: 1 } });
  cleanups.push(() => opened.storage.close());
  return opened;
}

const quietLogger = { info: () => {}, warn: () => {}, error: () => {} };

describe('the lifecycle contract, on every component', () => {
  lifecycleTrait({
    name: 'Storage',
    open: async () => Storage.open(join(await tempDir(), 'db')),
    use: (storage) => storage.insertNode({ type: 'Chat', title: 't' }),
  });

  lifecycleTrait({
    name: 'VectorIndex',
    open: async () => (await indexed()).vectors!,
    use: (vectors) => vectors.whenReady({ timeoutMs: 30_000 }),
  });

  lifecycleTrait({
    name: 'QueryEngine',
    open: async () => {
      const { storage, indexing, vectors } = await indexed();
      return QueryEngine.open({ storage, indexing, vectorIndex: vectors! });
    },
    use: (engine) => engine.query({ types: ['Chat'] }),
  });

  lifecycleTrait({
    name: 'TaskScheduler',
    open: async () => new TaskScheduler(),
    use: (scheduler) => scheduler.submit(async () => 1).done,
  });

  lifecycleTrait({
    name: 'MlBridge (builtin)',
    open: async () => new BuiltinMlBridge(),
    use: (ml) => ml.embed(['hello']),
  });

  lifecycleTrait({
    name: 'Weaver',
    open: async () => {
      const { storage, vectors } = await indexed();
      const scheduler = new TaskScheduler();
      const ml = new BuiltinMlBridge();
      cleanups.push(() => scheduler.close({ abortRunning: true }), () => ml.close());
      return Weaver.open({ storage, vectors: vectors!, scheduler, ml, logger: quietLogger });
    },
    use: (weaver) => weaver.deadLetters.list(),
  });

  lifecycleTrait({
    name: 'TabAgent',
    open: async () => TabAgent.open(await tempDir(), { ml: { provider: 'builtin' }, mlInWorker: false, logger: quietLogger }),
    use: (db) => db.createChat({ title: 't' }),
  });
});
