import { z } from 'zod';
import { DbError, EntitySchema, NODE_TYPES, entityId, idSchema } from '@tabagent/common';
import type { NodesMentioningOptions } from '@tabagent/query';
import type { TabAgent } from 'tabagent';
import type { Api, RouteContext } from '../route-context.js';
import { queryList, errorResponses, listOf, pageOf, pagingQuery } from '../schemas/common-schemas.js';
import { IdParamsSchema, NodeSchema } from '../schemas/node-schemas.js';

const EntityMentionSchema = z.strictObject({
  entity: EntitySchema,
  mentions: z.number().int().positive().describe('MENTIONS edges from the node to the entity.'),
  weight: z.number().optional().describe('Highest confidence of those edges.'),
  edgeIds: z.array(idSchema),
});

const mentioningQuery = {
  ...pagingQuery,
  types: queryList(z.enum(NODE_TYPES)).optional().describe('Only nodes of these kinds, comma-separated (e.g. `Message,Summary`).'),
};

/** Entities a node mentions, and the nodes mentioning an entity. */
export function registerEntityRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['entities'];

  api.get('/nodes/:id/entities', {
    schema: {
      tags,
      summary: 'Entities a node mentions',
      description: 'Most confident first.',
      params: IdParamsSchema,
      response: { 200: listOf(EntityMentionSchema), ...errorResponses },
    },
    handler: async (request) => {
      await db.getNode(request.params.id);
      return { items: await db.entitiesMentionedIn(request.params.id) };
    },
  });

  api.get('/entities/:id/mentions', {
    schema: {
      tags,
      summary: 'Nodes mentioning an entity',
      description: 'Newest first, paged.',
      params: IdParamsSchema,
      querystring: z.strictObject(mentioningQuery),
      response: { 200: pageOf(NodeSchema), ...errorResponses },
    },
    handler: async (request) => mentioning(db, request.params.id, 'id', request.query),
  });

  api.get('/entities/mentions', {
    schema: {
      tags,
      summary: 'Nodes mentioning an entity, by type and label',
      description: 'The same as `/entities/{id}/mentions` with the entity’s deterministic id, e.g. `?entityType=LOCATION&label=Paris`.',
      querystring: z.strictObject({
        entityType: z.string().trim().min(1).max(64).describe('PERSON, ORG, LOCATION, … (any case).'),
        label: EntitySchema.shape.label.describe('The entity’s name; case and spacing do not matter.'),
        ...mentioningQuery,
      }),
      response: { 200: pageOf(NodeSchema), ...errorResponses },
    },
    handler: async (request) => {
      const { entityType, label, ...options } = request.query;
      return mentioning(db, entityId(entityType, label), 'label', options);
    },
  });
}

async function mentioning(db: TabAgent, id: string, field: string, options: NodesMentioningOptions) {
  const [entity] = await db.getNodes([id]);
  if (entity?.type !== 'Entity') throw new DbError('NOT_FOUND', `no entity ${id}`, { details: { field, id } });
  return db.nodesMentioning(id, options);
}
