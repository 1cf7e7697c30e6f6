import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { entityId } from '@tabagent/common';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpHttpHandler, mountMcpHttp } from '../src/mcp/index.js';
import { startHarness } from './fixtures/http-server.js';
import { openTestDb } from './fixtures/test-db.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = ['entities', 'get-node', 'path', 'query', 'recall', 'related', 'remember', 'summarize-chat'];

type ToolResult = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };
const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> => (await client.callTool({ name, arguments: args })) as ToolResult;
const data = async (client: Client, name: string, args: Record<string, unknown>): Promise<any> => {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${result.content[0]?.text}`);
  expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
  return result.structuredContent;
};
const errorText = async (client: Client, name: string, args: Record<string, unknown>): Promise<string> => {
  const result = await call(client, name, args);
  expect(result.isError).toBe(true);
  return result.content[0]!.text;
};

describe('MCP over stdio (the SDK client spawning the server)', () => {
  let client: Client;
  let transport: StdioClientTransport;

  beforeAll(async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--conditions=source', '--import', 'tsx', join(packageDir, 'test', 'fixtures', 'mcp-stdio-entry.ts')],
      cwd: packageDir,
      env: process.env as Record<string, string>,
      stderr: 'pipe',
    });
    client = new Client({ name: 'tabagent-test', version: '1.0.0' });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client.close();
  });

  it('lists the memory tools with their input schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    const recall = tools.find((t) => t.name === 'recall')!;
    // `text` as in every transport, `query` as its alias (one of the two is required).
    expect(recall.inputSchema).toMatchObject({ type: 'object' });
    expect(Object.keys(recall.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['text', 'query', 'limit', 'types', 'chatId', 'mode']));
    const remember = tools.find((t) => t.name === 'remember')!;
    expect(Object.keys(remember.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['content', 'sender', 'role', 'timestamp', 'replyToId', 'attachmentIds', 'tags', 'metadata', 'chatId', 'chatTitle']),
    );
    expect(client.getServerVersion()?.name).toBe('tabagent');
  });

  it('remembers, recalls, reads back, and exposes chats as resources', async () => {
    const first = await data(client, 'remember', { content: 'The wifi password at the cabin is marmalade' });
    expect(first).toMatchObject({ remembered: true, chatTitle: 'Memory' });
    const second = await data(client, 'remember', { content: 'The cabin is two hours north of the lake', sender: 'user' });
    expect(second.chatId).toBe(first.chatId);
    const recalled = await data(client, 'recall', { query: 'cabin wifi password', mode: 'keyword' });
    expect(recalled.hits[0]).toMatchObject({ id: first.messageId, type: 'Message', chatId: first.chatId, text: 'The wifi password at the cabin is marmalade' });
    expect((await data(client, 'get-node', { id: second.messageId })).node).toMatchObject({ content: 'The cabin is two hours north of the lake', sender: 'user' });

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(['tabagent://chats', `tabagent://chats/${first.chatId}`]));
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toContain('tabagent://chats/{chatId}');
    const chats = JSON.parse(((await client.readResource({ uri: 'tabagent://chats' })).contents[0] as { text: string }).text);
    expect(chats.chats.map((c: { id: string }) => c.id)).toContain(first.chatId);
    const chat = JSON.parse(((await client.readResource({ uri: `tabagent://chats/${first.chatId}` })).contents[0] as { text: string }).text);
    expect(chat.items.map((m: { content: string }) => m.content)).toEqual(['The wifi password at the cabin is marmalade', 'The cabin is two hours north of the lake']);
  });

  it('rejects bad arguments with a clear error', async () => {
    const text = await errorText(client, 'recall', { query: 42 });
    expect(text).toContain('Invalid arguments for tool recall');
    expect(text).toContain('query');
    expect(await errorText(client, 'remember', { content: 'x', role: 'robot' })).toContain('role');
    expect(await errorText(client, 'get-node', { id: 'msg_01NOPE00000000000000000000' })).toMatch(/^NOT_FOUND: /u);
  });
});

describe('MCP over streamable HTTP (the SDK client against a real HTTP server)', () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  let server: Server;
  let url: URL;
  let client: Client;

  beforeAll(async () => {
    t = await openTestDb();
    const mcp = createMcpHttpHandler(t.db, { token: 'mcp-token', allowedOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop'] });
    server = createServer((req, res) => {
      if (req.url === '/mcp') void mcp.handle(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    client = new Client({ name: 'tabagent-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: 'Bearer mcp-token' } } }));
  });
  afterAll(async () => {
    await client?.close();
    await new Promise((resolve) => server?.close(resolve));
    await t?.cleanup();
  });

  it('calls every tool', async () => {
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    const trip = await data(client, 'remember', { content: 'Ada flew to Lisbon for the conference', chatTitle: 'Trips' });
    const work = await data(client, 'remember', { content: 'Ada reviewed the Lisbon budget', chatTitle: 'Work', role: 'assistant' });
    expect(trip.chatId).not.toBe(work.chatId);
    // Without the weaver, link the entity by hand as it would.
    const ada = entityId('PERSON', 'Ada');
    await t.db.insertNode({ type: 'Entity', id: ada, label: 'Ada', entityType: 'PERSON' });
    for (const id of [trip.messageId, work.messageId]) await t.db.insertEdge({ from: id, to: ada, type: 'MENTIONS', weight: 0.8 });

    const recall = await data(client, 'recall', { query: 'Lisbon conference', types: ['Message'], limit: 1 });
    expect(recall.hits).toHaveLength(1);
    expect(recall.hits[0].id).toBe(trip.messageId);

    const related = await data(client, 'related', { chatId: trip.chatId });
    expect(related.related[0]).toMatchObject({ chatId: work.chatId, title: 'Work', sharedEntities: [ada] });

    const mentioned = await data(client, 'entities', { nodeId: trip.messageId });
    expect(mentioned.entities).toEqual([{ id: ada, label: 'Ada', entityType: 'PERSON', mentions: 1, confidence: 0.8 }]);
    const mentioning = await data(client, 'entities', { entityType: 'PERSON', label: 'Ada' });
    expect(mentioning.mentionedBy.map((n: { id: string }) => n.id).sort()).toEqual([trip.messageId, work.messageId].sort());

    const path = await data(client, 'path', { from: trip.messageId, to: work.messageId });
    expect(path).toMatchObject({ found: true, length: 2 });
    expect(path.nodes.map((n: { id: string }) => n.id)).toEqual([trip.messageId, ada, work.messageId]);
    expect((await data(client, 'path', { from: trip.messageId, to: work.messageId, edgeTypes: ['SUMMARIZES'] })).found).toBe(false);

    await data(client, 'remember', { content: 'The keynote is on Tuesday morning. Ada speaks after lunch.', chatId: trip.chatId });
    const summary = await data(client, 'summarize-chat', { chatId: trip.chatId, maxLength: 80 });
    expect(summary).toMatchObject({ chatId: trip.chatId, title: 'Trips', messages: 2, summarizedMessages: 2 });
    expect(summary.summary.length).toBeGreaterThan(0);
    expect(summary.summary.length).toBeLessThanOrEqual(80);

    const query = await data(client, 'query', { query: { types: ['Message'], filters: { chatId: { eq: work.chatId } } } });
    expect(query.hits.map((h: { id: string }) => h.id)).toEqual([work.messageId]);
    expect((await data(client, 'get-node', { id: ada })).node).toMatchObject({ type: 'Entity', label: 'Ada' });
  });

  it('rejects bad arguments with a clear error', async () => {
    expect(await errorText(client, 'entities', {})).toContain('give exactly one of nodeId, entityId, or entityType with label');
    expect(await errorText(client, 'entities', { entityType: 'PERSON' })).toContain('entityType and label go together');
    expect(await errorText(client, 'recall', { query: 'x', limit: 500 })).toContain('limit');
    expect(await errorText(client, 'path', { from: '', to: 'x' })).toContain('from');
    expect(await errorText(client, 'query', { query: { limit: 0 } })).toMatch(/^INVALID_ARGUMENT \(limit\): /u);
    expect(await errorText(client, 'related', { chatId: 'chat_01NOPE00000000000000000000' })).toMatch(/^NOT_FOUND/u);
  });

  it('refuses a missing token, a foreign origin and GET', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) };
    expect((await fetch(url, init)).status).toBe(401);
    expect((await fetch(url, { ...init, headers: { ...init.headers, authorization: 'Bearer mcp-token', origin: 'https://evil.example' } })).status).toBe(403);
    const allowed = await fetch(url, { ...init, headers: { ...init.headers, authorization: 'Bearer mcp-token', origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' } });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { result: { tools: unknown[] } }).result.tools).toHaveLength(TOOLS.length);
    expect((await fetch(url, { headers: { authorization: 'Bearer mcp-token' } })).status).toBe(405);
  });
});

describe('MCP mounted on Fastify at /mcp', () => {
  it('serves the SDK client through the app', async () => {
    const t = await openTestDb();
    const app = Fastify();
    mountMcpHttp(app, t.db);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const client = new Client({ name: 'tabagent-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/mcp`)));
      const remembered = await data(client, 'remember', { content: 'mounted on fastify' });
      expect((await t.db.getNode(remembered.messageId)) as { content: string }).toMatchObject({ content: 'mounted on fastify' });
      await client.close();
    } finally {
      await app.close();
      await t.cleanup();
    }
  });
});

describe('MCP under startHttpServer (the `mcp` option, on by default)', () => {
  it('serves /mcp behind the server token and allowed origins, outside the OpenAPI document', async () => {
    const origin = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    const h = await startHarness({ server: { token: 'http-token', corsOrigins: [origin] } });
    try {
      const url = new URL(`${h.server.url}/mcp`);
      const auth = { authorization: 'Bearer http-token' };
      const client = new Client({ name: 'tabagent-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: auth } }));
      expect(client.getServerVersion()?.name).toBe('tabagent');
      const remembered = await data(client, 'remember', { content: 'served next to the REST API' });
      expect((await h.request('GET', `/v1/nodes/${remembered.messageId}`, { headers: auth })).body).toMatchObject({ content: 'served next to the REST API' });
      await client.close();

      const list = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) };
      expect((await fetch(url, list)).status).toBe(401); // the server's own guard
      expect((await fetch(url, { ...list, headers: { ...list.headers, ...auth, origin: 'https://evil.example' } })).status).toBe(403);
      expect((await fetch(url, { ...list, headers: { ...list.headers, ...auth, origin } })).status).toBe(200);
      const doc = (await h.request('GET', '/v1/openapi.json', { headers: auth })).body as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).not.toContain('/mcp');
    } finally {
      await h.stop();
    }
  });

  it('is absent with mcp: false', async () => {
    const h = await startHarness({ server: { mcp: false } });
    try {
      expect((await h.request('POST', '/mcp', { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } })).status).toBe(404);
    } finally {
      await h.stop();
    }
  });
});
