import type { ServerCredentials } from '@grpc/grpc-js';

/** Options of {@link startGrpcServer}; defaults in {@link GRPC_SERVER_DEFAULTS}. */
export interface GrpcServerOptions {
  /** Address to bind. Default `127.0.0.1`; any non-loopback address requires `token`. */
  host?: string;
  /** Port; `0` picks a free one (read it from the handle). Default 50051. */
  port?: number;
  /** When set, every call needs `authorization: Bearer <token>` metadata. */
  token?: string;
  /** Also serve `tabagent.ml.v1.MlInference` from the database's ML provider (default false). */
  ml?: boolean;
  /** Transport security (default: plaintext — fine on loopback; use TLS credentials elsewhere). */
  credentials?: ServerCredentials;
  /** Largest message received or sent, in bytes. Default 16 MiB. */
  maxMessageBytes?: number;
  /**
   * Events that may wait for one slow subscriber before it is dropped. Default 10,000:
   * one batch write (up to 10,000 nodes through the API) fits, so only a reader that
   * falls behind for good is dropped.
   */
  maxQueuedEvents?: number;
  /**
   * Bytes of events (as JSON, about their size on the wire) that may wait for one
   * subscriber whose socket is not read before it is dropped. Default 16 MiB.
   */
  maxQueuedBytes?: number;
  /** How long `close()` lets running calls finish before cancelling them, in ms. Default 5,000. */
  shutdownGraceMs?: number;
}

export const GRPC_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 50051,
  ml: false,
  maxMessageBytes: 16 * 1024 * 1024,
  maxQueuedEvents: 10_000,
  maxQueuedBytes: 16 * 1024 * 1024,
  shutdownGraceMs: 5_000,
} as const;
