import type { NewEdge } from '@tabagent/common';
import type { Api, RouteContext } from '../route-context.js';
import { NoContent, errorResponses } from '../schemas/common-schemas.js';
import { EdgeOutputSchema, IdParamsSchema, NewEdgeSchema } from '../schemas/node-schemas.js';

/** Edge CRUD (edges have no fields to patch: delete and create instead). */
export function registerEdgeRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['edges'];

  api.post('/edges', {
    schema: {
      tags,
      summary: 'Create an edge',
      description: 'Both ends must exist. The type is UPPER_SNAKE_CASE (`MENTIONS`, `RELATED_TO`, …).',
      body: NewEdgeSchema,
      response: { 201: EdgeOutputSchema, ...errorResponses },
    },
    handler: async (request, reply) => reply.code(201).send(await db.insertEdge(request.body as NewEdge)),
  });

  api.get('/edges/:id', {
    schema: { tags, summary: 'Get an edge', params: IdParamsSchema, response: { 200: EdgeOutputSchema, ...errorResponses } },
    handler: async (request) => db.getEdge(request.params.id),
  });

  api.delete('/edges/:id', {
    schema: { tags, summary: 'Delete an edge', params: IdParamsSchema, response: { 204: NoContent, ...errorResponses } },
    handler: async (request, reply) => {
      await db.deleteEdge(request.params.id);
      return reply.code(204).send();
    },
  });
}
