import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecord, Storage, type ChangeConsumer, type ChangeStretch, type Extension, type ExtensionContext } from '../src/index.js';
import { rejectionCode, tempDir } from './helpers.js';

/** An extension that hands out its context, so a test can consume through it. */
function probe(name: string, kind: Extension['kind'] = 'state'): Extension & { context(): ExtensionContext; closed: number } {
  let context: ExtensionContext | undefined;
  const extension = {
    name,
    kind,
    closed: 0,
    open(ctx: ExtensionContext) {
      context = ctx;
    },
    close() {
      extension.closed++;
    },
    context: () => context!,
  };
  return extension;
}

async function addChats(storage: Storage, n: number): Promise<void> {
  const batch = storage.batch();
  for (let i = 0; i < n; i++) batch.insertNode({ type: 'Chat', title: `c${i}` });
  await batch.commit();
}

/** Collects every sequence number a consumer hands over. */
function collector(): { seqs: number[]; live: number; handle(stretch: ChangeStretch): void } {
  const seen = {
    seqs: [] as number[],
    live: 0,
    handle(stretch: ChangeStretch) {
      for (const event of stretch.events) seen.seqs.push(event.seq);
      if (stretch.changes !== undefined) seen.live += stretch.events.length;
    },
  };
  return seen;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('extensions: lifecycle', () => {
  it('opens in order, closes in reverse, and refuses duplicate names', async () => {
    const order: string[] = [];
    const make = (name: string): Extension => ({
      name,
      kind: 'derived',
      open: () => void order.push(`open ${name}`),
      close: () => void order.push(`close ${name}`),
    });
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [make('a'), make('b')] });
    expect(storage.extensions).toEqual([{ name: 'a', kind: 'derived' }, { name: 'b', kind: 'derived' }]);
    expect(await rejectionCode(storage.addExtension(make('a')))).toBe('CONFLICT');
    await storage.close();
    expect(order).toEqual(['open a', 'open b', 'close b', 'close a']);
  });

  it('a failing open closes what was opened and the storage', async () => {
    const first = probe('first');
    const dir = join(await tempDir(), 'db');
    const failing: Extension = { name: 'broken', kind: 'derived', open: () => { throw new Error('no'); } };
    expect(await rejectionCode(Storage.open(dir, { extensions: [first, failing] }))).toBe('INTERNAL');
    expect(first.closed).toBe(1);
    // The directory is free again.
    const storage = await Storage.open(dir);
    await storage.close();
  });

  it('keeps state key spaces apart from derived ones, across reopen', async () => {
    const dir = join(await tempDir(), 'db');
    const state = probe('weaver', 'state');
    const derived = probe('words', 'derived');
    let storage = await Storage.open(dir, { extensions: [state, derived] });
    await state.context().write([{ type: 'put', key: 'dead-letter', value: encodeRecord('keep me') }]);
    await derived.context().write([{ type: 'put', key: 'term', value: encodeRecord(1) }]);
    await derived.context().keyspace.clear();
    expect(await state.context().keyspace.keys().all()).toEqual(['dead-letter']);
    await storage.close();
    storage = await Storage.open(dir, { extensions: [probe('weaver', 'state')] });
    await storage.close();
    const again = probe('weaver', 'state');
    storage = await Storage.open(dir, { extensions: [again] });
    expect(await again.context().keyspace.keys().all()).toEqual(['dead-letter']);
    await storage.close();
  });

  it('snapshots do not see later commits', async () => {
    const ext = probe('snap');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    await ext.context().write([{ type: 'put', key: 'a', value: encodeRecord(1) }]);
    const snapshot = await ext.context().snapshot();
    await ext.context().write([{ type: 'put', key: 'b', value: encodeRecord(2) }]);
    await addChats(storage, 2);
    expect(snapshot.seq).toBe(0);
    const keys = await ext.context().keyspace.keys({ snapshot: snapshot.handle } as never).all();
    expect(keys).toEqual(['a']);
    await snapshot.close();
    await storage.close();
  });
});

describe('extensions: consume (follower conformance)', () => {
  it('delivers live commits synchronously, with their records', async () => {
    const ext = probe('live');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    const seen = collector();
    const consumer = ext.context().consume({ handle: (s) => seen.handle(s) });
    await addChats(storage, 3);
    // No await between the commit and the check: the handler already ran.
    expect(seen.seqs).toEqual([1, 2, 3]);
    expect(seen.live).toBe(3);
    expect(consumer.caughtUp).toBe(true);
    await storage.close();
  });

  it('reads the log while behind, then switches to live commits, without gaps or repeats', async () => {
    const ext = probe('behind');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    for (let i = 0; i < 5; i++) await addChats(storage, 10);
    const seen = collector();
    ext.context().consume({ after: 0, batchSize: 7, handle: (s) => seen.handle(s) });
    // Commits race the catch-up.
    for (let i = 0; i < 5; i++) await addChats(storage, 10);
    await until(() => seen.seqs.length === 100);
    expect(seen.seqs).toEqual(range(1, 100));
    await addChats(storage, 1);
    expect(seen.seqs.at(-1)).toBe(101);
    await storage.close();
  });

  it('a slow handler never holds more than maxQueued: it falls back to the log and loses nothing', async () => {
    const ext = probe('slow');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    const seen: number[] = [];
    ext.context().consume({
      maxQueued: 20,
      handle: async (stretch) => {
        await new Promise((r) => setTimeout(r, 2));
        for (const e of stretch.events) seen.push(e.seq);
      },
    });
    for (let i = 0; i < 30; i++) await addChats(storage, 5);
    await until(() => seen.length === 150);
    expect(seen).toEqual(range(1, 150));
    await storage.close();
  });

  it('crash replay: a durable consumer resumes after its last ack; unacknowledged entries come again', async () => {
    const dir = join(await tempDir(), 'db');
    let ext = probe('durable');
    let storage = await Storage.open(dir, { extensions: [ext] });
    await addChats(storage, 10);
    const first: number[] = [];
    let consumer: ChangeConsumer = ext.context().consume({ durable: true, handle: (s) => void first.push(...s.events.map((e) => e.seq)) });
    await until(() => first.length === 10);
    await consumer.ack(6);
    await storage.close();

    ext = probe('durable');
    storage = await Storage.open(dir, { extensions: [ext] });
    expect(storage.cursors).toEqual({ durable: 6 });
    const second: number[] = [];
    consumer = ext.context().consume({ durable: true, handle: (s) => void second.push(...s.events.map((e) => e.seq)) });
    expect(consumer.position).toBe(6);
    await until(() => second.length === 4);
    expect(second).toEqual([7, 8, 9, 10]);
    expect(await rejectionCode(() => ext.context().consume({ handle: () => {} }).ack(1))).toBe('INVALID_ARGUMENT');
    await storage.close();
  });

  it('compacts the log up to the lowest durable cursor, by itself, and reports it in stats', async () => {
    const dir = join(await tempDir(), 'db');
    const fast = probe('fast');
    const slow = probe('slow');
    const storage = await Storage.open(dir, { extensions: [fast, slow], compactEvery: 10 });
    const a = fast.context().consume({ durable: true, handle: () => {} });
    const b = slow.context().consume({ durable: true, handle: () => {} });
    await addChats(storage, 100);
    await a.ack(100);
    await b.ack(40);
    await until(() => storage.lastSeq === 100);
    // Compaction runs in the background after an ack.
    let stats = await storage.stats();
    for (let i = 0; i < 200 && stats.log.firstSeq !== 41; i++) {
      await new Promise((r) => setTimeout(r, 5));
      stats = await storage.stats();
    }
    expect(stats.log).toEqual({ entries: 60, firstSeq: 41 });
    expect(stats.cursors).toEqual({ fast: 100, slow: 40 });
    expect(stats.diskBytes).toBeGreaterThan(0);
    expect((await storage.readChanges({ after: 0, limit: 1 }))[0]!.seq).toBe(41);
    // Dropping the slow cursor frees the log up to the fast one (the newest entry stays).
    await storage.dropCursor('slow');
    for (let i = 0; i < 200 && (await storage.stats()).log.entries !== 1; i++) await new Promise((r) => setTimeout(r, 5));
    expect((await storage.stats()).log).toEqual({ entries: 1, firstSeq: 100 });
    await storage.close();
  });

  it('without any durable cursor the log is kept whole', async () => {
    const storage = await Storage.open(join(await tempDir(), 'db'), { compactEvery: 1 });
    await addChats(storage, 50);
    expect((await storage.stats()).log.entries).toBe(50);
    await storage.close();
  });

  it('a gap (log compacted before the consumer registered) goes to onGap', async () => {
    const ext = probe('late');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    await addChats(storage, 20);
    await storage.compactChangeLog(15);
    const seen: number[] = [];
    const gaps: [number, number][] = [];
    ext.context().consume({
      after: 0,
      onGap: async (after, first) => {
        gaps.push([after, first]);
        return 17;
      },
      handle: (s) => void seen.push(...s.events.map((e) => e.seq)),
    });
    await until(() => seen.length === 3);
    expect(gaps).toEqual([[0, 16]]);
    expect(seen).toEqual([18, 19, 20]);
    await storage.close();
  });

  it('a failing handler is retried with the same stretch', async () => {
    const ext = probe('flaky');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    let failures = 0;
    const seen: number[] = [];
    const errors: string[] = [];
    ext.context().consume({
      retryMs: 1,
      onError: (e) => void errors.push(e.code),
      handle: (s) => {
        if (failures++ < 2) throw new Error('not yet');
        seen.push(...s.events.map((e) => e.seq));
      },
    });
    await addChats(storage, 3);
    await until(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
    expect(errors).toEqual(['INTERNAL', 'INTERNAL']);
    await storage.close();
  });

  it('stops mid-iteration: stop() waits for the running handler; closing the storage ends consumers', async () => {
    const ext = probe('stopper');
    const storage = await Storage.open(join(await tempDir(), 'db'), { extensions: [ext] });
    await addChats(storage, 50);
    let running = 0;
    let maxSeen = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const consumer = ext.context().consume({
      after: 0,
      batchSize: 10,
      handle: async (s) => {
        running++;
        await gate;
        maxSeen = s.events.at(-1)!.seq;
        running--;
      },
    });
    await until(() => running === 1);
    const stopped = consumer.stop();
    release();
    await stopped;
    expect(running).toBe(0);
    expect(maxSeen).toBe(10);
    await addChats(storage, 1);
    expect(maxSeen).toBe(10);

    const other = ext.context().consume({ after: 0, batchSize: 5, handle: () => new Promise((r) => setTimeout(r, 1)) });
    await storage.close();
    expect(other.caughtUp).toBe(false);
    expect(await rejectionCode(() => ext.context().consume({ handle: () => {} }))).toBe('NOT_OPEN');
  });
});
