import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Storage } from '@tabagent/storage';
import { TempDirs, TestCli, start } from './helpers/cli.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

interface Ready {
  event: 'ready';
  url: string;
  docs: string;
  openapi: string;
  port: number;
  dataDir: string;
  ml: { provider: string };
  weaver: boolean;
  mode: string;
}

/** Starts `tabagent serve`, resolves with its ready line (or rejects with what it printed if it exits first). */
async function serve(args: string[] = [], env: NodeJS.ProcessEnv = cli.env) {
  const child = start(cli.args(['serve', '--port', '0', ...args]), { env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise<string>((resolve) => lines.once('line', resolve));
  const outcome = await Promise.race([firstLine, exited.then(([code]) => ({ code }))]);
  if (typeof outcome !== 'string') throw new Error(`serve exited ${outcome.code} before it was ready: ${stderr}`);
  const ready = JSON.parse(outcome) as Ready;
  return {
    ready,
    child,
    stderr: () => stderr,
    /** SIGTERM, then the exit code and signal. */
    stop: async (): Promise<[number | null, NodeJS.Signals | null]> => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as T;
}

describe('tabagent serve (built binary)', () => {
  it('serves HTTP on the port it prints, with docs, the weaver on, and stops cleanly on SIGTERM', async () => {
    const server = await serve();
    const { ready } = server;
    expect(ready).toMatchObject({ event: 'ready', mode: 'http', dataDir: cli.dataDir, ml: { provider: 'builtin' }, weaver: true });
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.port).toBeGreaterThan(0);
    expect(ready.url).toBe(`http://127.0.0.1:${ready.port}`);
    expect(ready.docs).toBe(`${ready.url}/docs`);
    expect(server.stderr()).toContain(`interactive docs at ${ready.url}/docs`);

    const health = await getJson<{ status: string; components: { weaver: { enabled: boolean } } }>(`${ready.url}/v1/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.components.weaver.enabled).toBe(true);
    const openapi = await getJson<{ openapi: string }>(ready.openapi);
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect((await fetch(ready.docs)).status).toBe(200);

    // Writes through the server are enriched by the weaver running inside it.
    const chat = await postJson<{ id: string }>(`${ready.url}/v1/chats`, { title: 'Trip' });
    const message = await postJson<{ id: string }>(`${ready.url}/v1/chats/${chat.id}/messages`, { sender: 'alice', role: 'user', content: 'Alice met Bob in Paris' });
    let embedded = false;
    for (let i = 0; i < 100 && !embedded; i++) {
      embedded = (await fetch(`${ready.url}/v1/nodes/${message.id}/embedding`)).status === 200;
      if (!embedded) await new Promise((r) => setTimeout(r, 100));
    }
    expect(embedded).toBe(true);

    const [code, signal] = await server.stop();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Closed cleanly: the LevelDB lock is released and the writes are there.
    const storage = await Storage.open(cli.dataDir);
    try {
      expect(await storage.countNodes('Message')).toBe(1);
    } finally {
      await storage.close();
    }
  });

  it('takes its settings from env vars and a config file, flags winning', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${cli.home}/tabagent.json`;
    await writeFile(file, JSON.stringify({ weaver: true, server: { port: 1 } }));
    // The file says port 1 and weaver on; env turns the weaver off; the flag picks port 0.
    const server = await serve(['--config', file], { ...cli.env, TABAGENT_WEAVER: 'false', TABAGENT_TOKEN: 'let-me-in' });
    expect(server.ready.weaver).toBe(false);
    expect(server.ready.port).not.toBe(1);
    expect((await fetch(`${server.ready.url}/v1/stats`)).status).toBe(401);
    expect((await fetch(`${server.ready.url}/v1/stats`, { headers: { authorization: 'Bearer let-me-in' } })).status).toBe(200);
    expect(await server.stop()).toEqual([0, null]);
  });

  it('refuses what it cannot serve, in one line', async () => {
    const grpc = await cli.run(['serve', '--port', '0', '--mode', 'grpc']);
    expect(grpc.code).toBe(6);
    expect(grpc.stderr).toMatch(/^tabagent: UNSUPPORTED: serve mode "grpc" needs the grpc transport/);
    const open = await cli.run(['serve', '--port', '0', '--host', '0.0.0.0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: token: a token is required to bind 0\.0\.0\.0/);
    expect(open.stderr.trim().split('\n')).toHaveLength(1);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const busy = await cli.run(['serve', '--port', String((taken.address() as AddressInfo).port)]);
      expect(busy.code).toBe(5);
      expect(busy.stderr).toMatch(/^tabagent: UNAVAILABLE: .*EADDRINUSE.*--port\)\n$/);
    } finally {
      taken.close();
    }
    // Nothing was left holding the database.
    await (await Storage.open(cli.dataDir)).close();
  });
});

describe('tabagent weaver (built binary)', () => {
  it('enriches what short commands wrote and reports the processed work', async () => {
    const chat = await cli.json<{ id: string }>(['add', 'chat', '--title', 'Trip']);
    const message = await cli.json<{ id: string }>(['add', 'message', '--chat', chat.id, '--sender', 'alice', 'Alice met Bob in Paris']);
    // Short commands leave enrichment to the weaver: nothing is embedded yet.
    const before = await cli.json<{ lag: number; headSeq: number }>(['weaver', 'status']);
    expect(before.headSeq).toBe(2);

    const status = await cli.json<{ lag: number; cursor: number; deadLetters: number; modules: Record<string, { processed: number; failed: number }> }>(['weaver', 'status', '--wait']);
    expect(status.lag).toBe(0);
    expect(status.deadLetters).toBe(0);
    expect(status.modules['semantic-indexer']?.processed).toBeGreaterThanOrEqual(1);
    expect(status.modules['entity-linker']?.processed).toBeGreaterThanOrEqual(1);

    const { edges } = await cli.json<{ edges: { type: string }[] }>(['get', message.id, '--edges']);
    expect(edges.filter((e) => e.type === 'MENTIONS').length).toBeGreaterThanOrEqual(2);
    const semantic = await cli.json<{ hits: { node: { id: string } }[] }>(['search', 'alice bob paris', '--mode', 'semantic', '--types', 'Message']);
    expect(semantic.hits[0]?.node.id).toBe(message.id);
    expect(await cli.json(['weaver', 'dead-letters'])).toEqual([]);

    const human = await cli.run(['weaver', 'status']);
    expect(human.stdout).toMatch(/^lag: +0$/m);
    expect(human.stdout).toMatch(/semantic-indexer/);

    const off = await cli.run(['--no-weaver', 'weaver', 'status']);
    expect(off.code).toBe(6);
  });
});
