import type { Command } from 'commander';
import { DbError } from '@tabagent/common';
import { action } from '../context.js';
import { table } from '../output/format.js';

/** `tabagent reindex` and `tabagent verify`. */
export function registerMaintenance(program: Command): void {
  program
    .command('reindex')
    .description('rebuild every index (structural, graph, keyword, vector) from the data')
    .action(
      action(async (ctx) => {
        ctx.output.note('rebuilding the indexes…');
        const written = await ctx.withDatabase((db) => db.reindex());
        ctx.output.result(written, (w) =>
          table(
            ['index', 'entries'],
            Object.entries(w).map(([k, n]) => [k, n]),
          ),
        );
      }),
    );

  program
    .command('verify')
    .description('compare every index with the data; exits non-zero when one has drifted (fix with `tabagent reindex`)')
    .action(
      action(async (ctx) => {
        const report = await ctx.withDatabase(async (db) => {
          await db.whenVectorsReady();
          return db.verify();
        });
        const all = [...report.indexes, report.vectors];
        ctx.output.result(report, () =>
          table(
            ['index', 'ok', 'missing', 'extra', 'mismatched'],
            all.map((r) => [r.index, r.ok ? 'yes' : 'NO', r.missing, r.extra, r.mismatched]),
          ),
        );
        const bad = all.filter((r) => !r.ok).map((r) => r.index);
        if (bad.length > 0) throw new DbError('CORRUPTED', `index drift in ${bad.join(', ')} (run \`tabagent reindex\`)`);
      }),
    );
}
