import { z } from 'zod';

/** Longest id accepted anywhere. */
export const MAX_ID_LENGTH = 256;

/** A record id: non-empty, no control characters (ids are used inside index keys). */
export const idSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(/^[^\u0000-\u001f\u007f]+$/u, 'must not contain control characters');

/** Milliseconds since the Unix epoch. */
export const timestampSchema = z.number().int().nonnegative();

/** Free-form, JSON-like metadata attached to any record. */
export const metadataSchema = z.record(z.string(), z.unknown());

/** A short label, tag or name. */
export const labelSchema = z.string().min(1).max(1_000);

/** Role of a message's author. */
export const messageRoleSchema = z.enum(['user', 'assistant', 'system', 'tool']);
export type MessageRole = z.infer<typeof messageRoleSchema>;

/** Fields every node has. */
export const nodeBaseShape = {
  id: idSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  embeddingId: idSchema.optional(),
  metadata: metadataSchema.default({}),
};
