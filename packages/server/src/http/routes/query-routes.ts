import type { FastifySchemaCompiler } from 'fastify';
import { DbError } from '@tabagent/common';
import { withFields } from '@tabagent/common/runtime';
import type { ConvergedQuery, GraphPath } from '@tabagent/query';
import { operation } from '../../operations/index.js';
import { clientAbortSignal } from '../client-abort.js';
import type { Api, RouteContext } from '../route-context.js';
import { errorResponses } from '../schemas/common-schemas.js';
import { ConvergedQuerySchema, PathRequestSchema, PathResponseSchema, QueryResultSchema, SearchRequestSchema } from '../schemas/query-schemas.js';
import { validatorCompiler } from '../zod-compilers.js';

/** The body passes through untouched: the query engine validates it with its own limits. */
const engineValidatesBody: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as never);

/** Search, converged query and shortest paths. */
export function registerQueryRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['search'];

  api.post('/search', {
    schema: {
      tags,
      summary: 'Hybrid search',
      description: 'Keyword (BM25) and meaning (the active ML provider embeds `text`; `query` is accepted as its alias) fused by reciprocal rank fusion.',
      body: SearchRequestSchema,
      response: { 200: QueryResultSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { text, query, ...options } = request.body;
      return db.search((text ?? query)!, withFields(options, { signal: clientAbortSignal(reply) }));
    },
  });

  api.post('/query', {
    schema: {
      tags,
      summary: 'Converged query',
      description: 'Filters → graph → keyword/semantic ranking in one query; `semantic.text` is embedded by the active ML provider.',
      body: ConvergedQuerySchema,
      response: { 200: QueryResultSchema, ...errorResponses },
    },
    validatorCompiler: engineValidatesBody,
    handler: async (request, reply) => db.query(request.body as ConvergedQuery, { signal: clientAbortSignal(reply) }),
  });

  api.post('/paths', {
    schema: {
      tags: ['search', 'graph'],
      summary: 'Shortest path between two nodes',
      body: PathRequestSchema,
      response: { 200: PathResponseSchema, ...errorResponses },
    },
    // The catalogue's operation: a missing endpoint is NOT_FOUND naming `from` or `to`, as over every transport.
    handler: async (request, reply) => ({ path: (await operation('paths.shortest').run(db, request.body, { signal: clientAbortSignal(reply) })) as GraphPath | null }),
  });
}
