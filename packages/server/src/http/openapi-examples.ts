import { operation } from '../operations/index.js';
import { REST_OPERATIONS, restRequestOf } from './rest-operations.js';

type OpenApiOperation = {
  parameters?: { in: string; name: string; example?: unknown }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object; example?: unknown }> };
};

/** An example request of a route that is not a catalogue operation. */
export interface RequestExample {
  /** The JSON body (`application/json`), or a text body of `contentType`. */
  body?: unknown;
  /** Its content type when not JSON (e.g. `application/x-ndjson`). */
  contentType?: string;
  /** Path parameters. */
  params?: Record<string, string>;
  /** Query parameters. */
  query?: Record<string, string>;
}

/** One line of a JSON Lines export, as `GET /v1/export` writes it. */
const line = (value: object): string => `${JSON.stringify(value)}\n`;

/**
 * Request examples of the routes that are not catalogue operations, chosen to succeed
 * when sent in this order (after the catalogue's) to a fresh server: the export writes
 * `example.jsonl` into the exports directory, the import reads it back. The model
 * examples pull a small file of the catalog's embedding model from the configured Hub
 * (without a reachable Hub the pull answers 503 `UNAVAILABLE`) and remove it again.
 */
export const EXTRA_REQUEST_EXAMPLES: Record<string, RequestExample> = {
  'post /v1/nodes': { body: { type: 'Bookmark', url: 'https://example.org', title: 'Example' } },
  'post /v1/embeddings': { body: { input: 'Shall we visit Paris in May?' } },
  'post /v1/export': { body: { name: 'example.jsonl' } },
  'post /v1/import': { body: { name: 'example.jsonl', ifExists: 'ignore' } },
  'post /v1/import/upload': {
    contentType: 'application/x-ndjson',
    query: { ifExists: 'ignore' },
    body:
      line({ kind: 'header', format: 'tabagent-jsonl', version: 1, exportedAt: 0, lastSeq: 0 }) +
      line({ kind: 'node', record: { type: 'Chat', id: 'chat_uploaded', title: 'Uploaded', createdAt: 0, updatedAt: 0, tags: [], archived: false, metadata: {} } }),
  },
  'post /v1/backup': { body: {} },
  'post /v1/verify': { body: {} },
  'post /v1/reindex': { body: {} },
  'post /v1/weaver/dead-letters/retry': { body: {} },
  'post /v1/weaver/dead-letters/purge': { body: {} },
  'post /v1/models/pull': { body: { model: 'all-MiniLM-L6-v2', files: ['config.json'], stream: false } },
  'delete /v1/models/{*}': { params: { '*': 'sentence-transformers/all-MiniLM-L6-v2' } },
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
  for (const [key, example] of Object.entries(EXTRA_REQUEST_EXAMPLES)) {
    const [method, path] = key.split(' ') as [string, string];
    const item = paths[path]?.[method];
    apply(item, { path, query: example.query ?? {}, ...(example.contentType === undefined ? { body: example.body } : {}) }, example.params ?? {});
    if (item !== undefined && example.contentType !== undefined) {
      item.requestBody = { required: true, content: { [example.contentType]: { schema: { type: 'string' }, example: example.body } } };
    }
  }
  return document;
}
