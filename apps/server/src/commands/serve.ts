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

/**
 * Opens the database and keeps it open until SIGINT/SIGTERM, then closes it cleanly.
 * (Network transports attach here as they land.)
 */
export async function serve(options: ServeOptions): Promise<void> {
  const storage = await Storage.open(databaseDir(options.dataDir));
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...(await databaseStatus(storage)) })}\n`);
  await new Promise<void>((resolve) => {
    // Signal listeners alone do not keep Node's event loop alive.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const stop = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.stderr.write(`received ${signal}, closing the database\n`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await storage.close();
}
