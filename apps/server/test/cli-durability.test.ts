// The built binary against real damage and real signals (issue 16, storage half):
// a missing CURRENT, paths the file system will not hold, a full export target, and
// SIGKILLs in the middle of maintenance (reindex, backup, import).
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TabAgent } from 'tabagent';
import { TempDirs, TestCli } from './helpers/cli.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

/** A database of one chat and `n` messages, written in-process (fast), closed. */
async function seed(dataDir: string, n: number): Promise<void> {
  const db = await TabAgent.open(dataDir, { ml: { provider: 'builtin' }, weaver: false });
  try {
    const chat = await db.createChat({ title: 'durability' });
    for (let start = 0; start < n; start += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, n - start) }, (_, i) => db.addMessage(chat.id, { sender: 'me', role: 'user', content: `message ${start + i} about trains to paris` })),
      );
    }
  } finally {
    await db.close();
  }
}

/**
 * Starts a command, SIGKILLs it once its stderr matches `when` (its progress bar moved),
 * and returns what it printed and whether the kill landed (a quick command may finish
 * between its last progress line and the signal; `mustKill` makes that a failure).
 */
function killWhen(args: readonly string[], when: RegExp, target = cli, mustKill = true): Promise<{ stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = target.start(['--progress', 'always', ...args]);
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!killed && when.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ stdout, stderr, killed: true });
      else if (!mustKill && code === 0) resolve({ stdout, stderr, killed: false });
      else reject(new Error(`tabagent ${args.join(' ')} finished (${code}) before the kill: ${stderr}`));
    });
  });
}

describe('tabagent (built binary): durability', () => {
  it('refuses a database that lost CURRENT (verify exits CORRUPTED, nothing deleted); repair recovers every record', async () => {
    await seed(cli.dataDir, 300);
    await rm(join(cli.dataDir, 'CURRENT'));
    const before = (await readdir(cli.dataDir)).filter((f) => /\.(log|ldb)$/u.test(f));

    const verify = await cli.run(['verify']);
    expect(verify.code).toBe(9);
    expect(verify.stderr).toMatch(/^tabagent: CORRUPTED: .*CURRENT.*tabagent repair/u);
    expect((await readdir(cli.dataDir)).filter((f) => /\.(log|ldb)$/u.test(f))).toEqual(before);

    const report = await cli.json<{ storage: { records: { nodes: number }; missingRecords: { count: number } }; ok: boolean }>(['repair']);
    expect(report.storage.records.nodes).toBe(301);
    expect(report.storage.missingRecords.count).toBe(0);
    expect(report.ok).toBe(true);
    expect((await cli.run(['verify'])).code).toBe(0);
    expect((await cli.json<{ nodes: Record<string, number> }>(['stats'])).nodes).toMatchObject({ Message: 300 });
  });

  it('a data directory or backup target the file system will not hold fails with a coded error instead of spinning', async () => {
    // /proc/1 exists but holds no new directories: Node's recursive mkdir loops forever there.
    const stats = await cli.withDataDir('/proc/1/x').run(['stats']);
    expect(stats.code).toBe(2);
    expect(stats.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: cannot create \/proc\/1\/x/u);
    expect(existsSync('/proc/1/x')).toBe(false);

    await seed(cli.dataDir, 5);
    const backup = await cli.run(['backup', '/proc/1/x/backup']);
    expect(backup.code).toBe(2);
    expect(backup.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: /u);
  });

  it('an export onto a full device fails DISK_FULL with a non-zero exit', async () => {
    await seed(cli.dataDir, 200);
    const result = await cli.run(['export', '/dev/full']);
    expect(result.code).toBe(10);
    expect(result.stderr).toMatch(/^tabagent: DISK_FULL: cannot write \/dev\/full/u);
    expect(result.stdout).toBe('');
  });

  it('SIGKILL mid-reindex, mid-backup, mid-restore and mid-import: every index matches the data afterwards, half a backup is refused, the import resumes', async () => {
    // 1,500 messages: over 10,000 structural entries, so a reindex reports progress before it ends.
    await seed(cli.dataDir, 1_500);

    // Reindex: killed once its bar moved (an index cleared and partly rebuilt).
    const reindex = await killWhen(['reindex'], /reindex [^\r\n]*?[1-9][\d,]* entries/u);
    expect(reindex.stdout).toBe('');
    const verify = await cli.run(['verify']);
    expect(verify.code, verify.stderr).toBe(0);
    const search = await cli.json<{ hits: unknown[] }>(['search', 'message 1499 trains', '--limit', '1']);
    expect(search.hits).toHaveLength(1);

    // Backup: killed mid-copy; the half-written copy has no manifest and cannot be restored.
    const backupDir = join(cli.home, 'backup');
    const backup = await killWhen(['backup', backupDir], /backup [^\r\n]*?[1-9][\d,]* entries/u, cli, false);
    const restore = await cli.withDataDir(join(cli.home, 'restored')).run(['restore', backupDir]);
    if (backup.killed) {
      expect(restore.code).toBe(3);
      expect(restore.stderr).toMatch(/^tabagent: NOT_FOUND: .*no complete TabAgent backup/u);
    } else expect(restore.code, 'the backup finished before the kill: it must restore').toBe(0);
    expect((await cli.run(['verify'])).code).toBe(0);

    // Restore: killed mid-copy; the target is marked as an interrupted restore and never opens as a database.
    const complete = join(cli.home, 'complete-backup');
    expect((await cli.run(['backup', complete])).code).toBe(0);
    const restored = cli.withDataDir(join(cli.home, 'restored-2'));
    const restoring = await killWhen(['restore', complete], /restore [^\r\n]*?[1-9][\d,]*\/[\d,]+ entries/u, restored, false);
    const opened = await restored.run(['verify']);
    if (restoring.killed) {
      expect(opened.code).toBe(9);
      expect(opened.stderr).toMatch(/^tabagent: CORRUPTED: .*interrupted restore/u);
    } else expect(opened.code).toBe(0);
    expect((await restored.run(['restore', complete, '--force'])).code).toBe(0);
    expect((await restored.run(['verify'])).code).toBe(0);

    // Import: killed after some batches; the target stays consistent and a rerun completes it.
    const file = join(cli.home, 'export.jsonl');
    expect((await cli.run(['export', file])).code).toBe(0);
    const target = cli.withDataDir(join(cli.home, 'imported'));
    await killWhen(['import', file, '--batch-size', '100'], /import [^\r\n]*?[1-9][\d,]* records/u, target);
    expect((await target.run(['verify'])).code).toBe(0);
    expect(await target.json(['import', file, '--if-exists', 'ignore'])).toMatchObject({ nodes: 1_501 });
    expect((await target.json<{ nodes: Record<string, number> }>(['stats'])).nodes).toMatchObject({ Chat: 1, Message: 1_500 });
    expect((await target.run(['verify'])).code).toBe(0);
  }, 180_000);
});
