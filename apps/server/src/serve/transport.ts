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
}

/** A started transport. */
export interface RunningTransport {
  /** `http`, `grpc`, `native`. */
  name: string;
  /** What the ready line reports about it (its URL, where the docs are, …). */
  ready: Record<string, unknown>;
  /** A line for people saying where it listens. */
  banner: string;
  /** Stops accepting work and drains what is in flight; never closes the database. */
  close(): Promise<void>;
}

/** Starts one transport over an open database. */
export type TransportStarter = (context: TransportContext) => Promise<RunningTransport>;
