import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Storage } from '@tabagent/storage';
import { TempDirs, TestCli, countNodesOnDisk, start } from './helpers/cli.js';
import { grpc, grpcClient, grpcStatus, structToJson } from './helpers/grpc.js';
import { toolData } from './helpers/mcp.js';

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
  mcp: string;
  port: number;
  transports: Record<string, { port: number; address?: string; services?: string[] }>;
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
    // MCP over streamable HTTP, under the same server.
    expect(ready.mcp).toBe(`${ready.url}/mcp`);
    expect(server.stderr()).toContain(`MCP (streamable HTTP) at ${ready.mcp}`);
    const mcp = new Client({ name: 'tabagent-cli-test', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(ready.mcp)));
    expect(mcp.getServerVersion()?.name).toBe('tabagent');
    expect((await mcp.listTools()).tools.map((t) => t.name)).toContain('recall');
    const note = await toolData(mcp, 'remember', { content: 'remembered over HTTP' });
    await mcp.close();
    expect((await getJson<{ content: string }>(`${ready.url}/v1/nodes/${note.messageId}`)).body.content).toBe('remembered over HTTP');

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
    expect(await countNodesOnDisk(cli.dataDir, 'Message')).toBe(2);
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

  it('--mode all serves HTTP and gRPC on the ports it prints, over one database', async () => {
    const server = await serve(['--mode', 'all', '--grpc-port', '0']);
    const { ready } = server;
    expect(ready).toMatchObject({ mode: 'all', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const grpcPort = ready.transports['grpc']!.port;
    expect(grpcPort).toBeGreaterThan(0);
    expect(grpcPort).not.toBe(ready.port);
    expect(ready.transports['grpc']).toMatchObject({ address: `127.0.0.1:${grpcPort}`, services: ['tabagent.v1.Database', 'tabagent.ml.v1.MlInference'] });
    expect(server.stderr()).toContain(`gRPC on 127.0.0.1:${grpcPort}`);

    const chat = await postJson<{ id: string }>(`${ready.url}/v1/chats`, { title: 'Trip' });
    const message = await postJson<{ id: string }>(`${ready.url}/v1/chats/${chat.id}/messages`, { sender: 'alice', role: 'user', content: 'Alice met Bob in Paris' });
    const db = grpcClient('database.proto', 'tabagent.v1.Database', `127.0.0.1:${grpcPort}`);
    const ml = grpcClient('ml_inference.proto', 'tabagent.ml.v1.MlInference', `127.0.0.1:${grpcPort}`);
    try {
      // What REST wrote, gRPC reads — and the other way round.
      const node = await db.unary('GetNode', { id: message.id });
      expect(node).toMatchObject({ id: message.id, type: 'Message' });
      expect(structToJson(node.fields)).toMatchObject({ chatId: chat.id, content: 'Alice met Bob in Paris', sender: 'alice' });
      const search = await db.unary('Search', { text: 'paris', types: ['Message'], mode: 'keyword' });
      expect(search.hits.map((h: { node: { id: string } }) => h.node.id)).toEqual([message.id]);
      const added = await db.unary('AddMessage', { chatId: chat.id, sender: 'bob', role: 'assistant', content: 'Bonjour from gRPC' });
      expect((await getJson<{ content: string }>(`${ready.url}/v1/nodes/${added.id}`)).body.content).toBe('Bonjour from gRPC');
      expect(await grpcStatus(db.unary('GetNode', { id: 'msg_01NOPE00000000000000000000' }))).toBe(grpc.status.NOT_FOUND);
      // --grpc-ml is on by default: this TabAgent serves its ML to others.
      expect(await ml.unary('Health')).toMatchObject({ ok: true, provider: 'builtin' });
    } finally {
      db.close();
      ml.close();
    }
    expect(await server.stop()).toEqual([0, null]);
  });

  it('--mode grpc alone: the gRPC port at the top of the ready line, the token required, --no-grpc-ml', async () => {
    const server = await serve(['--mode', 'grpc', '--grpc-port', '0', '--no-grpc-ml'], { ...cli.env, TABAGENT_TOKEN: 'grpc-secret' });
    const { ready } = server;
    expect(ready).toMatchObject({ mode: 'grpc', port: ready.transports['grpc']!.port, auth: true, services: ['tabagent.v1.Database'] });
    expect(ready).not.toHaveProperty('url');
    const address = `127.0.0.1:${ready.port}`;
    const anonymous = grpcClient('database.proto', 'tabagent.v1.Database', address);
    const db = grpcClient('database.proto', 'tabagent.v1.Database', address, 'grpc-secret');
    const ml = grpcClient('ml_inference.proto', 'tabagent.ml.v1.MlInference', address, 'grpc-secret');
    try {
      expect(await grpcStatus(anonymous.unary('ListChats', {}))).toBe(grpc.status.UNAUTHENTICATED);
      const chat = await db.unary('CreateChat', { title: 'over gRPC' });
      expect((await db.unary('ListChats', {})).items.map((c: { id: string }) => c.id)).toEqual([chat.id]);
      expect(await grpcStatus(ml.unary('Health'))).toBe(grpc.status.UNIMPLEMENTED);
    } finally {
      anonymous.close();
      db.close();
      ml.close();
    }
    expect(await server.stop()).toEqual([0, null]);
  });

  it('refuses what it cannot serve, in one line', async () => {
    const openGrpc = await cli.run(['serve', '--mode', 'grpc', '--grpc-port', '0', '--host', '0.0.0.0']);
    expect(openGrpc.code).toBe(2);
    expect(openGrpc.stderr).toBe('tabagent: INVALID_ARGUMENT: binding gRPC to 0.0.0.0 (not loopback) requires a token\n');
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
      // gRPC's port taken after HTTP started: HTTP is closed again and the database released.
      const busyGrpc = await cli.run(['serve', '--mode', 'all', '--port', '0', '--grpc-port', String((taken.address() as AddressInfo).port)]);
      expect(busyGrpc.code).toBe(5);
      expect(busyGrpc.stderr).toMatch(/^tabagent: UNAVAILABLE: cannot bind gRPC to 127\.0\.0\.1:\d+: .*EADDRINUSE.*--grpc-port\) \(field grpcPort\)\n$/);
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
