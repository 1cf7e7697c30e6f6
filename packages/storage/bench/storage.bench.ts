// Storage benchmarks: our layers against raw classic-level in the same run.
// Run: pnpm --filter @tabagent/storage bench   → bench/results/storage.json
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { newNodeId, type NewNodeOf } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { median, percentile, writeResults, type BenchResult } from '@tabagent/common/bench';
import { Storage, encodeRecord } from '../src/index.js';

const BATCH = 1_000;
const BATCHED_NODES = 100_000;
const SINGLE_NODES = 20_000;
const READS = 100_000;
const SINGLE_READS = 20_000;
const RUNS = 3;

const random = seededRandom(7);
const WORDS = 'the a memory paris train museum alice bob meeting tomorrow project database search vector graph summary weekend dinner flight hotel budget idea question answer reminder music film book coffee'.split(' ');
function sentence(chars: number): string {
  let text = '';
  while (text.length < chars) text += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return text.slice(0, chars);
}

/** ~1 KB Message nodes (encoded size is printed below). */
function messages(chatId: string, count: number): NewNodeOf<'Message'>[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'Message',
    chatId,
    sender: i % 2 === 0 ? 'user' : 'assistant',
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: sentence(900),
    metadata: { source: 'bench' },
  }));
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tabagent-storage-bench-'));
  const results: BenchResult[] = [];
  const record = (name: string, value: number, unit: string): void => {
    results.push({ name, value: Number(value.toFixed(unit === 'ms' ? 4 : 2)), unit });
    console.log(`${name.padEnd(34)} ${value.toFixed(unit === 'ms' ? 4 : unit === 'ratio' ? 2 : 0).padStart(12)} ${unit}`);
  };
  try {
    const sample = messages('chat_01BENCH', 1).map((m) => ({ ...m, id: newNodeId('Message'), createdAt: 0, updatedAt: 0, timestamp: 0, tags: [] }))[0]!;
    console.log(`encoded message size: ${encodeRecord(sample).byteLength} bytes\n`);

    const rawPut: number[] = [];
    const rawPutSingle: number[] = [];
    const ourBatched: number[] = [];
    const ourSingle: number[] = [];
    let rawReadDb: ClassicLevel<string, Uint8Array> | undefined;
    let rawKeys: string[] = [];
    let ourStorage: Storage | undefined;
    let ourIds: string[] = [];

    for (let run = 0; run < RUNS; run++) {
      // Baseline: raw LevelDB, same encoded values, 1,000 puts per batch.
      const raw = new ClassicLevel<string, Uint8Array>(join(root, `raw-${run}`), { keyEncoding: 'utf8', valueEncoding: 'view', writeBufferSize: 16 * 1024 * 1024 });
      await raw.open();
      const values = messages('chat_01BENCH', BATCHED_NODES).map((m) => {
        const id = newNodeId('Message');
        return { id, value: encodeRecord({ ...m, id, createdAt: 1, updatedAt: 1, timestamp: 1, tags: [] }) };
      });
      rawPut.push(BATCHED_NODES / (await timed(async () => {
        for (let i = 0; i < values.length; i += BATCH) {
          await raw.batch(values.slice(i, i + BATCH).map(({ id, value }) => ({ type: 'put' as const, key: id, value })));
        }
      })));
      rawPutSingle.push(SINGLE_NODES / (await timed(async () => {
        for (let i = 0; i < SINGLE_NODES; i++) await raw.put(`single_${i}`, values[i]!.value);
      })));
      if (run === RUNS - 1) {
        rawReadDb = raw;
        rawKeys = values.map((v) => v.id);
      } else await raw.close();

      // Ours: validation + encoding + change log + group-commit writer, same shape of data.
      const storage = await Storage.open(join(root, `ours-${run}`));
      const chat = await storage.insertNode({ type: 'Chat', title: 'bench' });
      const input = messages(chat.id, BATCHED_NODES);
      const ids: string[] = [];
      ourBatched.push(BATCHED_NODES / (await timed(async () => {
        for (let i = 0; i < input.length; i += BATCH) {
          for (const node of await storage.insertNodes(input.slice(i, i + BATCH))) ids.push(node.id);
        }
      })));
      const single = messages(chat.id, SINGLE_NODES);
      ourSingle.push(SINGLE_NODES / (await timed(async () => {
        for (const node of single) await storage.insertNode(node);
      })));
      if (run === RUNS - 1) {
        ourStorage = storage;
        ourIds = ids;
      } else await storage.close();
    }

    record('level.put.batched', median(rawPut), 'puts/s');
    record('storage.insert.batched', median(ourBatched), 'nodes/s');
    record('storage.insert.batched.ratio', median(ourBatched) / median(rawPut), 'ratio');
    record('level.put.single', median(rawPutSingle), 'puts/s');
    record('storage.insert.single', median(ourSingle), 'nodes/s');
    record('storage.insert.single.ratio', median(ourSingle) / median(rawPutSingle), 'ratio');

    // Reads: random ids, 1,000 per call. Baseline is raw getSync (the fastest raw read
    // for cached data, and what getNodes uses), with raw getMany shown for comparison.
    const pick = (keys: string[]): string[] => Array.from({ length: BATCH }, () => keys[Math.floor(random() * keys.length)]!);
    const raw = rawReadDb!;
    const storage = ourStorage!;
    const rawGet: number[] = [];
    const rawGetMany: number[] = [];
    const ourGet: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      rawGet.push(READS / (await timed(async () => {
        for (let i = 0; i < READS; i += BATCH) for (const key of pick(rawKeys)) raw.getSync(key);
      })));
      rawGetMany.push(READS / (await timed(async () => {
        for (let i = 0; i < READS; i += BATCH) await raw.getMany(pick(rawKeys));
      })));
      ourGet.push(READS / (await timed(async () => {
        for (let i = 0; i < READS; i += BATCH) await storage.getNodes(pick(ourIds));
      })));
    }
    record('level.get.batched', median(rawGet), 'gets/s');
    record('level.getMany.batched', median(rawGetMany), 'gets/s');
    record('storage.get.batched', median(ourGet), 'reads/s');
    record('storage.get.batched.ratio', median(ourGet) / median(rawGet), 'ratio');

    const latencies: number[] = [];
    for (let i = 0; i < SINGLE_READS; i++) {
      const id = ourIds[Math.floor(random() * ourIds.length)]!;
      const start = process.hrtime.bigint();
      await storage.getNode(id);
      latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    record('storage.get.single.p50', percentile(latencies, 50), 'ms');
    record('storage.get.single.p99', percentile(latencies, 99), 'ms');

    await raw.close();
    await storage.close();
    console.log(`\nwrote ${await writeResults('storage', results)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
