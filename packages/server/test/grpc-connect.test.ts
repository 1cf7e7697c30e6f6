import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createFileRegistry, fromBinary, toJson, type FileRegistry, type Message } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type CallOptions } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { findProtoFile } from '@tabagent/ml-bridge/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc/index.js';
import { openTestDb } from './fixtures/test-db.js';

const run = promisify(execFile);
/** The buf CLI from npm: compiles the .proto with its own compiler (no protoc, no grpc-js). */
const BUF = join(dirname(createRequire(import.meta.url).resolve('@bufbuild/buf/package.json')), 'bin', 'buf');

/** Our .proto compiled by buf into a registry of descriptors, as any third-party client would build it. */
async function compileProto(): Promise<FileRegistry> {
  const proto = findProtoFile('database.proto', import.meta.url);
  const out = await mkdtemp(join(tmpdir(), 'tabagent-buf-'));
  try {
    const image = join(out, 'image.binpb');
    await run(BUF, ['build', dirname(proto), '--path', proto, '-o', image], { env: { ...process.env, BUF_CACHE_DIR: join(out, 'cache') } });
    return createFileRegistry(fromBinary(FileDescriptorSetSchema, await readFile(image)));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** The three methods this test calls, as the dynamic client exposes them (by their descriptors, untyped). */
interface DatabaseMethods {
  createChat(request: object, options?: CallOptions): Promise<Message & { id: string }>;
  addMessage(request: object, options?: CallOptions): Promise<Message & { id: string }>;
  search(request: object, options?: CallOptions): Promise<Message>;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error('expected the call to fail');
}

describe('an independent gRPC client (Connect-ES over HTTP/2, descriptors compiled by buf)', () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  let server: GrpcServerHandle;
  let registry: FileRegistry;
  let client: DatabaseMethods;

  beforeAll(async () => {
    registry = await compileProto();
    t = await openTestDb();
    server = await startGrpcServer(t.db, { port: 0, token: 'connect-token' });
    const service = registry.getService('tabagent.v1.Database')!;
    client = createClient(service, createGrpcTransport({ baseUrl: `http://${server.address}` })) as unknown as DatabaseMethods;
  });
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
  });

  it('writes and calls Database/Search against a running server, with errors and auth as specified', async () => {
    const auth = { headers: { authorization: 'Bearer connect-token' }, timeoutMs: 10_000 };
    const chat = await t.db.createChat({ title: 'from node' });
    const fromNode = await chat.addMessage({ sender: 'js', role: 'user', content: 'the zeppelin flew over the harbour' });

    const created = await client.createChat({ title: 'from connect' }, auth);
    const message = await client.addMessage({ chatId: created.id, sender: 'connect', role: 'user', content: 'connect says zeppelin' }, auth);
    // The seed's shape: content alone is a user's message.
    // (in a chat of its own: a neighbouring turn would be found through the search's reply context)
    const other = await client.createChat({ title: 'defaults' }, auth);
    const bare = await client.addMessage({ chatId: other.id, content: 'just words' }, auth);
    expect(await t.db.getNode(bare.id)).toMatchObject({ role: 'user', sender: 'user', content: 'just words' });
    const response = await client.search({ text: 'zeppelin', mode: 'keyword', limit: 10 }, auth);
    const seen = toJson(registry.getMessage('tabagent.v1.QueryResponse')!, response) as {
      hits: { node: { id: string; type: string; fields: Record<string, unknown> }; scores: { keyword?: number } }[];
      total: string | number;
    };

    // The message the other client wrote is stored like any other.
    expect(await t.db.getNode(message.id)).toMatchObject({ type: 'Message', chatId: created.id, content: 'connect says zeppelin' });
    expect(seen.hits.map((h) => h.node.id).sort()).toEqual([fromNode.id, message.id].sort());
    const hit = seen.hits.find((h) => h.node.id === fromNode.id)!;
    expect(hit.node.type).toBe('Message');
    expect(hit.node.fields).toMatchObject({ content: 'the zeppelin flew over the harbour', chatId: chat.id, sender: 'js' });
    expect(hit.scores.keyword).toBeGreaterThan(0);
    expect(Number(seen.total)).toBe(2);

    const invalid = await rejection(client.search({ text: '   ' }, auth));
    expect(invalid.code).toBe(Code.InvalidArgument);
    expect(invalid.metadata.get('tabagent-error-code')).toBe('INVALID_ARGUMENT');
    expect(invalid.rawMessage).toContain('text');

    const anonymous = await rejection(client.search({ text: 'zeppelin' }, { timeoutMs: 10_000 }));
    expect(anonymous.code).toBe(Code.Unauthenticated);
  });
});
