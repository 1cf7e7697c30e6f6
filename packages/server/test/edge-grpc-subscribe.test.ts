import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startGrpcServer } from '../src/index.js';
import { openTestDb } from './fixtures/test-db.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Issue 16, finding 12: a gRPC `Subscribe` whose client stops reading its socket grew the
 * server's memory (up to 10,000 queued events of any size) and was not dropped. A byte
 * bound now drops it: the subscriber is a real client process, stopped with SIGSTOP.
 */
describe('gRPC Subscribe that never reads (issue 16, finding 12)', () => {
  it('is dropped once its queued events pass maxQueuedBytes, and writes go on', async () => {
    const t = await openTestDb();
    const server = await startGrpcServer(t.db, { host: '127.0.0.1', port: 0, maxQueuedBytes: 256 * 1024 });
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(packageDir, 'test', 'fixtures', 'grpc-subscriber-entry.ts'), server.address], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      while (!out.includes('live')) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.subscriptions).toBe(1);
      child.kill('SIGSTOP');
      const chat = await t.db.createChat({ title: 'busy' });
      // 9,000 events would all wait for it without a byte bound (the count bound is 10,000).
      let written = 0;
      while (written < 9_000 && server.subscriptions > 0) {
        await t.db.insertNodes(Array.from({ length: 100 }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 'a', role: 'user' as const, content: `m${written + i}` })));
        written += 100;
      }
      expect(server.subscriptions).toBe(0);
      expect(written).toBeLessThan(9_000);
    } finally {
      child.kill('SIGKILL');
      await server.close();
      await t.cleanup();
    }
  }, 60_000);
});
