import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClassicLevel } from 'classic-level';
import { STORE_OF_TYPE } from '@tabagent/storage';
import { silentWeaverLogger, type WeaverModule } from '@tabagent/weaver';
import { startHttpServer } from '../src/index.js';
import { expectError, startHarness, type HttpHarness } from './fixtures/http-server.js';
import { openTestDb } from './fixtures/test-db.js';

describe('health, activity, hardware, stats (weaver off)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('reports every component', async () => {
    const res = await h.request('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      components: {
        database: { status: 'open' },
        storage: { status: 'open' },
        ml: { ok: true, provider: 'builtin' },
        weaver: { enabled: false },
        websocket: { clients: 0, dropped: 0 },
      },
    });
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/u);
  });

  it('reads and sets the activity level', async () => {
    expect((await h.request('PUT', '/v1/activity', { body: { level: 'high' } })).body).toEqual({ level: 'high' });
    expect((await h.request('GET', '/v1/activity')).body).toEqual({ level: 'high' });
    expect(h.db.activityLevel).toBe('high');
    await h.request('PUT', '/v1/activity', { body: { level: 'sleep' } });
    expect(h.db.stats().scheduler.activityLevel).toBe('sleep');
    expectError(await h.request('PUT', '/v1/activity', { body: { level: 'frantic' } }), 400, 'INVALID_ARGUMENT', 'level');
    expectError(await h.request('PUT', '/v1/activity', { body: {} }), 400, 'INVALID_ARGUMENT', 'level');
  });

  it('describes the hardware', async () => {
    const res = await h.request('GET', '/v1/hardware');
    expect(res.status).toBe(200);
    expect(res.body.cpu).toBeDefined();
    expect(res.body.recommendation.executionProviders).toContain('cpu');
    expect(res.body.platform).toBe(process.platform);
    expectError(await h.request('GET', '/v1/hardware?refresh=maybe'), 400, 'INVALID_ARGUMENT', 'refresh');
  });

  it('gives the full stats, and the weaver as disabled', async () => {
    const stats = await h.request('GET', '/v1/stats');
    expect(stats.body).toMatchObject({ status: 'open', location: h.dir, ml: { provider: 'builtin' } });
    expect((await h.request('GET', '/v1/weaver')).body).toEqual({ enabled: false });
    expectError(await h.request('GET', '/v1/weaver/dead-letters'), 501, 'UNSUPPORTED');
    expectError(await h.request('POST', '/v1/weaver/dead-letters/retry'), 501, 'UNSUPPORTED');
  });

  it('answers unknown routes with a 404 JSON body', async () => {
    expectError(await h.request('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
    expectError(await h.request('PUT', '/v1/nodes'), 404, 'NOT_FOUND');
    expectError(await h.request('GET', '/v2/health'), 404, 'NOT_FOUND');
  });

  it('turns an internal failure into a 500 that reveals nothing', async () => {
    // Corrupt a record on disk while the database is closed, through LevelDB itself, then serve it again.
    const { db, dir, cleanup } = await openTestDb();
    const node = await db.insertNode({ type: 'Bookmark', url: 'https://x.y', title: 'soon broken' });
    await db.close();
    const level = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    // 0xc1 is never used by MessagePack: the stored record cannot be decoded.
    await level.sublevel<string, Uint8Array>(STORE_OF_TYPE.Bookmark, { keyEncoding: 'utf8', valueEncoding: 'view' }).put(node.id, new Uint8Array([0xc1, 0xc1]));
    await level.close();
    const reopened = await openTestDb({ dir });
    const server = await startHttpServer(reopened.db, { port: 0, validateResponses: true });
    try {
      const res = await fetch(`${server.url}/v1/nodes/${node.id}`);
      const body = (await res.json()) as { error: { code: string; message: string; requestId?: string } };
      expect(res.status).toBe(500);
      expect(body.error.code).toBe('CORRUPTED');
      expect(body.error.message).toMatch(/^internal error \(request .+\)$/u);
      expect(body.error.requestId).toBeTruthy();
      expect(JSON.stringify(body)).not.toMatch(/decoded|msgpack|\.ts:|at /iu);
    } finally {
      await server.close();
      await reopened.cleanup();
      await cleanup();
    }
  });
});

describe('a database closed under the server', () => {
  it('answers 503: health unavailable, every other route NOT_OPEN', async () => {
    const h = await startHarness();
    try {
      const chat = (await h.request('POST', '/v1/chats', { body: { title: 'soon closed' } })).body;
      await h.db.close();
      const health = await h.request('GET', '/v1/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', components: { database: { status: 'closed' }, ml: { ok: false } } });
      expectError(await h.request('GET', `/v1/chats/${chat.id}`), 503, 'NOT_OPEN');
      expectError(await h.request('POST', '/v1/search', { body: { text: 'x' } }), 503, 'NOT_OPEN');
      expectError(await h.request('PUT', '/v1/activity', { body: { level: 'low' } }), 503, 'NOT_OPEN');
    } finally {
      await h.stop();
    }
  });
});

describe('OpenAI-compatible embeddings', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.stop());

  it('embeds one text or many, as floats or base64, like OpenAI', async () => {
    const model = h.db.inference.info().embedding.model;
    const [expected] = await h.db.inference.embed(['the cat sat on the mat']);
    const one = await h.request('POST', '/v1/embeddings', { body: { input: 'the cat sat on the mat' } });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ object: 'list', model, usage: { prompt_tokens: 6, total_tokens: 6 } });
    expect(one.body.data).toHaveLength(1);
    expect(one.body.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(one.body.data[0].embedding).toHaveLength(expected!.length);
    one.body.data[0].embedding.forEach((v: number, i: number) => expect(v).toBeCloseTo(expected![i]!, 6));

    const many = await h.request('POST', '/v1/embeddings', { body: { input: ['a b', 'c'], model, encoding_format: 'base64' } });
    expect(many.body.data.map((d: { index: number }) => d.index)).toEqual([0, 1]);
    const bytes = Buffer.from(many.body.data[0].embedding, 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const [ab] = await h.db.inference.embed(['a b']);
    expect(Array.from(decoded)).toEqual(Array.from(ab!));
    expect(many.body.usage.prompt_tokens).toBe(3);
    const short = model.slice(model.lastIndexOf('/') + 1);
    expect((await h.request('POST', '/v1/embeddings', { body: { input: 'x', model: short, dimensions: expected!.length } })).status).toBe(200);
  });

  it('rejects what OpenAI would reject, and models it does not serve', async () => {
    expectError(await h.request('POST', '/v1/embeddings', { body: {} }), 400, 'INVALID_ARGUMENT', 'input');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: '' } }), 400, 'INVALID_ARGUMENT', 'input');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: [] } }), 400, 'INVALID_ARGUMENT', 'input');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: [[1, 2, 3]] } }), 400, 'INVALID_ARGUMENT', 'input');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: 'x', encoding_format: 'int8' } }), 400, 'INVALID_ARGUMENT', 'encoding_format');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: 'x', dimensions: 3 } }), 400, 'INVALID_ARGUMENT', 'dimensions');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: 'x', model: 'text-embedding-3-small' } }), 404, 'NOT_FOUND', 'model');
    expectError(await h.request('POST', '/v1/embeddings', { body: { input: Array.from({ length: 2049 }, () => 'x') } }), 400, 'INVALID_ARGUMENT', 'input');
  });
});

describe('backup, export, import, verify, reindex', () => {
  let h: HttpHarness;
  let work: string;
  beforeAll(async () => {
    h = await startHarness();
    work = await mkdtemp(join(tmpdir(), 'tabagent-http-maint-'));
  });
  afterAll(async () => {
    await h.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('backs up, exports (streamed and to a file of the exports directory) and imports into another database', async () => {
    const chat = (await h.request('POST', '/v1/chats', { body: { title: 'to export' } })).body;
    await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 'a', role: 'user', content: 'hello export' } });
    const exportsDir = `${h.dir}-exports`;

    const backup = await h.request('POST', '/v1/backup', { body: { name: 'nightly' } });
    expect(backup.status).toBe(201);
    expect(backup.body).toMatchObject({ name: 'nightly', format: 'tabagent-backup', version: 1, lastSeq: h.db.lastSeq });
    expect(await readdir(join(exportsDir, 'nightly'))).toContain('tabagent-backup.json');
    expectError(await h.request('POST', '/v1/backup', { body: { name: 'nightly' } }), 409, 'CONFLICT', 'name');
    const unnamed = await h.request('POST', '/v1/backup', { body: {} });
    expect(unnamed.status).toBe(201);
    expect(unnamed.body.name).toMatch(/^backup-\d{4}-/u);

    const streamed = await h.request('GET', '/v1/export');
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/^application\/x-ndjson/u);
    const lines = String(streamed.body).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ kind: 'header', format: 'tabagent-jsonl' });
    expect(lines.filter((l) => l.kind === 'node').map((l) => l.record.type).sort()).toEqual(['Chat', 'Message']);

    const exported = await h.request('POST', '/v1/export', { body: { name: 'export.jsonl' } });
    expect(exported.body).toMatchObject({ name: 'export.jsonl', records: 2 });
    const file = join(exportsDir, 'export.jsonl');
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
    expect(exported.body.bytes).toBe((await readFile(file)).length);

    const other = await startHarness({ server: { exportsDir } });
    try {
      const imported = await other.request('POST', '/v1/import', { body: { name: 'export.jsonl' } });
      expect(imported.status).toBe(200);
      expect(imported.body).toEqual({ nodes: 2, edges: 0, embeddings: 0 });
      expect((await other.db.chat(chat.id)).title).toBe('to export');
      expectError(await other.request('POST', '/v1/import', { body: { name: 'export.jsonl' } }), 409, 'CONFLICT');
      expect((await other.request('POST', '/v1/import', { body: { name: 'export.jsonl', ifExists: 'ignore' } })).status).toBe(200);
      // The same export, uploaded as the body.
      const uploaded = await other.request('POST', '/v1/import/upload?ifExists=replace', { raw: String(streamed.body), headers: { 'content-type': 'application/x-ndjson' } });
      expect(uploaded.status).toBe(200);
      expect(uploaded.body).toEqual({ nodes: 2, edges: 0, embeddings: 0 });
    } finally {
      await other.stop();
    }
  });

  it('rejects unusable names without crashing', async () => {
    const exportsDir = `${h.dir}-exports`;
    await mkdir(exportsDir, { recursive: true });
    await writeFile(join(exportsDir, 'broken.jsonl'), '{"kind":"header","format":"tabagent-jsonl","version":1,"exportedAt":0,"lastSeq":0}\nnot json\n');
    expectError(await h.request('POST', '/v1/export', { body: { name: '../x.jsonl' } }), 400, 'INVALID_ARGUMENT', 'name');
    expectError(await h.request('POST', '/v1/import', { body: { name: 'missing.jsonl' } }), 404, 'NOT_FOUND', 'name');
    expectError(await h.request('POST', '/v1/import', { body: { name: 'broken.jsonl' } }), 400, 'INVALID_ARGUMENT', 'line.2');
    expectError(await h.request('POST', '/v1/import', { body: { name: 'broken.jsonl', ifExists: 'merge' } }), 400, 'INVALID_ARGUMENT', 'ifExists');
    expect((await h.request('GET', '/v1/health')).body.status).toBe('ok');
  });

  it('verifies and rebuilds the indexes', async () => {
    const verify = await h.request('POST', '/v1/verify');
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.indexes.length).toBeGreaterThan(0);
    expect(verify.body.vectors.index).toBe('vector');
    const reindex = await h.request('POST', '/v1/reindex');
    expect(reindex.status).toBe(200);
    expect(Object.keys(reindex.body.written)).toContain('vector');
  });
});

describe('weaver status and dead letters (weaver on)', () => {
  let h: HttpHarness;
  const alwaysFails: WeaverModule = {
    name: 'always-fails',
    settings: { enabled: true, priority: 'normal', batchSize: 8, flushMs: 5, concurrency: 1, retries: 0, timeoutMs: 5_000 },
    route: (change) => (change.entity === 'node' && change.kind === 'Message' && change.op === 'insert' ? { action: 'explode', target: change.id } : undefined),
    process: async () => {
      throw new Error('this module always fails');
    },
  };
  beforeAll(async () => {
    h = await startHarness({
      db: { weaver: { customModules: [alwaysFails], logger: silentWeaverLogger } },
    });
  });
  afterAll(async () => h.stop());

  it('shows progress, lists dead letters, retries and purges them', async () => {
    const chat = (await h.request('POST', '/v1/chats', { body: { title: 'weaver' } })).body;
    const message = (await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 'a', role: 'user', content: 'Alice met Bob in Paris' } })).body;
    await h.db.whenEnriched({ timeoutMs: 30_000 });

    const status = await h.request('GET', '/v1/weaver');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ enabled: true, status: 'open', lag: 0, deadLetters: 1 });
    expect(status.body.modules['semantic-indexer'].processed).toBeGreaterThan(0);
    expect(status.body.modules['always-fails'].failed).toBe(1);
    expect((await h.request('GET', '/v1/health')).body.components.weaver).toEqual({ enabled: true, lag: 0, deadLetters: 1 });

    const letters = await h.request('GET', '/v1/weaver/dead-letters');
    expect(letters.body.items).toEqual([expect.objectContaining({ module: 'always-fails', action: 'explode', target: message.id })]);
    const id = letters.body.items[0].id;
    expect((await h.request('GET', '/v1/weaver/dead-letters?limit=1')).body.items).toHaveLength(1);

    const retried = await h.request('POST', '/v1/weaver/dead-letters/retry', { body: { ids: [id] } });
    expect(retried.body).toEqual({ queued: 1 });
    await h.db.whenEnriched({ timeoutMs: 30_000 });
    const again = (await h.request('GET', '/v1/weaver/dead-letters')).body.items;
    expect(again).toHaveLength(1);
    expect(again[0].attempts).toBeGreaterThan(letters.body.items[0].attempts);

    expect((await h.request('POST', '/v1/weaver/dead-letters/purge', { body: { ids: ['nope:nope:nope'] } })).body).toEqual({ purged: 0 });
    expect((await h.request('POST', '/v1/weaver/dead-letters/purge')).body).toEqual({ purged: 1 });
    expect((await h.request('GET', '/v1/weaver/dead-letters')).body.items).toEqual([]);
    expectError(await h.request('GET', '/v1/weaver/dead-letters?limit=-1'), 400, 'INVALID_ARGUMENT', 'limit');
    expectError(await h.request('POST', '/v1/weaver/dead-letters/retry', { body: { ids: 'all' } }), 400, 'INVALID_ARGUMENT', 'ids');
  });
});
