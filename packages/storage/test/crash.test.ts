import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tabagent/common/testing';
import { Storage } from '../src/index.js';
import { tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const NODES_PER_BATCH = 20;
const CHANGES_PER_BATCH = NODES_PER_BATCH * 2 - 1;

interface Ack {
  batchNo: number;
  chatId: string;
  lastSeq: number;
}

/** Runs the writer until it has acknowledged `acksBeforeKill` batches, then SIGKILLs it. */
function runAndKill(dir: string, firstBatch: number, acksBeforeKill: number, extraDelayMs: number, durability: string): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, dir, String(firstBatch), durability], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [tag, batchNo, chatId, lastSeq] = line.split(' ');
        if (tag === 'ACK') acks.push({ batchNo: Number(batchNo), chatId: chatId!, lastSeq: Number(lastSeq) });
      }
      if (!killing && acks.length >= acksBeforeKill) {
        killing = true;
        // Kill at a random point: sometimes right away, sometimes mid-way through later batches.
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('exit', (code, signal) => {
      // Acks printed before the kill but read after it still count: they were acknowledged.
      for (const line of buffered.split('\n')) {
        const [tag, batchNo, chatId, lastSeq] = line.split(' ');
        if (tag === 'ACK') acks.push({ batchNo: Number(batchNo), chatId: chatId!, lastSeq: Number(lastSeq) });
      }
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

async function verify(dir: string, acked: Ack[]): Promise<{ batches: number; lastSeq: number }> {
  const storage = await Storage.open(dir);
  try {
    // Every acknowledged batch is present in full.
    const chats = await storage.getNodes(acked.map((a) => a.chatId));
    expect(chats.every((c) => c !== undefined)).toBe(true);

    // Nothing is half-written: every batch present has all its nodes and edges.
    const nodesPerBatch = new Map<number, number>();
    for await (const nodes of storage.scanNodes()) {
      for (const node of nodes) {
        const batchNo = node.metadata['batchNo'] as number;
        nodesPerBatch.set(batchNo, (nodesPerBatch.get(batchNo) ?? 0) + 1);
      }
    }
    const edgesPerBatch = new Map<number, number>();
    for await (const edges of storage.scanEdges()) {
      for (const edge of edges) {
        const batchNo = edge.metadata['batchNo'] as number;
        edgesPerBatch.set(batchNo, (edgesPerBatch.get(batchNo) ?? 0) + 1);
      }
    }
    for (const [batchNo, count] of nodesPerBatch) {
      expect(count, `nodes of batch ${batchNo}`).toBe(NODES_PER_BATCH);
      expect(edgesPerBatch.get(batchNo), `edges of batch ${batchNo}`).toBe(NODES_PER_BATCH - 1);
    }
    expect(edgesPerBatch.size).toBe(nodesPerBatch.size);

    // The change log has no gaps and covers exactly the batches present.
    const seqs: number[] = [];
    for await (const event of storage.changes()) seqs.push(event.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBe(nodesPerBatch.size * CHANGES_PER_BATCH);
    expect(storage.lastSeq).toBeGreaterThanOrEqual(Math.max(0, ...acked.map((a) => a.lastSeq)));
    return { batches: nodesPerBatch.size, lastSeq: storage.lastSeq };
  } finally {
    await storage.close();
  }
}

describe('crash safety', () => {
  it('keeps every acknowledged batch and never half a batch across repeated SIGKILLs', async () => {
    const dir = join(await tempDir('tabagent-crash-'), 'db');
    const random = seededRandom(20261122);
    const allAcked: Ack[] = [];
    let nextBatch = 0;
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const acks = await runAndKill(dir, nextBatch, 1 + Math.floor(random() * 20), Math.floor(random() * 30), round % 4 === 3 ? 'sync' : 'process');
      allAcked.push(...acks);
      const { batches } = await verify(dir, allAcked);
      expect(batches).toBeGreaterThanOrEqual(allAcked.length);
      // Batches that committed but whose ack was lost to the kill keep their numbers;
      // start the next writer above everything present.
      nextBatch += batches + 1000;
    }
    expect(allAcked.length).toBeGreaterThanOrEqual(rounds);
  }, 240_000);
});
