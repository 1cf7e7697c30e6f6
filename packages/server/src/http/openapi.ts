import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { SERVER_VERSION } from '../version.js';
import { withOperationExamples } from './openapi-examples.js';
import type { ResolvedHttpServerOptions } from './options.js';
import { apiSchemas } from './schemas/api-registry.js';
import { EVENTS_PATH, eventsPathItem } from './websocket/event-routes.js';

export const OPENAPI_PATH = '/v1/openapi.json';
export const DOCS_PATH = '/docs';

const DESCRIPTION = `TabAgent DB: an embedded multi-model database for personal AI assistants — a knowledge
graph of chats, messages and everything around them, searched by structure, graph, keyword
and meaning, and enriched in the background by the Knowledge Weaver.

Every error is \`{ "error": { "code", "message", "field"? } }\`; clients branch on \`code\`
(\`INVALID_ARGUMENT\` 400, \`UNAUTHENTICATED\` 401, \`NOT_FOUND\` 404, \`CONFLICT\` 409, \`TOO_LARGE\` 413,
\`NOT_OPEN\`/\`UNAVAILABLE\` 503, \`TIMEOUT\` 504, …).`;

const TAGS = [
  { name: 'nodes', description: 'Create, read, update and delete nodes of all twelve kinds.' },
  { name: 'edges', description: 'Typed, directed relations between nodes.' },
  { name: 'chats', description: 'Chats and their messages, summaries, related chats and digest.' },
  { name: 'search', description: 'Hybrid search, converged queries and paths.' },
  { name: 'entities', description: 'People, places and things the weaver found, and who mentions them.' },
  { name: 'weaver', description: 'The background enrichment engine.' },
  { name: 'activity', description: 'How active the user is (background work steps aside).' },
  { name: 'models', description: 'The model cache.' },
  { name: 'openai', description: 'OpenAI-compatible endpoints.' },
  { name: 'events', description: 'Live change and enrichment events over WebSocket.' },
  { name: 'maintenance', description: 'Backup, export/import, verify, reindex.' },
  { name: 'system', description: 'Health, stats and hardware.' },
];

const componentsOf = createJsonSchemaTransformObject({ schemaRegistry: apiSchemas });

function withPath<D extends object>(document: D, path: string, item: object): D {
  const { paths } = document as { paths?: Record<string, unknown> };
  return { ...document, paths: { ...paths, [path]: item } };
}

/**
 * Every registered schema is generated in an input and an output variant; the
 * document keeps only those some route refers to (directly or through another schema).
 */
function withoutUnusedSchemas<D extends object>(document: D): D {
  const { paths, components } = document as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = components?.schemas;
  if (schemas === undefined) return document;
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
          const name = child.slice('#/components/schemas/'.length);
          if (!used.has(name)) {
            used.add(name);
            visit(schemas[name]);
          }
        } else {
          visit(child);
        }
      }
    }
  };
  visit(paths);
  return { ...document, components: { ...components, schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))) } };
}

/**
 * The OpenAPI 3.1 document (derived from the routes' zod schemas, so it cannot drift
 * from what the server validates) at `/v1/openapi.json`, and interactive docs at `/docs`.
 */
export async function registerOpenApi(app: FastifyInstance, options: ResolvedHttpServerOptions): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'TabAgent DB', version: SERVER_VERSION, description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
      tags: TAGS,
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The token the server was started with.' } } },
      ...(options.token === undefined ? {} : { security: [{ bearerAuth: [] }] }),
    },
    transform: createJsonSchemaTransform({ schemaRegistry: apiSchemas, skipList: [OPENAPI_PATH, DOCS_PATH, `${DOCS_PATH}/*`] }),
    transformObject: (document) => withOperationExamples(withoutUnusedSchemas(withPath(componentsOf(document), EVENTS_PATH, eventsPathItem))),
  });
  if (options.docs) {
    await app.register(fastifySwaggerUi, { routePrefix: DOCS_PATH, uiConfig: { deepLinking: true, tryItOutEnabled: true } });
  }
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
