import { z } from 'zod';
import { idSchema, metadataSchema, timestampSchema } from './fields.js';

/** Edge types the system itself writes. Other UPPER_SNAKE_CASE types are allowed too. */
export const EdgeTypes = {
  MENTIONS: 'MENTIONS',
  IS_SEMANTICALLY_SIMILAR_TO: 'IS_SEMANTICALLY_SIMILAR_TO',
  SUMMARIZES: 'SUMMARIZES',
  PART_OF: 'PART_OF',
  REPLIES_TO: 'REPLIES_TO',
  HAS_ATTACHMENT: 'HAS_ATTACHMENT',
  RELATED_TO: 'RELATED_TO',
  DERIVED_FROM: 'DERIVED_FROM',
} as const;

export const edgeTypeSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Z][A-Z0-9_]*$/u, 'must be UPPER_SNAKE_CASE');

export const EdgeSchema = z.strictObject({
  id: idSchema,
  from: idSchema,
  to: idSchema,
  type: edgeTypeSchema,
  createdAt: timestampSchema,
  /** Optional strength of the relation (similarity score, confidence). */
  weight: z.number().finite().optional(),
  metadata: metadataSchema.default({}),
});

export type Edge = z.infer<typeof EdgeSchema>;

/** Input for creating an edge: id, createdAt and metadata may be left out. */
export type NewEdge = Omit<Edge, 'id' | 'createdAt' | 'metadata'> &
  Partial<Pick<Edge, 'id' | 'createdAt' | 'metadata'>>;
