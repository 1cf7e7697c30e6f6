import { z } from 'zod';
import { ChatSchema, edgeTypeSchema, EdgeSchema, idSchema, MessageSchema, NODE_TYPES } from '@tabagent/common';
import { ACTIVITY_LEVELS } from '@tabagent/task-scheduler';

/**
 * Parameter schemas shared by the transports, built from the common schemas. Bounds
 * the engine checks itself (its configured `maxLimit`, `maxDepth`) are only typed here.
 */
export const pageLimit = z.number().int().min(1);
export const pageOffset = z.number().int().min(0);
export const nodeTypes = z.array(z.enum(NODE_TYPES)).min(1).max(NODE_TYPES.length);
/** A node to create: its kind's own schema checks it in storage (NODE_SCHEMAS). */
export const newNodeParams = z.looseObject({ type: z.enum(NODE_TYPES) });
export const nodePatchParams = z.record(z.string(), z.unknown());
export const newEdgeParams = EdgeSchema.partial({ id: true, createdAt: true, metadata: true });

/** A chat to create: only what a client sets (the id and timestamps are the server's). */
export const createChatParams = ChatSchema.pick({ title: true, topic: true, tags: true, archived: true, metadata: true });

/**
 * A message to append: the fields every transport accepts (REST's `NewMessage`, gRPC's
 * `AddMessageRequest`, MCP's `remember`, the facade's `AddMessageInput`); the id, the
 * chat (from the path or `chatId`) and the timestamps are the server's. `role` defaults
 * to `user` and `sender` to the role, so the seed's `{ "content": … }` is a whole message.
 */
export const newMessageParams = MessageSchema.pick({
  sender: true,
  role: true,
  content: true,
  timestamp: true,
  replyToId: true,
  attachmentIds: true,
  tags: true,
  metadata: true,
}).partial({ timestamp: true, sender: true, role: true });

export const addMessageParams = z.strictObject({ chatId: idSchema, ...newMessageParams.shape });

const searchText = z.string().trim().min(1, 'must not be empty').max(100_000);

/**
 * A search: `text` (or its alias `query`, as MCP's `recall` and older clients send it)
 * with the optional filters and paging. Exactly one of the two is given.
 */
export const searchParams = z
  .strictObject({
    text: searchText.optional().describe('What to look for; embedded with the active ML provider.'),
    query: searchText.optional().describe('Alias of `text`.'),
    types: nodeTypes.optional().describe('Node kinds to search (default: all).'),
    chatId: idSchema.optional().describe('Only nodes of this chat.'),
    limit: pageLimit.optional().describe('Page size (default 10).'),
    offset: pageOffset.optional(),
    mode: z.enum(['hybrid', 'semantic', 'keyword']).optional().describe('`hybrid` (default): keyword and meaning fused.'),
    threshold: z.number().min(-1).max(1).optional().describe('Minimum cosine similarity of the semantic ranking.'),
    explain: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.text === undefined && p.query === undefined) ctx.addIssue({ code: 'custom', path: ['text'], message: 'required (or its alias query)' });
    else if (p.text !== undefined && p.query !== undefined) ctx.addIssue({ code: 'custom', path: ['query'], message: 'give text or its alias query, not both' });
  });

export const shortestPathParams = z.strictObject({
  from: idSchema,
  to: idSchema,
  edgeTypes: z.array(edgeTypeSchema).min(1).max(100).optional(),
  maxDepth: z.number().int().min(1).optional(),
  direction: z.enum(['out', 'in', 'both']).optional(),
  /** Nodes the search may visit before giving up (the engine bounds it). */
  maxVisited: z.number().int().min(1).optional(),
});

export const entityRefParams = z.union([idSchema, z.strictObject({ entityType: z.string().min(1).max(64), label: z.string().min(1).max(1_000) })], {
  error: 'expected an entity id or { entityType, label }',
});

export const activityLevelParams = z.enum(ACTIVITY_LEVELS);

/** Which events a subscriber wants (every part given must match). */
export const eventFilterParams = z.strictObject({
  kinds: z.array(z.enum(['change', 'enriched'])).min(1).optional(),
  chatId: idSchema.optional(),
  nodeKinds: z.array(z.string().min(1).max(64)).min(1).optional(),
});

