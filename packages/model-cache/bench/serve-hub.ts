/**
 * The benchmark's Hub, in its own process (as a real Hub is not in the client's):
 * generates a large random file in a temp dir, serves it (from memory) as an LFS file of one repo, prints
 * `{"endpoint": …}` on stdout, and exits when stdin closes.
 * Usage: node --conditions=source --import tsx bench/serve-hub.ts <dir> <sizeBytes> <repoId> <file>
 */
import { randomFillSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FakeHub } from '../test/fixtures/fake-hub.js';

const [dir, sizeText, repoId, file] = process.argv.slice(2);
if (!dir || !sizeText || !repoId || !file) throw new Error('usage: serve-hub <dir> <sizeBytes> <repoId> <file>');
const size = Number(sizeText);
const source = path.join(dir, 'source.bin');
const handle = await fs.open(source, 'w');
const block = Buffer.allocUnsafe(16 * 1024 * 1024);
for (let written = 0; written < size; written += block.length) {
  randomFillSync(block);
  await handle.write(block, 0, Math.min(block.length, size - written));
}
await handle.close();

const hub = new FakeHub();
await hub.start();
// Served from memory: the benchmark measures the client, so the server should cost as little CPU as it can.
const content = await fs.readFile(source);
await hub.addRepo(repoId, { [file]: content, 'config.json': Buffer.from('{"bench":true}') });
process.stdout.write(`${JSON.stringify({ endpoint: hub.endpoint })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void hub.close().then(() => process.exit(0));
});
