import type { OperationName } from '../operations/index.js';

/**
 * A REST route as an adapter of a catalogue operation: which operation it runs and
 * where the operation's input travels in the request.
 */
export interface RestBinding {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** The OpenAPI path, `{name}` for path parameters. */
  path: string;
  operation: OperationName;
  /** Path parameter → the operation's input field it carries. */
  pathParams?: Record<string, string>;
  /**
   * Where the rest of the input goes: the JSON `body`, the `query` string, or
   * `{ body: field }` when one input field is the whole body (PATCH's `patch`).
   */
  input: 'body' | 'query' | 'none' | { body: string };
}

/** Every REST route that is an operation of the catalogue (the others serve files, models, health). */
export const REST_OPERATIONS: readonly RestBinding[] = [
  { method: 'post', path: '/v1/nodes/batch', operation: 'nodes.insert', input: 'body' },
  { method: 'get', path: '/v1/nodes/{id}', operation: 'nodes.get', pathParams: { id: 'id' }, input: 'none' },
  { method: 'post', path: '/v1/nodes/lookup', operation: 'nodes.getMany', input: 'body' },
  { method: 'patch', path: '/v1/nodes/{id}', operation: 'nodes.update', pathParams: { id: 'id' }, input: { body: 'patch' } },
  { method: 'delete', path: '/v1/nodes/{id}', operation: 'nodes.delete', pathParams: { id: 'id' }, input: 'none' },
  { method: 'post', path: '/v1/edges', operation: 'edges.insert', input: { body: 'edge' } },
  { method: 'get', path: '/v1/edges/{id}', operation: 'edges.get', pathParams: { id: 'id' }, input: 'none' },
  { method: 'get', path: '/v1/nodes/{id}/edges', operation: 'edges.ofNode', pathParams: { id: 'nodeId' }, input: 'query' },
  { method: 'delete', path: '/v1/edges/{id}', operation: 'edges.delete', pathParams: { id: 'id' }, input: 'none' },
  { method: 'post', path: '/v1/chats', operation: 'chats.create', input: 'body' },
  { method: 'get', path: '/v1/chats/{id}', operation: 'chats.get', pathParams: { id: 'id' }, input: 'none' },
  { method: 'get', path: '/v1/chats', operation: 'chats.list', input: 'query' },
  { method: 'post', path: '/v1/chats/{id}/messages', operation: 'chats.addMessage', pathParams: { id: 'chatId' }, input: 'body' },
  { method: 'get', path: '/v1/chats/{id}/messages', operation: 'chats.messages', pathParams: { id: 'chatId' }, input: 'query' },
  { method: 'get', path: '/v1/chats/{id}/related', operation: 'chats.related', pathParams: { id: 'chatId' }, input: 'query' },
  { method: 'get', path: '/v1/chats/{id}/digest', operation: 'chats.digest', pathParams: { id: 'chatId' }, input: 'none' },
  { method: 'post', path: '/v1/search', operation: 'search', input: 'body' },
  { method: 'post', path: '/v1/query', operation: 'query', input: { body: 'query' } },
  { method: 'post', path: '/v1/paths', operation: 'paths.shortest', input: 'body' },
  { method: 'get', path: '/v1/nodes/{id}/entities', operation: 'entities.mentionedIn', pathParams: { id: 'nodeId' }, input: 'none' },
  { method: 'get', path: '/v1/entities/{id}/mentions', operation: 'entities.nodesMentioning', pathParams: { id: 'entity' }, input: 'query' },
  { method: 'get', path: '/v1/weaver', operation: 'weaver.status', input: 'none' },
  { method: 'put', path: '/v1/activity', operation: 'activity.set', input: 'body' },
  { method: 'get', path: '/v1/stats', operation: 'stats', input: 'none' },
];

/** An operation's input as a REST request of `binding`: the path with its parameters filled, the query string, the body. */
export function restRequestOf(binding: RestBinding, input: Record<string, unknown>): { method: string; path: string; query: Record<string, string>; body?: unknown } {
  const rest: Record<string, unknown> = { ...input };
  let path = binding.path;
  for (const [param, field] of Object.entries(binding.pathParams ?? {})) {
    path = path.replace(`{${param}}`, encodeURIComponent(String(rest[field])));
    delete rest[field];
  }
  const query: Record<string, string> = {};
  let body: unknown;
  if (binding.input === 'body') body = rest;
  else if (binding.input === 'query') for (const [key, value] of Object.entries(rest)) query[key] = Array.isArray(value) ? value.join(',') : String(value);
  else if (typeof binding.input === 'object') body = rest[binding.input.body];
  return body === undefined ? { method: binding.method.toUpperCase(), path, query } : { method: binding.method.toUpperCase(), path, query, body };
}
