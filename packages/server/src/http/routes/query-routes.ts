import type { FastifySchemaCompiler } from 'fastify';
import { DbError } from '@tabagent/common';
import { withFields } from '@tabagent/common/runtime';
import type { ConvergedQuery } from '@tabagent/query';
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
      description: 'Keyword (BM25) and meaning (the active ML provider embeds `text`) fused by reciprocal rank fusion.',
      body: SearchRequestSchema,
      response: { 200: QueryResultSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { text, ...options } = request.body;
      return db.search(text, withFields(options, { signal: clientAbortSignal(reply) }));
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
    handler: async (request, reply) => {
      const { from, to, ...options } = request.body;
      const [a, b] = await db.getNodes([from, to]);
      if (a === undefined) throw new DbError('NOT_FOUND', `from: no node ${from}`, { details: { field: 'from', id: from } });
      if (b === undefined) throw new DbError('NOT_FOUND', `to: no node ${to}`, { details: { field: 'to', id: to } });
      const path = await db.findShortestPath(from, to, withFields(options, { signal: clientAbortSignal(reply) }));
      return { path: path ?? null };
    },
  });
}
