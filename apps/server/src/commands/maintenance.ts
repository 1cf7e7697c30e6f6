import type { Command } from 'commander';
import { DbError } from '@tabagent/common';
import { action } from '../context.js';
import { table } from '../output/format.js';

/** `tabagent reindex`, `tabagent verify` and `tabagent repair`. */
export function registerMaintenance(program: Command): void {
  program
    .command('reindex')
    .description('rebuild every index (structural, graph, keyword, vector) from the data')
    .action(
      action(async (ctx) => {
        ctx.output.note('rebuilding the indexes…');
        const written = await ctx.withDatabase(async (db) => {
          const bar = ctx.output.progressBar({ label: 'reindex', unit: 'entries' });
          const done: Record<string, number> = {};
          try {
            return await db.reindex({
              onProgress: (index, n) => {
                done[index] = n;
                bar.update(Object.values(done).reduce((a, b) => a + b, 0), index);
              },
            });
          } finally {
            bar.stop();
          }
        });
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
          [
            table(
              ['index', 'ok', 'missing', 'extra', 'mismatched'],
              all.map((r) => [r.index, r.ok ? 'yes' : 'NO', r.missing, r.extra, r.mismatched]),
            ),
            ...report.incidents.map((i) => `incident ${new Date(i.at).toISOString()}: ${i.code}: ${i.message}`),
          ].join('\n'),
        );
        const bad = all.filter((r) => !r.ok).map((r) => r.index);
        if (bad.length > 0) throw new DbError('CORRUPTED', `index drift in ${bad.join(', ')} (run \`tabagent reindex\`)`);
        if (report.incidents.length > 0) {
          throw new DbError('CORRUPTED', `${report.incidents.length} incident(s) recorded: data was lost (run \`tabagent repair\` for a report; it clears them)`);
        }
      }),
    );

  program
    .command('repair')
    .description("repair a damaged database (stop the server first): LevelDB's repair, a rebuild of every index, and a report of what was lost")
    .action(
      action(async (ctx) => {
        const config = await ctx.config();
        const logger = await ctx.logger();
        const { mlConfigFor } = await import('../open-database.js');
        const { TabAgent } = await import('tabagent');
        const report = await TabAgent.repair(config.dataDir, {
          ml: await mlConfigFor(config, logger),
          mlInWorker: false,
          modelDir: config.modelDir,
          logger,
          onStep: (step) => ctx.output.note(`repair: ${step}…`),
        });
        ctx.output.result(report, (r) => {
          const s = r.storage;
          const lines = [
            `repaired ${s.location}: change log ends at ${s.lastSeq}; ${s.records.nodes} nodes, ${s.records.edges} edges, ${s.records.embeddings} embeddings`,
            `lost: ${s.droppedBytes} bytes dropped by LevelDB; ${s.missingRecords.count} records the change log names are gone` +
              (s.missingRecords.count > 0 ? ` (${s.missingRecords.examples.join(', ')}${s.missingRecords.count > s.missingRecords.examples.length ? ', …' : ''})` : '') +
              (s.damaged.length > 0 ? `; damaged: ${s.damaged.join('; ')}` : '') +
              (s.lostFiles.length > 0 ? `; set aside in lost/ (logs and manifests replaced, unreadable tables): ${s.lostFiles.join(', ')}` : '') +
              (s.logGaps.length > 0 ? `; change-log gaps: ${s.logGaps.map((g) => (g.from === g.to ? `${g.from}` : `${g.from}-${g.to}`)).join(', ')}` : '') +
              (Object.keys(s.cursorsAhead).length > 0 ? `; consumers had seen up to ${Object.entries(s.cursorsAhead).map(([n, q]) => `${n}@${q}`).join(', ')}` : ''),
            ...s.incidents.map((i) => `earlier incident ${new Date(i.at).toISOString()}: ${i.code}: ${i.message}`),
            `reindexed: ${Object.entries(r.reindexed).map(([k, n]) => `${k} ${n}`).join(', ')}; indexes ${r.ok ? 'match the data' : 'STILL DRIFT'}`,
          ];
          return lines.join('\n');
        });
        if (!report.ok) throw new DbError('CORRUPTED', 'the indexes still differ from the data after the repair');
      }),
    );
}

