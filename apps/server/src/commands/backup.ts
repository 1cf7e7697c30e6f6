import { randomBytes } from 'node:crypto';
import { access, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { DbError } from '@tabagent/common';
import type { BackupManifest } from '@tabagent/storage';
import { action } from '../context.js';
import type { Output } from '../output/output.js';

/**
 * Checks that `dataDir` may be replaced: it holds a database (never some other
 * directory's files) that no other process has open (a damaged one may be replaced).
 */
async function requireReplaceable(dataDir: string): Promise<void> {
  if ((await readdir(dataDir)).length > 0 && !(await exists(join(dataDir, 'CURRENT')))) {
    throw new DbError('CONFLICT', `${dataDir} is not a TabAgent database; refusing to replace it`, { details: { field: 'dataDir' } });
  }
  try {
    const { Storage } = await storageModule();
    await (await Storage.open(dataDir)).close();
  } catch (err) {
    if (DbError.is(err, 'UNAVAILABLE')) throw err;
  }
}

/** Loaded on use, like everything a command does not always need. */
const storageModule = (): Promise<typeof import('@tabagent/storage')> => import('@tabagent/storage');

function describe(verb: string, m: BackupManifest & { dir: string }): string {
  return `${verb} ${m.entries.toLocaleString('en-US')} entries (change log at ${m.lastSeq}) ${verb === 'backed up' ? 'to' : 'from'} ${m.dir}`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `tabagent backup <dir>` and `tabagent restore <dir>`. */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('write a consistent copy of the database into an empty directory')
    .argument('<dir>', 'target directory (empty or absent)')
    .action(
      action(async (ctx, dir: string) => {
        const manifest = await ctx.withDatabase(async (db) => {
          const bar = ctx.output.progressBar({ label: 'backup', unit: 'entries' });
          try {
            return await db.backup(dir, { onProgress: (n) => bar.update(n) });
          } finally {
            bar.stop();
          }
        });
        ctx.output.result({ ...manifest, dir }, (m) => describe('backed up', m));
      }),
    );

  program
    .command('restore')
    .description('restore a backup into the data directory (which must be empty unless --force)')
    .argument('<dir>', 'a directory written by `tabagent backup`')
    .option('--force', 'replace an existing database (it is removed only once the restore succeeded)')
    .action(
      action(async (ctx, dir: string) => {
        const { force } = ctx.command.opts<{ force?: boolean }>();
        const { dataDir } = await ctx.config();
        const expected = await (await storageModule()).readBackupManifest(dir);
        const occupied = await exists(dataDir);
        if (occupied && !force) {
          // restoreStorage refuses a non-empty target itself; this says how to proceed.
          await restoreTo(dir, dataDir, expected.entries, ctx).catch((err: unknown) => {
            if (DbError.is(err, 'CONFLICT')) throw new DbError('CONFLICT', `${dataDir} already holds a database (use --force to replace it)`, { cause: err, details: { field: 'dataDir' } });
            throw err;
          });
        } else if (occupied) {
          // Restore beside it, then swap: the old database survives a failed restore.
          const staging = join(dirname(dataDir), `.${basename(dataDir)}.restore-${randomBytes(4).toString('hex')}`);
          const old = `${staging}.old`;
          await requireReplaceable(dataDir);
          try {
            await restoreTo(dir, staging, expected.entries, ctx);
            await rename(dataDir, old);
            await rename(staging, dataDir);
          } finally {
            await rm(staging, { recursive: true, force: true });
          }
          await rm(old, { recursive: true, force: true });
        } else await restoreTo(dir, dataDir, expected.entries, ctx);
        ctx.output.result({ ...expected, dir, dataDir }, (m) => `${describe('restored', m)} into ${m.dataDir}`);
      }),
    );
}

async function restoreTo(backupDir: string, target: string, entries: number, ctx: { output: Output }): Promise<void> {
  const bar = ctx.output.progressBar({ label: 'restore', unit: 'entries', total: entries });
  const { restoreStorage } = await storageModule();
  try {
    await restoreStorage(backupDir, target, { onProgress: (n) => bar.update(n) });
  } finally {
    bar.stop();
  }
}
