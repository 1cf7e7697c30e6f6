import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ModelCache } from '@tabagent/model-cache';
import type { TabAgent } from 'tabagent';
import type { ResolvedHttpServerOptions } from './options.js';
import type { ExportsDirectory } from './server-files.js';
import type { EventHub } from './websocket/event-hub.js';

/** The Fastify instance routes are registered on: request parts typed by their zod schemas. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** What every route module gets. */
export interface RouteContext {
  db: TabAgent;
  options: ResolvedHttpServerOptions;
  /** The model cache (created on first use when none was given). */
  models(): ModelCache;
  /** Live WebSocket subscribers. */
  events: EventHub;
  /** Where clients' exports, backups and imports are, by name. */
  exports: ExportsDirectory;
  /** When the server started (ms since the epoch). */
  startedAt: number;
}
