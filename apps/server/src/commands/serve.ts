import { NODE_TYPES } from '@tabagent/common';
import { Storage } from '@tabagent/storage';
import { databaseDir } from '../paths.js';

export interface ServeOptions {
  dataDir: string;
}

/** Status of an open database, as printed by `serve` and `status`. */
export async function databaseStatus(storage: Storage): Promise<Record<string, unknown>> {
  const counts: Record<string, number> = {};
  for (const type of NODE_TYPES) counts[type] = await storage.countNodes(type);
  return { status: storage.status, location: storage.location, lastSeq: storage.lastSeq, nodes: counts };
}

/** Resolves on the first SIGINT or SIGTERM; listeners are in place when this returns. */
function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Signal listeners alone do not keep Node's event loop alive.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const stop = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Opens the database and keeps it open until SIGINT/SIGTERM, then closes it cleanly.
 * (Network transports attach here as they land.)
 */
export async function serve(options: ServeOptions): Promise<void> {
  const signalled = untilSignalled();
  const storage = await Storage.open(databaseDir(options.dataDir));
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...(await databaseStatus(storage)) })}\n`);
  const signal = await signalled;
  process.stderr.write(`received ${signal}, closing the database\n`);
  await storage.close();
}
