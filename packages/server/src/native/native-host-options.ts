import type { Readable, Writable } from 'node:stream';
import { MAX_BROWSER_MESSAGE_BYTES, MAX_HOST_MESSAGE_BYTES } from './framing.js';

/** Options of {@link runNativeHost}; defaults in {@link NATIVE_HOST_DEFAULTS}. */
export interface NativeHostOptions {
  /** Where the browser's messages come from. Default `process.stdin`. */
  input?: Readable;
  /** Where messages to the browser go. Default `process.stdout` — nothing else may write there. */
  output?: Writable;
  /** Diagnostics, one line each. Default: stderr (never stdout, which carries the protocol). */
  log?: (line: string) => void;
  /** Largest message accepted from the browser, in bytes. Default 64 MiB (Chrome's own limit). */
  maxIncomingBytes?: number;
  /** Largest message sent to the browser; longer results are sent in parts. Default 1 MiB (Chrome's limit). */
  maxOutgoingBytes?: number;
  /** Bytes that may wait unwritten before pushed events are dropped (and counted). Default 8 MiB. */
  maxPendingEventBytes?: number;
  /**
   * Bytes of replies that may wait unwritten (the browser stopped reading) before the
   * host stops reading requests until the browser catches up. Default 16 MiB.
   */
  maxPendingReplyBytes?: number;
  /**
   * Bytes that may wait unwritten at most: past this (replies of requests already
   * running), the browser is not reading — the host stops, as if the port were closed,
   * rather than buffering without end. Default 64 MiB.
   */
  maxBufferedBytes?: number;
  /** Requests running at once; further requests are read once one finishes. Default 64. */
  maxConcurrentRequests?: number;
  /**
   * How long the host waits for a browser that stopped reading (more than
   * `maxPendingReplyBytes` waiting) before it stops, as if the port were closed. Default 60 s.
   */
  stalledCloseMs?: number;
}

export const NATIVE_HOST_DEFAULTS = {
  maxIncomingBytes: MAX_BROWSER_MESSAGE_BYTES,
  maxOutgoingBytes: MAX_HOST_MESSAGE_BYTES,
  maxPendingEventBytes: 8 * 1024 * 1024,
  maxPendingReplyBytes: 16 * 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
  maxConcurrentRequests: 64,
  stalledCloseMs: 60_000,
} as const;
