import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Storage } from '@tabagent/storage';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

function run(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN, ...args], { cwd: APP_DIR });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tabagent CLI', () => {
  it('serve opens the database, reports ready, and closes cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tabagent-cli-'));
    dirs.push(dataDir);
    const result = await run(['--data-dir', dataDir, 'serve'], (out, child) => {
      if (out.includes('"ready"')) child.kill('SIGTERM');
    });
    expect(result.code).toBe(0);
    const ready = JSON.parse(result.stdout.split('\n')[0]!) as { event: string; status: string; lastSeq: number };
    expect(ready).toMatchObject({ event: 'ready', status: 'open', lastSeq: 0 });
    // Closed cleanly: the directory opens again (the LevelDB lock was released).
    const storage = await Storage.open(join(dataDir, 'db'));
    await storage.close();
  });

  it('status prints node counts of an existing database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tabagent-cli-'));
    dirs.push(dataDir);
    const storage = await Storage.open(join(dataDir, 'db'));
    await storage.insertNodes([{ type: 'Chat', title: 'a' }, { type: 'Chat', title: 'b' }]);
    await storage.close();
    const result = await run(['--data-dir', dataDir, 'status']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ lastSeq: 2, nodes: { Chat: 2, Message: 0 } });
  });

  it('reports errors as code and message with exit code 1', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tabagent-cli-'));
    dirs.push(dataDir);
    const holder = await Storage.open(join(dataDir, 'db'));
    const result = await run(['--data-dir', dataDir, 'status']);
    await holder.close();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^tabagent: UNAVAILABLE: /);
  });
});
