import { z } from 'zod';
import type { TabAgent } from 'tabagent';
import { SERVER_VERSION } from '../../version.js';
import { tokenCheck } from '../guard.js';
import type { Api, RouteContext } from '../route-context.js';
import { named } from '../schemas/api-registry.js';
import { errorResponses } from '../schemas/common-schemas.js';

/** How long the health check waits for the ML provider's own check. */
const ML_HEALTH_TIMEOUT_MS = 1_000;

const HealthSchema = named(
  'Health',
  z.strictObject({
    status: z.enum(['ok', 'degraded', 'unavailable']).describe('`ok`; `degraded`: serving, but a component reports a problem; `unavailable`: the database is not open (503).'),
    version: z.string(),
    uptimeMs: z.number().int().nonnegative().optional().describe('Left out for callers without the token when the server has one.'),
    components: z
      .strictObject({
      database: z.strictObject({ status: z.string() }),
      storage: z.strictObject({ status: z.string(), lastSeq: z.number().int().nonnegative().optional() }),
      vectors: z.strictObject({
        status: z.string(),
        readiness: z.string(),
        vectors: z.number().int().nonnegative(),
        lag: z.number().int().nonnegative(),
        error: z.string().optional(),
      }),
      scheduler: z.strictObject({ status: z.string(), activityLevel: z.string(), queued: z.number().int().nonnegative(), running: z.number().int().nonnegative() }),
      ml: z.strictObject({ ok: z.boolean(), status: z.string(), provider: z.string(), quality: z.string(), embeddingModel: z.string(), detail: z.string().optional() }),
      weaver: z.strictObject({ enabled: z.boolean(), lag: z.number().optional(), deadLetters: z.number().optional() }),
      websocket: z.strictObject({ clients: z.number().int().nonnegative(), dropped: z.number().int().nonnegative() }),
    })
      .optional()
      .describe('Each component’s state; left out for callers without the token when the server has one.'),
  }),
  'Whether the server and each component can serve requests.',
);

/** `GET /v1/health`: public (no token needed; without it only the status), cheap, and 503 while the database is not open. */
export function registerHealthRoutes(api: Api, { db, events, startedAt, options }: RouteContext): void {
  const authorised = tokenCheck(options.token);
  api.get('/health', {
    schema: {
      tags: ['system'],
      summary: 'Health of the server and its components',
      security: [],
      response: { 200: HealthSchema, 503: HealthSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const health = await healthOf(db, events.stats(), startedAt);
      const code = health.status === 'unavailable' ? 503 : 200;
      // A server with a token tells strangers only whether it is up: not its position in
      // the change log, its uptime or its components.
      if (!authorised(request.headers.authorization)) return reply.code(code).send({ status: health.status, version: health.version });
      return reply.code(code).send(health);
    },
  });
}

async function healthOf(db: TabAgent, websocket: { clients: number; dropped: number }, startedAt: number): Promise<z.infer<typeof HealthSchema>> {
  const health = await db.health({ mlTimeoutMs: ML_HEALTH_TIMEOUT_MS });
  const { vectors, scheduler, ml, weaver } = health;
  const vectorError = vectors.lastError?.message;
  const queued = Object.values(scheduler.queued).reduce((sum, n) => sum + n, 0);
  const status = health.status !== 'open' ? 'unavailable' : !ml.ok || vectorError !== undefined ? 'degraded' : 'ok';
  return {
    status,
    version: SERVER_VERSION,
    uptimeMs: Math.max(0, Date.now() - startedAt),
    components: {
      database: { status: health.status },
      storage: health.storage,
      vectors: {
        status: vectors.status,
        readiness: String(vectors.readiness),
        vectors: vectors.vectors,
        lag: vectors.lag,
        ...(vectorError === undefined ? {} : { error: vectorError }),
      },
      scheduler: { status: scheduler.status, activityLevel: scheduler.activityLevel, queued, running: scheduler.running },
      ml: {
        ok: ml.ok,
        status: ml.status,
        provider: ml.provider,
        quality: ml.quality,
        embeddingModel: ml.embedding.model,
        ...(ml.detail === undefined ? {} : { detail: ml.detail }),
      },
      weaver: {
        enabled: weaver.enabled,
        ...(weaver.stats === undefined ? {} : { lag: weaver.stats.lag, deadLetters: weaver.stats.deadLetters }),
      },
      websocket,
    },
  };
}
