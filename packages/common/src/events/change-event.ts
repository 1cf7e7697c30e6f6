import { z } from 'zod';

/** What a change did. */
export const changeOpSchema = z.enum(['insert', 'update', 'delete']);
export type ChangeOp = z.infer<typeof changeOpSchema>;

/** Which kind of record changed. */
export const changeEntitySchema = z.enum(['node', 'edge', 'embedding']);
export type ChangeEntity = z.infer<typeof changeEntitySchema>;

/**
 * One entry of the durable change log. Small on purpose: consumers read the current
 * record by id; deletes carry what cleanup needs (kind, chat, endpoints, node).
 */
export const ChangeEventSchema = z.object({
  /** Monotonically increasing, gap-free sequence number (starts at 1). */
  seq: z.number().int().positive(),
  op: changeOpSchema,
  entity: changeEntitySchema,
  id: z.string(),
  /** Node type, edge type, or embedding model. */
  kind: z.string(),
  /** Commit time (ms since epoch). */
  at: z.number(),
  /** Chat the node belongs to, when it has one. */
  chatId: z.string().optional(),
  /** Edge endpoints. */
  from: z.string().optional(),
  to: z.string().optional(),
  /** The node an embedding belongs to. */
  nodeId: z.string().optional(),
  /** Updated fields (for `update`). */
  fields: z.array(z.string()).optional(),
});

export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
