import { operation } from '../operations/index.js';
import { REST_OPERATIONS, restRequestOf } from './rest-operations.js';

type OpenApiOperation = {
  parameters?: { in: string; name: string; example?: unknown }[];
  requestBody?: { content?: Record<string, { example?: unknown }> };
};

/**
 * Request examples of the write routes that are not catalogue operations, chosen to
 * succeed on a fresh database (the backup directory and export file are on the server).
 */
export const EXTRA_REQUEST_EXAMPLES: Record<string, unknown> = {
  'post /v1/nodes': { type: 'Bookmark', url: 'https://example.org', title: 'Example' },
  'post /v1/embeddings': { input: 'Shall we visit Paris in May?' },
};

/**
 * Sets every catalogue route's request example (body, path and query parameters) to its
 * operation's example, so the defaults Swagger UI offers are requests that succeed, in
 * catalogue order, on a fresh database.
 */
export function withOperationExamples<D extends object>(document: D): D {
  const paths = (document as { paths?: Record<string, Record<string, OpenApiOperation>> }).paths ?? {};
  const apply = (item: OpenApiOperation | undefined, request: { path: string; query: Record<string, string>; body?: unknown }, pathValues: Record<string, string>): void => {
    if (item === undefined) return;
    for (const parameter of item.parameters ?? []) {
      if (parameter.in === 'path' && pathValues[parameter.name] !== undefined) parameter.example = pathValues[parameter.name];
      if (parameter.in === 'query' && request.query[parameter.name] !== undefined) parameter.example = request.query[parameter.name];
    }
    const json = item.requestBody?.content?.['application/json'];
    if (json !== undefined && request.body !== undefined) json.example = request.body;
  };
  for (const binding of REST_OPERATIONS) {
    const example = operation(binding.operation).example as Record<string, unknown>;
    const pathValues = Object.fromEntries(Object.entries(binding.pathParams ?? {}).map(([param, field]) => [param, String(example[field])]));
    apply(paths[binding.path]?.[binding.method], restRequestOf(binding, example), pathValues);
  }
  for (const [key, body] of Object.entries(EXTRA_REQUEST_EXAMPLES)) {
    const [method, path] = key.split(' ') as [string, string];
    apply(paths[path]?.[method], { path, query: {}, body }, {});
  }
  return document;
}
