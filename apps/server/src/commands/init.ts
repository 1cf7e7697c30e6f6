import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { action } from '../context.js';

/** `tabagent init`: creates the database and the model directory. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the database (and the model directory) if they do not exist')
    .action(
      action(async (ctx) => {
        const config = await ctx.config();
        await mkdir(config.modelDir, { recursive: true });
        const result = await ctx.withDatabase(async (db) => ({
          dataDir: db.location,
          modelDir: config.modelDir,
          lastSeq: db.lastSeq,
          ml: db.inference.info().provider,
        }));
        ctx.output.result(result, (r) =>
          [`database ready in ${r.dataDir} (${r.lastSeq === 0 ? 'empty' : `change log at ${r.lastSeq}`})`, `models in ${r.modelDir}`, `ML provider: ${r.ml}`].join('\n'),
        );
      }),
    );
}
