import { z } from 'zod';
import { ChangeEventSchema, ErrorCodes } from '@tabagent/common';
import type { Api, RouteContext } from '../route-context.js';
import { named } from '../schemas/api-registry.js';
import { errorResponses, listOf } from '../schemas/common-schemas.js';

const ModuleErrorSchema = z.strictObject({ code: z.enum(ErrorCodes), message: z.string(), at: z.number() });

const ModuleStatsSchema = z.strictObject({
  enabled: z.boolean(),
  processed: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  running: z.number().int(),
  retried: z.number().int(),
  breaker: z.enum(['closed', 'open']),
  notes: z.record(z.string(), z.number()),
  priority: z.string(),
  batchSize: z.number().int(),
  lastError: ModuleErrorSchema.optional(),
});

const WeaverStatusSchema = named(
  'WeaverStatus',
  z.strictObject({
    enabled: z.boolean().describe('False when the database runs without background enrichment (the other fields are then absent).'),
    status: z.enum(['opening', 'open', 'closing', 'closed']).optional(),
    importMode: z.boolean().optional(),
    cursor: z.number().int().optional().describe('Every change up to this sequence number is enriched.'),
    headSeq: z.number().int().optional(),
    lag: z.number().int().optional().describe('Changes committed but not enriched yet.'),
    inFlightChanges: z.number().int().optional(),
    queueDepth: z.number().int().optional(),
    deadLetters: z.number().int().optional(),
    lastEventAt: z.number().optional(),
    lastEnrichedAt: z.number().optional(),
    backfilling: z.boolean().optional(),
    modules: z.record(z.string(), ModuleStatsSchema).optional(),
    lastError: ModuleErrorSchema.optional(),
  }),
  'The Knowledge Weaver’s progress: lag behind the change log, queues, per-module counts, dead letters.',
);

const DeadLetterSchema = named(
  'DeadLetter',
  z.strictObject({
    id: z.string().describe('`module:action:target`.'),
    module: z.string(),
    action: z.string(),
    target: z.string().describe('The node or chat the work was about.'),
    change: ChangeEventSchema,
    error: z.strictObject({ code: z.enum(ErrorCodes), message: z.string() }),
    attempts: z.number().int(),
    firstFailedAt: z.number(),
    lastFailedAt: z.number(),
  }),
  'Work that failed every retry.',
);

/** An optional body: a request without one (Fastify's `null`) means all dead letters. */
const IdsBodySchema = z.preprocess(
  (body) => body ?? undefined,
  z.strictObject({ ids: z.array(z.string().min(1).max(1_000)).min(1).max(10_000).optional().describe('Dead-letter ids (default: all).') }).optional(),
);

/** Weaver status and its dead letters. */
export function registerWeaverRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['weaver'];

  api.get('/weaver', {
    schema: { tags, summary: 'Weaver status', response: { 200: WeaverStatusSchema, ...errorResponses } },
    handler: async () => {
      const stats = db.weaverStatus();
      return stats === undefined ? { enabled: false } : { enabled: true, ...stats };
    },
  });

  api.get('/weaver/dead-letters', {
    schema: {
      tags,
      summary: 'List dead letters',
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(10_000).optional().describe('At most this many (default: all).') }),
      response: { 200: listOf(DeadLetterSchema), ...errorResponses },
    },
    handler: async (request) => {
      const { limit } = request.query;
      return { items: await db.deadLetters(limit === undefined ? {} : { limit }) };
    },
  });

  api.post('/weaver/dead-letters/retry', {
    schema: {
      tags,
      summary: 'Retry dead letters',
      description: 'Queues the work again; success removes a dead letter, another failure updates it.',
      body: IdsBodySchema,
      response: { 200: z.strictObject({ queued: z.number().int().nonnegative() }), ...errorResponses },
    },
    handler: async (request) => ({ queued: await db.retryDeadLetters(request.body?.ids) }),
  });

  api.post('/weaver/dead-letters/purge', {
    schema: {
      tags,
      summary: 'Delete dead letters',
      body: IdsBodySchema,
      response: { 200: z.strictObject({ purged: z.number().int().nonnegative() }), ...errorResponses },
    },
    handler: async (request) => ({ purged: await db.purgeDeadLetters(request.body?.ids) }),
  });
}
