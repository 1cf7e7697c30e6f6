import { DbError } from '@tabagent/common';
import type { ServeMode } from '../config/config-schema.js';
import { startGrpcTransport } from './grpc-transport.js';
import { startHttpTransport } from './http-transport.js';
import { startNativeTransport } from './native-transport.js';
import type { TransportStarter } from './transport.js';

/** The transports `serve --mode` can start. */
export const TRANSPORTS: Readonly<Record<string, TransportStarter>> = {
  http: startHttpTransport,
  grpc: startGrpcTransport,
  native: startNativeTransport,
};

/**
 * The transports each `--mode` starts. `all` is every network transport: native
 * messaging owns stdin/stdout and the browser starts one host per connection, so it
 * runs alone.
 */
export const MODE_TRANSPORTS: Readonly<Record<ServeMode, readonly string[]>> = {
  http: ['http'],
  grpc: ['grpc'],
  native: ['native'],
  all: ['http', 'grpc'],
};

/** Transports that carry their protocol on stdin/stdout: they get the real stdout, and nothing else may write there. */
export const STDIO_TRANSPORTS: ReadonlySet<string> = new Set(['native', 'mcp']);

/** A transport to start, by name. */
export interface TransportEntry {
  name: string;
  start: TransportStarter;
}

/** The starters for a mode; `UNSUPPORTED` when one of its transports is not in this build. */
export function transportsFor(mode: ServeMode): TransportEntry[] {
  const names = MODE_TRANSPORTS[mode];
  const missing = names.filter((name) => TRANSPORTS[name] === undefined);
  if (missing.length > 0) {
    throw new DbError('UNSUPPORTED', `serve mode "${mode}" needs the ${missing.join(' and ')} transport, which this build does not have (available: ${Object.keys(TRANSPORTS).join(', ')})`, {
      details: { field: 'mode' },
    });
  }
  return names.map((name) => ({ name, start: TRANSPORTS[name]! }));
}
