import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { REST_OPERATIONS } from '../src/http/rest-operations.js';
import { operation } from '../src/operations/index.js';
import { useOpenApiHarness } from './fixtures/http-server.js';

const suite = useOpenApiHarness();

const resolve = (schema: any): any => (schema?.$ref === undefined ? schema : resolve(suite.doc.components.schemas[schema.$ref.slice('#/components/schemas/'.length)]));

/** The input fields of an operation, as its schema declares them. */
function operationFields(name: string): string[] {
  const schema = z.toJSONSchema(operation(name).params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  return Object.keys(schema.properties ?? {}).sort();
}

describe('REST routes are checked against the catalogue', () => {
  it('every bound route takes exactly its operation’s fields (path parameters, body or query string)', () => {
    const mismatches: string[] = [];
    for (const binding of REST_OPERATIONS) {
      const item = suite.doc.paths[binding.path]?.[binding.method];
      expect(item, `${binding.method} ${binding.path} is served`).toBeDefined();
      const fromPath = Object.values(binding.pathParams ?? {});
      const query = (item.parameters ?? []).filter((p: { in: string }) => p.in === 'query').map((p: { name: string }) => p.name);
      const body = item.requestBody === undefined ? [] : Object.keys(resolve(item.requestBody.content['application/json'].schema).properties ?? {});
      let fields: string[];
      if (binding.input === 'body') fields = [...query, ...body];
      else if (typeof binding.input === 'object') fields = [...query, binding.input.body];
      else fields = [...query, ...body];
      const rest = [...fromPath, ...fields].sort().join(', ');
      const op = operationFields(binding.operation).join(', ');
      if (rest !== op) mismatches.push(`${binding.method} ${binding.path} [${rest}] ↔ ${binding.operation} [${op}]`);
    }
    expect(mismatches).toEqual([]);
  });
});
