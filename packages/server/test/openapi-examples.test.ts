import { describe, expect, it } from 'vitest';
import { EXTRA_REQUEST_EXAMPLES } from '../src/http/openapi-examples.js';
import { REST_OPERATIONS } from '../src/http/rest-operations.js';
import { OPERATIONS } from '../src/operations/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ModelCache } from '@tabagent/model-cache';
// The model cache's own Hub-compatible test server (this machine cannot reach the Hub).
import { FakeHub } from '../../model-cache/test/fixtures/fake-hub.js';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';

/** A fresh server (weaver on, as `tabagent serve` starts) whose model cache downloads from a local Hub serving the catalog's embedding model. */
const suite = {} as { h: HttpHarness; doc: any };
let hub: FakeHub;
let models: ModelCache;
let cacheDir: string;
beforeAll(async () => {
  hub = new FakeHub();
  await hub.start();
  await hub.addRepo('sentence-transformers/all-MiniLM-L6-v2', { 'config.json': Buffer.from('{"hidden_size": 384}') });
  cacheDir = await mkdtemp(join(tmpdir(), 'tabagent-examples-models-'));
  models = new ModelCache({ cacheDir, endpoint: hub.endpoint, env: {}, retries: 0 });
  suite.h = await startHarness({ weaver: true, server: { models } });
  suite.doc = (await suite.h.request('GET', '/v1/openapi.json')).body;
});
afterAll(async () => {
  await suite.h.stop();
  await models.close();
  await hub.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** The request the document's examples make for one route, exactly as Swagger UI would send it. */
function exampleRequest(method: string, path: string): { url: string; body?: unknown; raw?: string; headers?: Record<string, string> } {
  const item = suite.doc.paths[path][method];
  let url = path;
  const query = new URLSearchParams();
  for (const parameter of item.parameters ?? []) {
    if (parameter.in === 'path') {
      expect(parameter.example, `${method} ${path}: example of ${parameter.name}`).toBeDefined();
      url = url.replace(`{${parameter.name}}`, encodeURIComponent(parameter.example));
    } else if (parameter.in === 'query' && parameter.example !== undefined) {
      query.set(parameter.name, String(parameter.example));
    }
  }
  const search = query.toString();
  const target = search === '' ? url : `${url}?${search}`;
  const content = Object.entries(item.requestBody?.content ?? {}) as [string, { example?: unknown }][];
  const [type, media] = content[0] ?? [];
  if (media === undefined) return { url: target };
  expect(media.example, `${method} ${path}: request example`).toBeDefined();
  if (type === 'application/json') return { url: target, body: media.example };
  return { url: target, raw: String(media.example), headers: { 'content-type': type! } };
}

/** A schema with its `$ref`s to components resolved, one level at a time. */
function resolve(schema: any): any {
  return schema?.$ref === undefined ? schema : resolve(suite.doc.components.schemas[schema.$ref.slice('#/components/schemas/'.length)]);
}

describe('OpenAPI examples', () => {
  it('every operation’s example, sent as is in catalogue order to a fresh database, succeeds', async () => {
    const sent: string[] = [];
    for (const op of OPERATIONS) {
      for (const binding of REST_OPERATIONS.filter((b) => b.operation === op.name)) {
        const { url, body } = exampleRequest(binding.method, binding.path);
        const res = await suite.h.request(binding.method.toUpperCase(), url, body === undefined ? {} : { body });
        expect(res.status, `${binding.method} ${binding.path} (${op.name}) → ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${binding.method} ${binding.path} (${op.name}) → ${JSON.stringify(res.body)}`).toBeLessThan(300);
        sent.push(op.name);
      }
    }
    // Every operation with a REST route was tried.
    expect(new Set(sent)).toEqual(new Set(REST_OPERATIONS.map((b) => b.operation)));
  });

  it('the other write routes’ examples succeed too', async () => {
    for (const key of Object.keys(EXTRA_REQUEST_EXAMPLES)) {
      const [method, path] = key.split(' ') as [string, string];
      const { url, ...request } = exampleRequest(method, path);
      const res = await suite.h.request(method.toUpperCase(), url, request);
      expect(res.status, `${key} → ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${key} → ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
  });

  it('the example search finds what the examples wrote', async () => {
    const { body } = exampleRequest('post', '/v1/search');
    const res = await suite.h.request('POST', '/v1/search', { body });
    expect(res.body.hits.length).toBeGreaterThan(0);
  });

  it('request schemas show no server-set fields, and every route documents its errors', () => {
    for (const [path, method] of [
      ['/v1/chats', 'post'],
      ['/v1/chats/{id}/messages', 'post'],
    ] as const) {
      const schema = resolve(suite.doc.paths[path][method].requestBody.content['application/json'].schema);
      for (const field of ['id', 'createdAt', 'updatedAt', 'embeddingId', 'type', 'chatId']) expect(Object.keys(schema.properties), `${method} ${path}`).not.toContain(field);
    }
    for (const binding of REST_OPERATIONS) {
      const responses = suite.doc.paths[binding.path][binding.method].responses;
      expect(Object.keys(responses), `${binding.method} ${binding.path}`).toEqual(expect.arrayContaining(['4XX', '5XX']));
    }
  });
});
