import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrderedHasher } from './ordered-hasher.js';
import { planChunks } from './resume-state.js';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true }))));

async function tempFile(size: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tabagent-hasher-'));
  dirs.push(dir);
  const file = path.join(dir, 'f.part');
  await fs.writeFile(file, Buffer.alloc(size));
  return file;
}

describe('OrderedHasher', () => {
  it('hashes a file written by interleaved chunks, in memory and from disk, to the true SHA-256', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const file = await tempFile(content.length);
    const handle = await fs.open(file, 'r+');
    const chunks = planChunks(content.length, 4, 64 * 1024);
    // The first chunk is already half on disk, as after an interrupted attempt.
    const resumed = 300_000;
    await handle.write(content, 0, resumed, 0);
    chunks[0]!.done = resumed;
    const hasher = new OrderedHasher(handle, content.length, chunks);

    // Write pieces of every chunk round-robin, last chunk first, in odd-sized pieces.
    const piece = 70_001;
    let pending = true;
    while (pending) {
      pending = false;
      for (const c of [...chunks].reverse()) {
        const at = c.start + c.done;
        if (at > c.end) continue;
        pending = true;
        const n = Math.min(piece, c.end - at + 1);
        const buf = content.subarray(at, at + n);
        await handle.writev([buf], at);
        c.done += n;
        hasher.offer(at, [buf]);
        await new Promise((r) => setImmediate(r));
      }
    }
    expect(await hasher.digest()).toBe(createHash('sha256').update(content).digest('hex'));
    await handle.close();
  });

  it('reports no digest when stopped before the end', async () => {
    const file = await tempFile(1000);
    const handle = await fs.open(file, 'r+');
    const hasher = new OrderedHasher(handle, 1000, planChunks(1000, 1, 64 * 1024));
    hasher.stop();
    expect(await hasher.digest()).toBeUndefined();
    await handle.close();
  });
});
