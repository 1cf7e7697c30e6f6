import { z } from 'zod';
import { DbError, edgeTypeSchema, idSchema, type Edge, type NewNode } from '@tabagent/common';
import { operation, requireIdPrefixes } from '../../operations/index.js';
import { clientAbortSignal } from '../client-abort.js';
import { rebaseField } from '../errors/rebase-field.js';
import type { Api, RouteContext } from '../route-context.js';
import { NoContent, errorResponses, listOf } from '../schemas/common-schemas.js';
import { EdgeOutputSchema, EmbeddingOutputSchema, IdParamsSchema, NewNodeSchema, NodePatchSchema, NodeSchema } from '../schemas/node-schemas.js';

const MAX_BATCH = 1_000;

/** Node CRUD for all twelve kinds, one at a time or in atomic batches. */
export function registerNodeRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['nodes'];

  api.post('/nodes', {
    schema: {
      tags,
      summary: 'Create a node',
      description: 'Creates a node of any kind. The id, timestamps and defaults are generated when left out.',
      body: NewNodeSchema,
      response: { 201: NodeSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      requireIdPrefixes([request.body], '');
      return reply.code(201).send(await db.insertNode(request.body as NewNode));
    },
  });

  api.post('/nodes/batch', {
    schema: {
      tags,
      summary: 'Create nodes in one atomic batch',
      description: `Creates up to ${MAX_BATCH} nodes: all of them or, on any error, none.`,
      body: z.strictObject({ nodes: z.array(NewNodeSchema).min(1).max(MAX_BATCH) }),
      response: { 201: listOf(NodeSchema), ...errorResponses },
    },
    handler: async (request, reply) => {
      requireIdPrefixes(request.body.nodes, 'nodes');
      return reply.code(201).send({ items: await db.insertNodes(request.body.nodes as NewNode[]) });
    },
  });

  api.post('/nodes/lookup', {
    schema: {
      tags,
      summary: 'Get nodes by id',
      description: 'Reads up to 1,000 nodes at once; `items[i]` is the node with `ids[i]`, or null when there is none.',
      body: z.strictObject({ ids: z.array(idSchema).min(1).max(MAX_BATCH) }),
      response: { 200: listOf(NodeSchema.nullable()), ...errorResponses },
    },
    handler: async (request) => ({ items: (await db.getNodes(request.body.ids)).map((node) => node ?? null) }),
  });

  api.get('/nodes/:id', {
    schema: {
      tags,
      summary: 'Get a node',
      params: IdParamsSchema,
      response: { 200: NodeSchema, ...errorResponses },
    },
    handler: async (request) => db.getNode(request.params.id),
  });

  api.patch('/nodes/:id', {
    schema: {
      tags,
      summary: 'Change fields of a node',
      description: 'A partial update checked against the node’s kind; `null` removes an optional field.',
      params: IdParamsSchema,
      body: NodePatchSchema,
      response: { 200: NodeSchema, ...errorResponses },
    },
    handler: async (request) => db.updateNode(request.params.id, request.body).catch(rebaseField(/^patch/u)),
  });

  api.delete('/nodes/:id', {
    schema: {
      tags,
      summary: 'Delete a node',
      description: 'Deletes the node with its edges and embeddings.',
      params: IdParamsSchema,
      response: { 204: NoContent, ...errorResponses },
    },
    handler: async (request, reply) => {
      await db.deleteNode(request.params.id);
      return reply.code(204).send();
    },
  });

  api.get('/nodes/:id/edges', {
    schema: {
      tags: ['nodes', 'edges'],
      summary: 'Edges of a node',
      params: IdParamsSchema,
      querystring: z.strictObject({
        direction: z.enum(['out', 'in', 'both']).default('both').describe('`out`: from this node; `in`: to it; `both` (default).'),
        type: edgeTypeSchema.optional().describe('Only edges of this type.'),
      }),
      response: { 200: listOf(EdgeOutputSchema), ...errorResponses },
    },
    // The catalogue's `edges.ofNode`: the same filters and the same NOT_FOUND over every transport.
    handler: async (request, reply) => ({
      items: (await operation('edges.ofNode').run(db, { nodeId: request.params.id, ...request.query }, { signal: clientAbortSignal(reply) })) as Edge[],
    }),
  });

  api.get('/nodes/:id/embedding', {
    schema: {
      tags,
      summary: 'Embedding of a node',
      description: 'The node’s embedding in the active model’s space (else any space); 404 until it has one.',
      params: IdParamsSchema,
      response: { 200: EmbeddingOutputSchema, ...errorResponses },
    },
    handler: async (request) => {
      const { id } = request.params;
      await db.getNode(id);
      const embedding = await db.embeddingFor(id);
      if (embedding === undefined) throw new DbError('NOT_FOUND', `${id} has no embedding yet`, { details: { field: 'id', id } });
      return { ...embedding, vector: Array.from(embedding.vector) };
    },
  });
}
