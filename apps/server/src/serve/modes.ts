import { DbError } from '@tabagent/common';
import type { ServeMode } from '../config/config-schema.js';
import { startHttpTransport } from './http-transport.js';
import type { TransportStarter } from './transport.js';

/** The transports this build can start. gRPC and native messaging plug in here. */
export const TRANSPORTS: Readonly<Record<string, TransportStarter>> = {
  http: startHttpTransport,
};

/** The transports each `--mode` starts. */
export const MODE_TRANSPORTS: Readonly<Record<ServeMode, readonly string[]>> = {
  http: ['http'],
  grpc: ['grpc'],
  native: ['native'],
  all: ['http', 'grpc', 'native'],
};

/** The starters for a mode; `UNSUPPORTED` when one of its transports is not in this build. */
export function transportsFor(mode: ServeMode): { name: string; start: TransportStarter }[] {
  const names = MODE_TRANSPORTS[mode];
  const missing = names.filter((name) => TRANSPORTS[name] === undefined);
  if (missing.length > 0) {
    throw new DbError('UNSUPPORTED', `serve mode "${mode}" needs the ${missing.join(' and ')} transport, which this build does not have yet (available: ${Object.keys(TRANSPORTS).join(', ')})`, {
      details: { field: 'mode' },
    });
  }
  return names.map((name) => ({ name, start: TRANSPORTS[name]! }));
}
