import { execFile, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Storage } from '../src/index.js';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./fixtures/disk-full-writer.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * How the disk fills up: a real 4 MB tmpfs where this machine lets us mount one (root),
 * else a per-file size limit (RLIMIT_FSIZE through `prlimit`, raised again later), which
 * makes the same writes fail with EFBIG without any privilege.
 */
type Filler = { mode: 'tmpfs'; dir: string; free(): Promise<void>; cleanup(): Promise<void> } | { mode: 'rlimit'; dir: string };

async function prepare(): Promise<Filler> {
  const base = await tempDir('tabagent-full-');
  const mountPoint = join(base, 'mnt');
  await mkdir(mountPoint);
  // TABAGENT_TEST_DISK_FULL=rlimit exercises the fallback on a machine that could mount.
  if (process.env['TABAGENT_TEST_DISK_FULL'] === 'rlimit') return { mode: 'rlimit', dir: join(base, 'db') };
  try {
    await run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
  } catch {
    return { mode: 'rlimit', dir: join(base, 'db') };
  }
  // Leave about 1.5 MB for the database; the rest is a file freed later ("space returns").
  const filler = join(mountPoint, 'filler');
  await writeFile(filler, Buffer.alloc(2_500_000));
  return {
    mode: 'tmpfs',
    dir: join(mountPoint, 'db'),
    free: () => rm(filler),
    cleanup: async () => {
      await run('umount', [mountPoint]);
    },
  };
}

describe('disk full', () => {
  it('fails writes with DISK_FULL and takes writes again once space returns, without a restart', async () => {
    const filler = await prepare();
    try {
      const command = filler.mode === 'tmpfs' ? process.execPath : 'prlimit';
      const nodeArgs = ['--conditions=source', '--import', 'tsx', CHILD, filler.dir];
      const args = filler.mode === 'tmpfs' ? nodeArgs : ['--fsize=1500000:unlimited', process.execPath, ...nodeArgs];
      const child = spawn(command, args, { cwd: PACKAGE_DIR, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const lines: string[] = [];
      for await (const line of createInterface({ input: child.stdout })) {
        lines.push(line);
        if (line.startsWith('FULL ')) {
          // Space returns: the filler file goes (or the file size limit is lifted).
          if (filler.mode === 'tmpfs') await filler.free();
          else await run('prlimit', [`--pid=${child.pid}`, '--fsize=unlimited']);
          child.stdin.end('go\n');
        }
        if (line === 'CLOSED') break;
      }
      expect(await exited, stderr).toBe(0);
      const [, fullCode, writtenText] = lines.find((l) => l.startsWith('FULL '))!.split(' ');
      expect(fullCode, `${filler.mode}: ${lines.join(' | ')}`).toBe('DISK_FULL');
      expect(Number(writtenText)).toBeGreaterThan(0);
      const [, afterCode, countText] = lines.find((l) => l.startsWith('AFTER '))!.split(' ');
      expect(afterCode, filler.mode).toBe('OK');

      // Everything acknowledged is there after a reopen.
      const storage = await Storage.open(filler.dir);
      expect(await storage.countNodes('Message')).toBe(Number(countText));
      expect(Number(countText)).toBeGreaterThanOrEqual(Number(writtenText) + 1);
      await storage.close();
    } finally {
      if (filler.mode === 'tmpfs') await filler.cleanup();
    }
  }, 60_000);
});
