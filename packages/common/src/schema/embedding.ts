import { z } from 'zod';
import { idSchema, timestampSchema } from './fields.js';

/** Largest embedding dimensionality accepted. */
export const MAX_EMBEDDING_DIMS = 8_192;

export const EmbeddingSchema = z
  .strictObject({
    id: idSchema,
    nodeId: idSchema,
    /** Model id; together with `dims` it names the embedding space. */
    model: z.string().min(1).max(500),
    dims: z.number().int().positive().max(MAX_EMBEDDING_DIMS),
    vector: z.instanceof(Float32Array),
    /** Hash of the text that was embedded, to skip re-embedding unchanged text. */
    contentHash: z.string().max(200).default(''),
    createdAt: timestampSchema,
  })
  .superRefine((embedding, ctx) => {
    const { vector, dims } = embedding;
    if (vector.length !== dims) {
      ctx.addIssue({
        code: 'custom',
        path: ['vector'],
        message: `has ${vector.length} components, expected dims = ${dims}`,
      });
      return;
    }
    let norm = 0;
    for (let i = 0; i < vector.length; i++) {
      const value = vector[i]!;
      if (!Number.isFinite(value)) {
        ctx.addIssue({ code: 'custom', path: ['vector', i], message: 'must be a finite number' });
        return;
      }
      norm += value * value;
    }
    if (norm === 0) ctx.addIssue({ code: 'custom', path: ['vector'], message: 'must not be the zero vector' });
  });

export type Embedding = z.infer<typeof EmbeddingSchema>;

/** Input for storing an embedding: id, dims, createdAt and contentHash may be left out. */
export type NewEmbedding = Omit<Embedding, 'id' | 'dims' | 'createdAt' | 'contentHash'> &
  Partial<Pick<Embedding, 'id' | 'dims' | 'createdAt' | 'contentHash'>>;

/** The name of an embedding space: vectors are comparable only within one. */
export function embeddingSpace(model: string, dims: number): string {
  return `${model}@${dims}`;
}
