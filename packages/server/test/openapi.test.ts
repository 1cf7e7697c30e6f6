import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { useOpenApiHarness } from './fixtures/http-server.js';

const suite = useOpenApiHarness();

/** Every `$ref` anywhere in a value. */
function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') out.add(child);
      else refsIn(child, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema and every reference resolves', async () => {
    expect(suite.doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(suite.doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    for (const ref of refsIn(suite.doc)) {
      expect(ref).toMatch(/^#\/components\/schemas\//u);
      expect(suite.doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    expect(() => validator.resolveRefs()).not.toThrow();
    // The validator is not vacuous: a broken document fails.
    const broken = await new Validator().validate({ openapi: '3.1.0', info: { title: 'x' }, paths: { '/x': { get: { responses: 'none' } } } });
    expect(broken.valid).toBe(false);
  });

  it('has component schemas that compile as JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    for (const [name, schema] of Object.entries(suite.doc.components.schemas)) ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    const message = ajv.compile({ $ref: '#/components/schemas/Message' });
    expect(message({ type: 'Message', id: 'msg_1', createdAt: 1, updatedAt: 1, metadata: {}, chatId: 'chat_1', sender: 'a', role: 'user', content: 'hi', timestamp: 1, tags: [] })).toBe(true);
    expect(message({ type: 'Message', id: 'msg_1', role: 'robot' })).toBe(false);
    for (const name of Object.keys(suite.doc.components.schemas)) expect(() => ajv.getSchema(`#/components/schemas/${name}`), name).not.toThrow();
  });

  it('documents every route the server serves, with its schemas', async () => {
    const expected: [string, string][] = [
      ['get', '/v1/health'],
      ['post', '/v1/nodes'],
      ['post', '/v1/nodes/batch'],
      ['post', '/v1/nodes/lookup'],
      ['get', '/v1/nodes/{id}'],
      ['patch', '/v1/nodes/{id}'],
      ['delete', '/v1/nodes/{id}'],
      ['get', '/v1/nodes/{id}/edges'],
      ['get', '/v1/nodes/{id}/embedding'],
      ['get', '/v1/nodes/{id}/entities'],
      ['post', '/v1/edges'],
      ['get', '/v1/edges/{id}'],
      ['delete', '/v1/edges/{id}'],
      ['post', '/v1/chats'],
      ['get', '/v1/chats'],
      ['get', '/v1/chats/{id}'],
      ['post', '/v1/chats/{id}/messages'],
      ['get', '/v1/chats/{id}/messages'],
      ['get', '/v1/chats/{id}/summaries'],
      ['get', '/v1/chats/{id}/related'],
      ['get', '/v1/chats/{id}/digest'],
      ['post', '/v1/search'],
      ['post', '/v1/query'],
      ['post', '/v1/paths'],
      ['get', '/v1/entities/{id}/mentions'],
      ['get', '/v1/entities/mentions'],
      ['get', '/v1/weaver'],
      ['get', '/v1/weaver/dead-letters'],
      ['post', '/v1/weaver/dead-letters/retry'],
      ['post', '/v1/weaver/dead-letters/purge'],
      ['get', '/v1/activity'],
      ['put', '/v1/activity'],
      ['get', '/v1/models'],
      ['post', '/v1/models/pull'],
      ['delete', '/v1/models/{*}'],
      ['get', '/v1/hardware'],
      ['post', '/v1/backup'],
      ['get', '/v1/export'],
      ['post', '/v1/export'],
      ['post', '/v1/import'],
      ['post', '/v1/import/upload'],
      ['post', '/v1/verify'],
      ['post', '/v1/reindex'],
      ['get', '/v1/stats'],
      ['post', '/v1/embeddings'],
      ['get', '/v1/ws'],
    ];
    const documented = Object.entries(suite.doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual(expected.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path] of expected) {
      const op = suite.doc.paths[path][method];
      expect(op.summary, `${method} ${path}`).toBeTruthy();
      expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
    }

    // The schemas come from the common zod schemas: the twelve node kinds, strict.
    const node = suite.doc.components.schemas.Node;
    expect(node.oneOf).toHaveLength(12);
    expect(suite.doc.components.schemas.Message.additionalProperties).toBe(false);
    expect(suite.doc.components.schemas.Message.properties.role.enum).toEqual(['user', 'assistant', 'system', 'tool']);
    const post = suite.doc.paths['/v1/chats/{id}/messages'].post;
    expect(post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/NewMessageInput');
    expect(post.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/Message');
    expect(post.responses['4XX'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    const listParams = suite.doc.paths['/v1/chats'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(listParams).toEqual(['query:limit', 'query:offset']);
    expect(suite.doc.components.schemas.ConvergedQueryInput.properties.filters).toBeDefined();
  });

  it('serves interactive docs', async () => {
    const page = await suite.h.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/u);
    expect(String(page.body)).toContain('swagger-ui');
    const json = await suite.h.request('GET', '/docs/json');
    expect(json.body.openapi).toBe('3.1.0');
  });
});
