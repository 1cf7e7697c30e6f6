import type { Writable } from 'node:stream';
import type { ModelCache } from '@tabagent/model-cache';
import type { TabAgent } from 'tabagent';
import type { AppConfig } from '../config/config-schema.js';
import type { AppLogger } from '../logger.js';

/** What a transport gets to start with. */
export interface TransportContext {
  db: TabAgent;
  config: AppConfig;
  /** The model cache transports expose (model list / pull / remove). */
  models: ModelCache;
  logger: AppLogger;
  /**
   * The real stdout, given to the transports that carry their protocol on stdio (native
   * messaging, MCP): write frames here. Anything else written to `process.stdout` then
   * goes to stderr (see `claimStdout`).
   */
  stdout?: Writable;
}

/** A started transport. */
export interface RunningTransport {
  /** `http`, `grpc`, `native`, `mcp`. */
  name: string;
  /**
   * What the ready line reports about it (its URL, where the docs are, …), under
   * `transports.<name>`; the first transport's also at the top level.
   */
  ready: Record<string, unknown>;
  /** Lines for people saying where it listens. */
  banner: string;
  /** Settles when the transport ended on its own (stdin closed), which stops the server; absent for network servers. */
  done?: Promise<void>;
  /** Stops accepting work and drains what is in flight; never closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Starts one transport over an open database. */
export type TransportStarter = (context: TransportContext) => Promise<RunningTransport>;
