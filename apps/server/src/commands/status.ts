import { Storage } from '@tabagent/storage';
import { databaseDir } from '../paths.js';
import { databaseStatus } from './serve.js';

/** Opens the database, prints its status as JSON and closes it. */
export async function status(options: { dataDir: string }): Promise<void> {
  const storage = await Storage.open(databaseDir(options.dataDir));
  try {
    process.stdout.write(`${JSON.stringify(await databaseStatus(storage), null, 2)}\n`);
  } finally {
    await storage.close();
  }
}
