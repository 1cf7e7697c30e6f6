import type { Command } from 'commander';
import type { ConvergedQuery } from '@tabagent/query';
import { action } from '../context.js';
import { readJsonInput } from '../input.js';
import { formatHits } from './hits.js';
import { vectorsLoaded } from './vectors-loaded.js';

/** `tabagent query '<json>'`: a converged query. */
export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run a converged query (filters → graph → keyword/semantic ranking) given as JSON')
    .argument('[json]', `the query, e.g. '{"types":["Message"],"keyword":"paris","limit":5}' ('-' reads stdin)`)
    .option('-f, --file <path>', 'read the query from a file')
    .option('--explain', 'include the plan, per-stage candidate counts and timings')
    .action(
      action(async (ctx, json: string | undefined) => {
        const o = ctx.command.opts<{ file?: string; explain?: boolean }>();
        const query = (await readJsonInput({ ...(json === undefined ? {} : { arg: json }), ...(o.file === undefined ? {} : { file: o.file }), what: 'query' })) as ConvergedQuery;
        if (o.explain && query !== null && typeof query === 'object') query.explain = true;
        const result = await ctx.withDatabase(async (db) => {
          if (query !== null && typeof query === 'object' && query.semantic !== undefined) await vectorsLoaded(db);
          return db.query(query);
        });
        ctx.output.result(result, formatHits);
      }),
    );
}
