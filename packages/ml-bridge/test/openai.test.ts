import { DbError } from '@tabagent/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMlBridge, OpenAiMlBridge } from '../src/index.js';
import { describeMlBridgeConformance } from './conformance.js';
import { sendJson, startOpenAiServer, trigramEmbedding, type OpenAiTestServer } from './fixtures/openai-server.js';

const conformanceServer = startOpenAiServer();
describeMlBridgeConformance('openai (local OpenAI-compatible server)', {
  create: async () => new OpenAiMlBridge({ baseUrl: (await conformanceServer).baseUrl, embeddingModel: 'test-embed', chatModel: 'test-chat' }),
  teardown: async () => (await conformanceServer).close(),
});

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (DbError.is(e) ? e.code : `not a DbError: ${String(e)}`),
  );

describe('openai provider', () => {
  let server: OpenAiTestServer;
  const make = (extra: Partial<ConstructorParameters<typeof OpenAiMlBridge>[0]> = {}): OpenAiMlBridge =>
    new OpenAiMlBridge({ baseUrl: server.baseUrl, embeddingModel: 'test-embed', chatModel: 'test-chat', retryDelayMs: 1, ...extra });

  beforeAll(async () => {
    server = await startOpenAiServer();
  });
  afterEach(() => {
    server.behaviours.length = 0;
    server.requests.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  it('embeds through /v1/embeddings in index order, normalised, with the key and batch size', async () => {
    const ml = make({ apiKey: 'sk-test', maxBatchSize: 2 });
    expect(ml.info().embedding.dimensions).toBeUndefined();
    const texts = ['alpha', 'beta', 'gamma'];
    const vectors = await ml.embed(texts);
    expect(server.requests.map((r) => (r.body?.input as string[]).length)).toEqual([2, 1]);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(server.requests[0]?.body).toMatchObject({ model: 'test-embed', encoding_format: 'float' });
    texts.forEach((t, i) => {
      const raw = trigramEmbedding(t);
      const norm = Math.hypot(...raw);
      raw.forEach((x, d) => expect(vectors[i]?.[d]).toBeCloseTo(x / norm, 6));
    });
    expect(ml.info().embedding.dimensions).toBe(24);
  });

  it('sends dimensions when configured and leaves vectors alone when normalize is false', async () => {
    const ml = make({ dimensions: 24, normalize: false });
    const [v] = await ml.embed(['alpha']);
    expect(server.requests[0]?.body?.dimensions).toBe(24);
    expect(Array.from(v ?? [])).toEqual(trigramEmbedding('alpha'));
  });

  it('extracts entities with a strict JSON schema and finds their offsets in the text', async () => {
    const ml = make();
    const text = 'Grace Hopper met Alan Turing. Grace Hopper left.';
    const [entities] = await ml.extractEntities([text]);
    const format = server.requests[0]?.body?.response_format as { type: string; json_schema: { strict: boolean; schema: object } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    expect(entities?.map((e) => [e.text, e.label, e.start, e.end])).toEqual([
      ['Grace Hopper', 'PERSON', 0, 12],
      ['Alan Turing', 'PERSON', 17, 28],
      ['Grace Hopper', 'PERSON', 30, 42],
    ]);
    // "Atlantis" was returned by the model but is not in the text: dropped.
    expect(entities?.some((e) => e.text === 'Atlantis')).toBe(false);
  });

  it('can ask for json_object instead of json_schema', async () => {
    const ml = make({ jsonSchema: false });
    await ml.extractEntities(['Hello Paris']);
    expect(server.requests[0]?.body?.response_format).toEqual({ type: 'json_object' });
  });

  it('writes abstractive summaries with the chat model, clipped to maxLength', async () => {
    const ml = make();
    const summary = await ml.summarize(['We met. We planned the trip to Rome. We booked it.'], { maxLength: 30 });
    expect(summary.length).toBeLessThanOrEqual(30);
    expect(summary.startsWith('Summary:')).toBe(true);
    expect(server.requests[0]?.body?.model).toBe('test-chat');
    expect(ml.info().summarizer.kind).toBe('abstractive');
  });

  it('reports malformed JSON bodies and malformed answers as CORRUPTED', async () => {
    const ml = make({ maxRetries: 0 });
    server.behaviours.push((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data": [ {"embedding": [0.1, ');
      return true;
    });
    expect(await codeOf(ml.embed(['x']))).toBe('CORRUPTED');
    server.behaviours.length = 0;

    server.behaviours.push((req, res) => {
      if (req.path !== '/v1/chat/completions') return false;
      sendJson(res, 200, { choices: [{ message: { role: 'assistant', content: 'Sure! Here are the entities: Paris' } }] });
      return true;
    });
    expect(await codeOf(ml.extractEntities(['Paris']))).toBe('CORRUPTED');
    server.behaviours.length = 0;

    server.behaviours.push((_req, res) => {
      sendJson(res, 200, { data: [{ index: 0, embedding: ['a', 'b'] }] });
      return true;
    });
    expect(await codeOf(ml.embed(['x']))).toBe('CORRUPTED');
    server.behaviours.length = 0;

    server.behaviours.push((_req, res) => {
      sendJson(res, 200, { data: [] });
      return true;
    });
    expect(await codeOf(ml.embed(['x']))).toBe('CORRUPTED');
    server.behaviours.length = 0;

    server.behaviours.push((_req, res) => {
      sendJson(res, 200, { choices: [] });
      return true;
    });
    expect(await codeOf(ml.summarize(['x y z.']))).toBe('CORRUPTED');
  });

  it('accepts entity JSON wrapped in a code fence', async () => {
    const ml = make();
    server.behaviours.push((req, res) => {
      if (req.path !== '/v1/chat/completions') return false;
      const content = '```json\n{"entities":[{"text":"Paris","label":"GPE","confidence":0.7}]}\n```';
      sendJson(res, 200, { choices: [{ message: { content } }] });
      return true;
    });
    const [entities] = await ml.extractEntities(['I love Paris.']);
    expect(entities).toEqual([{ text: 'Paris', label: 'LOCATION', start: 7, end: 12, score: 0.7 }]);
  });

  it('times out with TIMEOUT after its retries', async () => {
    const ml = make({ timeoutMs: 100, maxRetries: 1 });
    server.behaviours.push((_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) sendJson(res, 200, { data: [] });
      }, 2_000).unref();
      return true;
    });
    expect(await codeOf(ml.embed(['slow']))).toBe('TIMEOUT');
    expect(server.requests.length).toBe(2);
  });

  it('retries 503 and 429 (honouring Retry-After) and then succeeds', async () => {
    const ml = make({ maxRetries: 3 });
    server.behaviours.push((_req, res, count) => {
      if (count === 1) {
        sendJson(res, 503, { error: { message: 'warming up' } });
        return true;
      }
      if (count === 2) {
        sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '0' });
        return true;
      }
      return false;
    });
    const vectors = await ml.embed(['retry me']);
    expect(vectors).toHaveLength(1);
    expect(server.requests.length).toBe(3);
  });

  it('gives up on persistent 5xx with UNAVAILABLE', async () => {
    const ml = make({ maxRetries: 2 });
    server.behaviours.push((_req, res) => {
      sendJson(res, 500, { error: { message: 'boom' } });
      return true;
    });
    expect(await codeOf(ml.embed(['x']))).toBe('UNAVAILABLE');
    expect(server.requests.length).toBe(3);
  });

  it('does not retry 401 (UNAUTHENTICATED), 404 (NOT_FOUND) or 400 (INVALID_ARGUMENT)', async () => {
    const ml = make({ maxRetries: 3 });
    for (const [status, code] of [
      [401, 'UNAUTHENTICATED'],
      [404, 'NOT_FOUND'],
      [400, 'INVALID_ARGUMENT'],
    ] as const) {
      server.requests.length = 0;
      server.behaviours.length = 0;
      server.behaviours.push((_req, res) => {
        sendJson(res, status, { error: { message: 'no' } });
        return true;
      });
      expect(await codeOf(ml.embed(['x']))).toBe(code);
      expect(server.requests.length).toBe(1);
    }
  });

  it('reports a server that is not there as UNAVAILABLE, and unhealthy', async () => {
    const ml = new OpenAiMlBridge({ baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 1, retryDelayMs: 1, timeoutMs: 2_000 });
    expect(await codeOf(ml.embed(['x']))).toBe('UNAVAILABLE');
    const health = await ml.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toBeTruthy();
  });

  it('aborts an in-flight request with ABORTED', async () => {
    const ml = make();
    server.behaviours.push((_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) sendJson(res, 200, { data: [] });
      }, 2_000).unref();
      return true;
    });
    const controller = new AbortController();
    const call = ml.embed(['x'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await codeOf(call)).toBe('ABORTED');
  });

  it('checks health with GET /v1/models', async () => {
    const ml = make();
    expect(await ml.health()).toMatchObject({ ok: true, provider: 'openai', status: 'open' });
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('validates its options', async () => {
    expect(await codeOf(createMlBridge({ provider: 'openai', baseUrl: 'ftp://x' }))).toBe('INVALID_ARGUMENT');
    expect(() => make({ timeoutMs: 0 })).toThrow(DbError);
    expect(() => make({ maxRetries: -1 })).toThrow(DbError);
  });
});
