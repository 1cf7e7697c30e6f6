import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcServerHandle } from '../src/index.js';
import { databaseClient, statusOf } from './fixtures/grpc-client.js';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';
import { startTransports, type Transports } from './fixtures/transports.js';
import { openTestDb } from './fixtures/test-db.js';

/** A request with exactly these bytes (fetch would reject or fix some of them). */
function raw(url: string, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Protobuf encoded by hand, for messages no JS client would send. */
const varint = (n: number): Buffer => {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
};
const field = (number: number, bytes: Buffer): Buffer => Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
const text = (s: string): Buffer => Buffer.from(s);
const structOf = (entries: [string, Buffer][]): Buffer => Buffer.concat(entries.map(([key, value]) => field(1, Buffer.concat([field(1, text(key)), field(2, value)]))));
const stringValue = (s: string): Buffer => field(3, text(s));
const structValue = (entries: [string, Buffer][]): Buffer => field(5, structOf(entries));
const listValue = (values: Buffer[]): Buffer => field(6, Buffer.concat(values.map((v) => field(1, v))));

/** Sends raw request bytes to a method; resolves with the error (or null) and the raw answer. */
function rawCall(address: string, method: string, bytes: Buffer): Promise<{ err: grpc.ServiceError | null; bytes?: Buffer }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) =>
    client.makeUnaryRequest(
      `/tabagent.v1.Database/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      (err, value) => {
        client.close();
        resolve({ err, ...(value === undefined ? {} : { bytes: value }) });
      },
    ),
  );
}

const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Issue 16, finding 13: each malformed input gets a coded 4xx in the API's own `{error:{code,message}}`. */
describe('malformed input over REST (issue 16, finding 13)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  const expectCoded = (res: { status: number; body: any }, status: number, code: string, what: string): void => {
    expect(res.status, what).toBe(status);
    expect(res.body?.error?.code, what).toBe(code);
    expect(typeof res.body?.error?.message, what).toBe('string');
  };

  it('JSON nested thousands of levels deep is a 400 on every write route, not a stack overflow', async () => {
    const deep = nested(5_000);
    for (const [path, body] of [
      ['/v1/nodes', `{"type":"Chat","title":"x","metadata":${deep}}`],
      ['/v1/nodes/batch', `{"nodes":[{"type":"Chat","title":"x","metadata":${deep}}]}`],
      ['/v1/chats', `{"title":"x","metadata":${deep}}`],
      ['/v1/query', `{"query":${deep}}`],
      ['/v1/search', deep],
      ['/v1/edges', `{"from":"chat_a","to":"chat_b","type":"RELATED_TO","metadata":${deep}}`],
    ] as const) {
      expectCoded(await raw(h.server.url, 'POST', path, body, JSON_HEADERS), 400, 'INVALID_ARGUMENT', path);
    }
    // Deep enough to pass the body's limit, deeper than a record's metadata may nest.
    expectCoded(await raw(h.server.url, 'POST', '/v1/chats', `{"title":"x","metadata":${nested(100)}}`, JSON_HEADERS), 400, 'INVALID_ARGUMENT', 'metadata 100 deep');
    expect((await h.request('POST', '/v1/chats', { body: { title: 'ok', metadata: JSON.parse(nested(20)) } })).status).toBe(201);
  });

  it('malformed URLs and over-long ids are answered in the API’s format', async () => {
    for (const path of ['/v1/nodes/%', '/v1/nodes/%E0%A4%A', '/v1/chats/%ff', '/v1/chats/%zz/messages', '/v1/edges/%']) {
      expectCoded(await raw(h.server.url, 'GET', path), 400, 'INVALID_ARGUMENT', path);
    }
    for (const path of [`/v1/nodes/${'x'.repeat(400)}`, `/v1/chats/${'x'.repeat(400)}/messages`]) {
      expectCoded(await raw(h.server.url, 'GET', path), 414, 'TOO_LARGE', path);
    }
    expectCoded(await raw(h.server.url, 'GET', `/v1/nodes/chat_${'x'.repeat(290)}`), 400, 'INVALID_ARGUMENT', 'id over 256');
  });

  it('a NUL byte in a path is a 400', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nodes/chat_%00x'],
      ['GET', '/v1/chats/chat_%00x/messages'],
      ['DELETE', '/v1/nodes/chat_%00x'],
      ['GET', '/v1/edges/edge_%00'],
      ['DELETE', '/v1/models/acme/%00x'],
    ] as const) {
      expectCoded(await raw(h.server.url, method, path), 400, 'INVALID_ARGUMENT', `${method} ${path}`);
    }
  });

  it('invalid UTF-8 is refused, not silently replaced', async () => {
    const body = Buffer.concat([Buffer.from('{"type":"Chat","title":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expectCoded(await raw(h.server.url, 'POST', '/v1/nodes', body, JSON_HEADERS), 400, 'INVALID_ARGUMENT', 'invalid UTF-8');
  });

  it('an id must carry its kind’s prefix', async () => {
    const chat = (await h.request('POST', '/v1/chats', { body: { title: 'c' } })).body;
    const message = { type: 'Message', id: 'chat_x1', chatId: chat.id, sender: 'a', role: 'user', content: 'x' };
    expectCoded(await raw(h.server.url, 'POST', '/v1/nodes', JSON.stringify(message), JSON_HEADERS), 400, 'INVALID_ARGUMENT', 'single');
    expectCoded(await raw(h.server.url, 'POST', '/v1/nodes/batch', JSON.stringify({ nodes: [message] }), JSON_HEADERS), 400, 'INVALID_ARGUMENT', 'batch');
    expect((await h.request('POST', '/v1/nodes', { body: { ...message, id: 'msg_x1' } })).status).toBe(201);
  });

  it('with a token, health tells strangers only the status', async () => {
    const guarded = await startHarness({ server: { token: 'tok' } });
    try {
      const stranger = await guarded.request('GET', '/v1/health');
      expect(stranger.status).toBe(200);
      expect(stranger.body).toEqual({ status: 'ok', version: expect.any(String) });
      const owner = await guarded.request('GET', '/v1/health', { headers: { authorization: 'Bearer tok' } });
      expect(owner.body.uptimeMs).toEqual(expect.any(Number));
      expect(owner.body.components.storage.lastSeq).toEqual(expect.any(Number));
    } finally {
      await guarded.stop();
    }
  });
});

describe('malformed input over gRPC and native messaging (issue 16, finding 13)', () => {
  let t: Transports;
  let grpcServer: GrpcServerHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await openTestDb();
    cleanup = opened.cleanup;
    t = await startTransports(opened.db);
    grpcServer = await startGrpcServer(opened.db, { host: '127.0.0.1', port: 0 });
    await opened.db.createChat({ title: 'filtered' });
  });
  afterAll(async () => {
    await grpcServer.close();
    await t.close();
    await cleanup();
  });

  it('a malformed protobuf message is INVALID_ARGUMENT, not INTERNAL', async () => {
    const client = new grpc.Client(grpcServer.address, grpc.credentials.createInsecure());
    try {
      for (const bytes of [Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0x0a, 0x7f, 0x01])]) {
        const err = await new Promise<grpc.ServiceError>((resolve) =>
          client.makeUnaryRequest(
            '/tabagent.v1.Database/GetNode',
            (b: Buffer) => b,
            (b: Buffer) => b,
            bytes,
            (e) => resolve(e!),
          ),
        );
        expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(err.metadata.get('tabagent-error-code')[0]).toBe('INVALID_ARGUMENT');
      }
    } finally {
      client.close();
    }
  });

  it('a __proto__ filter key is refused, not dropped (which returned unfiltered results)', async () => {
    // Encoded by hand: a JS protobuf client drops the key itself before sending it.
    const queryWith = (filterKey: string): Buffer =>
      field(1, structOf([['types', listValue([stringValue('Chat')])], ['filters', structValue([[filterKey, structValue([['eq', stringValue('nope')]])]])]]));
    const refused = await rawCall(grpcServer.address, 'Query', queryWith('__proto__'));
    expect(refused.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    // The same query on a real field runs (and finds nothing).
    expect((await rawCall(grpcServer.address, 'Query', queryWith('title'))).err).toBeNull();
  });

  it('nesting over the limit is INVALID_ARGUMENT over gRPC, native messaging and MCP', async () => {
    // A struct 2,000 levels deep (JS clients refuse to encode more than 100 message levels).
    let value = stringValue('x');
    for (let i = 0; i < 2_000; i++) value = structValue([['a', value]]);
    const newNode = field(1, Buffer.concat([field(1, text('Chat')), field(2, structOf([['title', stringValue('x')], ['metadata', value]]))]));
    const deep = await rawCall(grpcServer.address, 'InsertNodes', newNode);
    expect(deep.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await t.native('nodes.insert', { nodes: [{ type: 'Chat', title: 'x', metadata: JSON.parse(nested(300)) }] })).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(await t.mcp('remember', { content: 'x', metadata: JSON.parse(nested(100)) })).toMatchObject({ ok: false });
    expect(await t.native('nodes.insert', { nodes: [{ type: 'Message', id: 'chat_x1', chatId: 'chat_a', sender: 'a', role: 'user', content: 'x' }] })).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(await t.grpc('CreateChat', { title: 'still fine' })).toMatchObject({ ok: true });
  });
});
