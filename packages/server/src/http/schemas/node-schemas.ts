import { z } from 'zod';
import {
  EdgeSchema,
  MAX_EMBEDDING_DIMS,
  NODE_SCHEMAS,
  NODE_TYPES,
  idSchema,
  metadataSchema,
  timestampSchema,
  type NodeType,
} from '@tabagent/common';
import { named } from './api-registry.js';

/** Every node kind's stored shape, as its own component. */
const nodeKinds = Object.fromEntries(NODE_TYPES.map((type) => [type, named(type, NODE_SCHEMAS[type])])) as {
  [T in NodeType]: (typeof NODE_SCHEMAS)[T];
};

/** A stored node of any kind (discriminated by `type`). */
export const NodeSchema = named(
  'Node',
  z.discriminatedUnion('type', [
    nodeKinds.Chat,
    nodeKinds.Message,
    nodeKinds.Summary,
    nodeKinds.Attachment,
    nodeKinds.Entity,
    nodeKinds.WebSearch,
    nodeKinds.ScrapedPage,
    nodeKinds.Bookmark,
    nodeKinds.ImageMetadata,
    nodeKinds.AudioTranscript,
    nodeKinds.ModelInfo,
    nodeKinds.ActionOutcome,
  ]),
  'A node of any of the twelve kinds, discriminated by `type`.',
);

/** Fields the database fills in when a new node leaves them out. */
const generated = { id: true, createdAt: true, updatedAt: true } as const;

/** A new node of each kind: like the stored node, with the generated fields optional. */
export const NEW_NODE_SCHEMAS = {
  Chat: NODE_SCHEMAS.Chat.partial(generated),
  Message: NODE_SCHEMAS.Message.partial({ ...generated, timestamp: true }),
  Summary: NODE_SCHEMAS.Summary.partial(generated),
  Attachment: NODE_SCHEMAS.Attachment.partial(generated),
  Entity: NODE_SCHEMAS.Entity.partial(generated),
  WebSearch: NODE_SCHEMAS.WebSearch.partial({ ...generated, timestamp: true }),
  ScrapedPage: NODE_SCHEMAS.ScrapedPage.partial({ ...generated, scrapedAt: true }),
  Bookmark: NODE_SCHEMAS.Bookmark.partial(generated),
  ImageMetadata: NODE_SCHEMAS.ImageMetadata.partial(generated),
  AudioTranscript: NODE_SCHEMAS.AudioTranscript.partial(generated),
  ModelInfo: NODE_SCHEMAS.ModelInfo.partial(generated),
  ActionOutcome: NODE_SCHEMAS.ActionOutcome.partial(generated),
} as const;

export const NewNodeSchema = named(
  'NewNode',
  z.discriminatedUnion('type', [
    NEW_NODE_SCHEMAS.Chat,
    NEW_NODE_SCHEMAS.Message,
    NEW_NODE_SCHEMAS.Summary,
    NEW_NODE_SCHEMAS.Attachment,
    NEW_NODE_SCHEMAS.Entity,
    NEW_NODE_SCHEMAS.WebSearch,
    NEW_NODE_SCHEMAS.ScrapedPage,
    NEW_NODE_SCHEMAS.Bookmark,
    NEW_NODE_SCHEMAS.ImageMetadata,
    NEW_NODE_SCHEMAS.AudioTranscript,
    NEW_NODE_SCHEMAS.ModelInfo,
    NEW_NODE_SCHEMAS.ActionOutcome,
  ]),
  'A node to create. `id`, `createdAt`, `updatedAt` (and `timestamp` / `scrapedAt`) are generated when left out.',
);

/**
 * A partial update: any of the node's own fields; `null` removes an optional field.
 * The fields are checked against the node's kind when it is applied.
 */
export const NodePatchSchema = named(
  'NodePatch',
  z.record(z.string(), z.unknown()),
  'Fields to change; `null` removes an optional field. `id`, `type`, `createdAt` and `updatedAt` cannot be changed.',
);

export const EdgeOutputSchema = named('Edge', EdgeSchema, 'A typed, directed edge between two nodes.');

export const NewEdgeSchema = named(
  'NewEdge',
  EdgeSchema.partial({ id: true, createdAt: true }),
  'An edge to create; `id` and `createdAt` are generated when left out.',
);

/** An embedding as JSON: the vector as an array of numbers. */
export const EmbeddingOutputSchema = named(
  'Embedding',
  z.strictObject({
    id: idSchema,
    nodeId: idSchema,
    model: z.string(),
    dims: z.number().int().positive().max(MAX_EMBEDDING_DIMS),
    vector: z.array(z.number()),
    contentHash: z.string(),
    createdAt: timestampSchema,
  }),
);

/** `{ id }` path parameters. */
export const IdParamsSchema = z.strictObject({ id: idSchema.describe('A record id, e.g. `msg_01J…`') });

export { metadataSchema };
