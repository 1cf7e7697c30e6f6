import { z } from 'zod';
import { MAX_JSON_DEPTH, jsonDepthExceeds } from './validate.js';

/** Longest id accepted anywhere. */
export const MAX_ID_LENGTH = 256;

/** A record id: non-empty, no control characters (ids are used inside index keys). */
export const idSchema = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  .regex(/^[^\u0000-\u001f\u007f]+$/u, 'must not contain control characters');

/**
 * Latest timestamp accepted: 9999-12-31T23:59:59.999Z. Every date prints as an ISO
 * string, and every record's time fits an id (a ULID carries up to 2^48 − 1 ms).
 */
export const MAX_TIMESTAMP = 253_402_300_799_999;

/** Milliseconds since the Unix epoch, up to {@link MAX_TIMESTAMP}. */
export const timestampSchema = z.number().int().nonnegative().max(MAX_TIMESTAMP, 'must be a time up to the year 9999 (milliseconds since 1970)');

/** Free-form, JSON-like metadata attached to any record, nested at most {@link MAX_JSON_DEPTH} levels. */
export const metadataSchema = z
  .record(z.string(), z.unknown())
  .refine((value) => !jsonDepthExceeds(value, MAX_JSON_DEPTH), `must not nest deeper than ${MAX_JSON_DEPTH} levels`);

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
