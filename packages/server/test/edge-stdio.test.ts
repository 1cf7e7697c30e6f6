import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NativeTestClient, frame } from './fixtures/native-client.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `{"a":{"a":…}}` nested `depth` levels. */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Waits until `read()` holds `text` (the child process's stderr). */
async function untilText(read: () => string, text: string): Promise<void> {
  while (!read().includes(text)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/**
 * Issue 16, findings 12 and 13 on the stdio transports, against the real processes:
 * the native-messaging host buffered replies without end when the browser stopped
 * reading, skipped 4 GiB after a length of 0xFFFFFFFF, overflowed its stack on deep JSON
 * and echoed input in errors; `tabagent mcp` ended on a long line and ignored garbage.
 */
describe('native messaging host, hardened (issue 16, findings 12 and 13)', () => {
  it('answers deep JSON, bad JSON and bad ids with coded errors that echo nothing, and keeps serving', async () => {
    const client = new NativeTestClient();
    try {
      const deep = `{"id":1,"method":"nodes.insert","params":{"nodes":[{"type":"Chat","title":"x","metadata":${nested(5_000)}}]}}`;
      client.write(frame(deep));
      const answer = await client.next((m) => m.id === 1, 'the deep request’s answer');
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
      // Within the request limit but deeper than metadata may nest: refused by the record's schema.
      expect(await client.request('nodes.insert', { nodes: [{ type: 'Chat', title: 'x', metadata: JSON.parse(nested(100)) }] })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      });
      client.write(frame('root:x:0:0:secret-line'));
      const garbage = await client.next((m) => m.id === null && m.error?.message?.includes('JSON'), 'the parse error');
      expect(garbage.error.code).toBe('INVALID_ARGUMENT');
      expect(JSON.stringify(garbage)).not.toContain('secret-line');
      expect(await client.request('ping')).toMatchObject({ ok: true, result: { pong: true } });
    } finally {
      await client.close();
    }
  });

  it('after a length of 0xFFFFFFFF (no browser sends it) answers and stops, instead of swallowing 4 GiB', async () => {
    const client = new NativeTestClient();
    const header = Buffer.alloc(4);
    header.writeUInt32LE(0xffffffff);
    client.write(Buffer.concat([header, frame({ id: 1, method: 'ping' })]));
    const answer = await client.next((m) => m.id === null, 'the out-of-step error');
    expect(answer.error.code).toBe('INVALID_ARGUMENT');
    await untilText(() => client.stderr, 'database closed');
    expect(await client.close()).toMatchObject({ code: 0 });
  });

  it('stops reading and then closes when the browser stops reading its replies (bounded memory)', async () => {
    const limits = { maxPendingReplyBytes: 64 * 1024, maxBufferedBytes: 512 * 1024, maxConcurrentRequests: 8, stalledCloseMs: 500 };
    const client = new NativeTestClient({ TABAGENT_TEST_NATIVE_OPTIONS: JSON.stringify(limits) });
    const big = await client.request('chats.create', { title: 'big', metadata: { pad: 'x'.repeat(200_000) } });
    expect(big.ok).toBe(true);
    // The browser stops reading; it keeps sending requests whose replies are 200 KB each.
    client.child.stdout.pause();
    const requests = Buffer.concat(Array.from({ length: 500 }, (_, i) => frame({ id: 100 + i, method: 'nodes.get', params: { id: big.result.id } })));
    client.write(requests);
    await untilText(() => client.stderr, 'stopped reading');
    await untilText(() => client.stderr, 'database closed');
    // It never read all 500 requests: it stopped reading once the replies backed up.
    client.child.stdout.resume();
    client.child.kill();
    await client.exited;
    expect(client.messages.filter((m) => m.id >= 100).length).toBeLessThan(500);
  });
});

describe('tabagent mcp on stdio, hardened (issue 16, finding 13)', () => {
  it('answers garbage with a parse error, a long line with an invalid-request error, and keeps serving', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(packageDir, 'test', 'fixtures', 'mcp-stdio-entry.ts')], { cwd: packageDir, stdio: 'pipe' });
    const lines: any[] = [];
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        lines.push(JSON.parse(pending.slice(0, newline)));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const next = async (match: (m: any) => boolean): Promise<any> => {
      for (;;) {
        const found = lines.find(match);
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`mcp exited (${child.exitCode}); stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      const send = (value: string): boolean => child.stdin.write(`${value}\n`);
      send('this is not json');
      expect(await next((m) => m.error?.code === -32700)).toMatchObject({ jsonrpc: '2.0', id: null });
      send('{"hello":"world"}');
      expect(await next((m) => m.error?.code === -32600)).toMatchObject({ id: null });
      send(`{"jsonrpc":"2.0","id":7,"method":"tools/list","params":${nested(5_000)}}`);
      expect(await next((m) => m.id === 7)).toMatchObject({ error: { code: -32600 } });
      // A line of 11 MiB: skipped to its end, answered, and the session goes on.
      send(`{"jsonrpc":"2.0","id":8,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}`);
      expect(await next((m) => m.error?.message?.includes('longer than'))).toMatchObject({ error: { code: -32600 } });
      send('{"jsonrpc":"2.0","id":9,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}');
      expect((await next((m) => m.id === 9)).result.serverInfo).toBeDefined();
      send('{"jsonrpc":"2.0","id":10,"method":"ping"}');
      expect(await next((m) => m.id === 10)).toMatchObject({ result: {} });
    } finally {
      child.stdin.end();
      await exited;
    }
  });
});
