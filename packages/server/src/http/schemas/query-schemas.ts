import { z } from 'zod';
import { NODE_TYPES, edgeTypeSchema, idSchema } from '@tabagent/common';
import { DEFAULT_LIMITS, convergedQuerySchema } from '@tabagent/query';
import { searchParams } from '../../operations/index.js';
import { named } from './api-registry.js';
import { NodeSchema } from './node-schemas.js';

/**
 * The converged query, as documented (at the default limits). The query engine itself
 * validates each request with the limits it was opened with.
 */
export const ConvergedQuerySchema = named(
  'ConvergedQuery',
  convergedQuerySchema(DEFAULT_LIMITS),
  'One query over structure, graph and meaning: filters → graph reachability → keyword and/or semantic ranking.',
);

const ScoresSchema = z.strictObject({
  semantic: z.number().optional().describe('Cosine similarity to the query vector.'),
  keyword: z.number().optional().describe('BM25 score of the keyword query.'),
  fused: z.number().optional().describe('Reciprocal rank fusion of the two (hybrid).'),
});

const ExplainSchema = z.strictObject({
  plan: z.array(z.string()),
  driver: z.string(),
  ranking: z.enum(['none', 'keyword', 'exact', 'hnsw', 'hybrid']),
  vectorMode: z.enum(['exact', 'hnsw']).optional(),
  estimates: z.array(z.strictObject({ constraint: z.string(), count: z.number(), exact: z.boolean() })),
  stages: z.array(
    z.strictObject({ name: z.string(), detail: z.string(), input: z.number().optional(), output: z.number().optional(), ms: z.number() }),
  ),
  totalMs: z.number(),
});

export const QueryResultSchema = named(
  'QueryResult',
  z.strictObject({
    hits: z.array(
      z.strictObject({
        node: NodeSchema,
        scores: ScoresSchema,
        graphDepth: z.number().int().optional().describe('Hops from the graph filter’s start.'),
        why: z
          .strictObject({
            terms: z.array(z.string()).optional(),
            ranks: z.strictObject({ keyword: z.number().int().optional(), semantic: z.number().int().optional() }).optional(),
            participant: z.string().optional(),
            dates: z.strictObject({ from: z.string(), to: z.string() }).optional(),
            entities: z.array(z.string()).optional(),
            neighbours: z.array(z.string()).optional(),
          })
          .optional()
          .describe('Why the hit matched (with `explain`): query terms it contains, its rank in each list, the participant, dates, entities and neighbouring turn behind it.'),
      }),
    ),
    total: z.number().int().nonnegative().optional().describe('Matches before paging, when known exactly.'),
    explain: ExplainSchema.optional(),
  }),
  'Ranked hits, each with its scores, and the plan when `explain` was asked for.',
);

/** The catalogue's `search` input: `text`, or its alias `query`. */
export const SearchRequestSchema = named('SearchRequest', searchParams);

const PathEdgeSchema = z.strictObject({ id: idSchema, type: z.string(), from: idSchema, to: idSchema, weight: z.number().optional() });

export const PathRequestSchema = named(
  'PathRequest',
  z.strictObject({
    from: idSchema,
    to: idSchema,
    edgeTypes: z.array(edgeTypeSchema).min(1).max(100).optional().describe('Follow only these edge types (default: all).'),
    direction: z.enum(['out', 'in', 'both']).optional().describe('`out` (default): along edges from `from`; `in`: against them; `both`.'),
    maxDepth: z.number().int().min(1).max(DEFAULT_LIMITS.maxDepth).optional().describe('Longest path accepted, in edges (default 6).'),
    maxVisited: z.number().int().min(1).max(DEFAULT_LIMITS.maxVisited).optional(),
  }),
);

export const PathResponseSchema = z.strictObject({
  path: z
    .strictObject({
      nodes: z.array(idSchema).describe('Node ids from `from` to `to`.'),
      edges: z.array(PathEdgeSchema).describe('`edges[i]` joins `nodes[i]` and `nodes[i + 1]`, in its real direction.'),
      length: z.number().int().nonnegative(),
    })
    .nullable()
    .describe('The shortest path, or null when none exists within `maxDepth`.'),
});
