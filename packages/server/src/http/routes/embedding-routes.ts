import { z } from 'zod';
import { DbError } from '@tabagent/common';
import { vectorToBytes } from '@tabagent/storage';
import { clientAbortSignal } from '../client-abort.js';
import type { Api, RouteContext } from '../route-context.js';
import { named } from '../schemas/api-registry.js';
import { errorResponses } from '../schemas/common-schemas.js';

/** OpenAI's own bound on inputs per request. */
const MAX_INPUTS = 2_048;
const text = z.string().min(1, 'must not be empty').max(1_000_000);

const EmbeddingsRequestSchema = named(
  'EmbeddingsRequest',
  z.strictObject({
    input: z
      .union([text, z.array(text).min(1).max(MAX_INPUTS)], { error: 'expected a string or an array of strings (token arrays are not supported)' })
      .describe('Text to embed, or up to 2,048 texts.'),
    model: z.string().min(1).max(500).optional().describe('Must name the active embedding model (its full id or its last path segment); default: the active one.'),
    encoding_format: z.enum(['float', 'base64']).optional().describe('`float` (default): arrays of numbers; `base64`: little-endian float32 bytes.'),
    dimensions: z.number().int().positive().optional().describe('Accepted only when it equals the model’s dimensions (vectors are not truncated).'),
    user: z.string().max(1_000).optional().describe('Accepted for compatibility; ignored.'),
  }),
  'OpenAI-compatible embeddings request.',
);

const EmbeddingsResponseSchema = named(
  'EmbeddingsResponse',
  z.strictObject({
    object: z.literal('list'),
    data: z.array(
      z.strictObject({
        object: z.literal('embedding'),
        index: z.number().int().nonnegative(),
        embedding: z.union([z.array(z.number()), z.string()]),
      }),
    ),
    model: z.string(),
    usage: z.strictObject({
      prompt_tokens: z.number().int().nonnegative().describe('An estimate: whitespace-separated words.'),
      total_tokens: z.number().int().nonnegative(),
    }),
  }),
  'OpenAI-compatible embeddings response.',
);

/**
 * `POST /v1/embeddings` in OpenAI's shape, served by the active ML provider, so other
 * local tools (anything that speaks the OpenAI API) can use TabAgent as their embedder.
 */
export function registerEmbeddingRoutes(api: Api, { db }: RouteContext): void {
  api.post('/embeddings', {
    schema: {
      tags: ['openai'],
      summary: 'Create embeddings (OpenAI-compatible)',
      description: 'Point an OpenAI client’s base URL at `http://127.0.0.1:7420/v1` and call `embeddings.create`.',
      body: EmbeddingsRequestSchema,
      response: { 200: EmbeddingsResponseSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { input, model, encoding_format: format = 'float', dimensions } = request.body;
      const info = db.inference.info();
      const active = info.embedding.model;
      if (model !== undefined && !namesModel(model, active)) {
        throw new DbError('NOT_FOUND', `model: ${JSON.stringify(model)} is not served here; the active embedding model is ${JSON.stringify(active)}`, {
          details: { field: 'model' },
        });
      }
      const checkDimensions = (dims: number | undefined): void => {
        if (dimensions !== undefined && dims !== undefined && dimensions !== dims) {
          throw new DbError('INVALID_ARGUMENT', `dimensions: ${active} makes ${dims}-dimensional vectors and does not shorten them`, { details: { field: 'dimensions' } });
        }
      };
      checkDimensions(info.embedding.dimensions);
      const texts = typeof input === 'string' ? [input] : input;
      const vectors = await db.inference.embed(texts, { signal: clientAbortSignal(reply) });
      checkDimensions(vectors[0]?.length);
      const tokens = texts.reduce((sum, t) => sum + wordCount(t), 0);
      return {
        object: 'list' as const,
        data: vectors.map((vector, index) => ({
          object: 'embedding' as const,
          index,
          embedding: format === 'base64' ? Buffer.from(vectorToBytes(vector)).toString('base64') : Array.from(vector),
        })),
        model: active,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  });
}

/** `sentence-transformers/all-MiniLM-L6-v2` is also named by `all-MiniLM-L6-v2`. */
function namesModel(requested: string, active: string): boolean {
  const lower = requested.toLowerCase();
  const activeLower = active.toLowerCase();
  return lower === activeLower || lower === activeLower.slice(activeLower.lastIndexOf('/') + 1);
}

function wordCount(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(/\S+/gu)) count++;
  return count;
}
