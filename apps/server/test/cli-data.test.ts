import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chat, Node } from '@tabagent/common';
import { Storage } from '@tabagent/storage';
import { TempDirs, TestCli } from './helpers/cli.js';

const dirs = new TempDirs();
let cli: TestCli;
beforeEach(async () => {
  cli = await TestCli.create(dirs);
});
afterEach(async () => dirs.cleanup());

/** A chat with `n` messages and one edge. */
async function seed(n = 3): Promise<Chat> {
  const chat = await cli.json<Chat>(['add', 'chat', '--title', 'seed']);
  const messages = Array.from({ length: n }, (_, i) => ({ type: 'Message', chatId: chat.id, sender: 'a', role: 'user', content: `message number ${i}` }));
  const nodes = await cli.json<Node[]>(['add', 'node', JSON.stringify(messages)]);
  await cli.json(['add', 'edge', '--from', nodes[0]!.id, '--to', chat.id, '--type', 'PART_OF']);
  return chat;
}

describe('tabagent (built binary): data in and out', () => {
  it('exports JSONL and imports it into another database', async () => {
    await seed(3);
    const file = join(cli.home, 'export.jsonl');
    const exported = await cli.json<{ records: number }>(['export', file]);
    expect(exported.records).toBe(5); // 1 chat + 3 messages + 1 edge
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(lines.map((l) => l.kind)).toEqual(['header', 'node', 'node', 'node', 'node', 'edge']);

    const other = cli.withDataDir(join(cli.home, 'other'));
    const imported = await other.json(['import', file]);
    expect(imported).toEqual({ nodes: 4, edges: 1, embeddings: 0 });
    expect((await other.json<{ nodes: Record<string, number> }>(['stats'])).nodes).toMatchObject({ Chat: 1, Message: 3 });

    // Again: every id exists now.
    const again = await other.run(['import', file]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/^tabagent: CONFLICT: /);
    expect(await other.json(['import', file, '--if-exists', 'ignore'])).toEqual({ nodes: 4, edges: 1, embeddings: 0 });

    // To stdout, for pipes.
    const piped = await cli.run(['export', '-']);
    expect(piped.stdout.trim().split('\n')).toHaveLength(6);

    await writeFile(join(cli.home, 'bad.jsonl'), '{"kind":"header","format":"tabagent-jsonl","version":1}\nnot json\n');
    const bad = await other.run(['import', join(cli.home, 'bad.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: line 2: /);
  });

  it('answers bad paths and ids with coded errors, never INTERNAL or a crash (issue 16, findings 2 and 13)', async () => {
    await seed(1);
    const dir = await cli.run(['import', cli.home]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: /);
    // A source without line breaks: a bounded line, not a string that grows until the process dies.
    const zero = await cli.run(['import', '/dev/zero']);
    expect(zero.signal).toBeNull();
    expect(zero.stderr).toMatch(/^tabagent: TOO_LARGE: line 1: longer than/);
    const empty = await cli.run(['get', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^tabagent: INVALID_ARGUMENT: id/);
  });

  it('draws progress bars on stderr when asked, never on stdout', async () => {
    await seed(2);
    const file = join(cli.home, 'export.jsonl');
    const result = await cli.run(['--progress', 'always', 'export', file]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/export \[█+\] 100% 4\/4 records/);
    expect(result.stdout).toBe(`exported 4 records to ${file}\n`);
    const imported = await cli.withDataDir(join(cli.home, 'other')).run(['--progress', 'always', 'import', file]);
    expect(imported.stderr).toMatch(/import \[█+\] 100% .* 4 records/);
  });

  it('backs up and restores, refusing to overwrite unless forced', async () => {
    const chat = await seed(2);
    const backupDir = join(cli.home, 'backup');
    const manifest = await cli.json<{ entries: number; lastSeq: number }>(['backup', backupDir]);
    expect(manifest.lastSeq).toBe(4);
    expect(manifest.entries).toBeGreaterThan(0);
    expect((await cli.run(['backup', backupDir])).code).toBe(4); // not empty

    const restored = cli.withDataDir(join(cli.home, 'restored'));
    await restored.json(['restore', backupDir]);
    expect(await restored.json<Node>(['get', chat.id])).toMatchObject({ id: chat.id, title: 'seed' });

    // Over an existing database: refused, then replaced with --force.
    await cli.json(['add', 'chat', '--title', 'after the backup']);
    const refused = await cli.run(['restore', backupDir]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/already holds a database \(use --force/);
    await cli.json(['restore', backupDir, '--force']);
    const stats = await cli.json<{ nodes: Record<string, number>; storage: { lastSeq: number } }>(['stats']);
    expect(stats.nodes.Chat).toBe(1);
    expect(stats.storage.lastSeq).toBe(4);

    const notBackup = await cli.run(['restore', cli.home]);
    expect(notBackup.code).toBe(3);
  });

  it('rebuilds and verifies the indexes', async () => {
    await seed(3);
    const written = await cli.json<Record<string, number>>(['reindex']);
    expect(written.keyword).toBe(4);
    expect(written.graph).toBeGreaterThan(0);
    const report = await cli.json<{ indexes: { index: string; ok: boolean }[]; vectors: { ok: boolean } }>(['verify']);
    expect(report.indexes.map((r) => r.index).sort()).toEqual(['graph', 'keyword', 'structural']);
    expect(report.indexes.every((r) => r.ok) && report.vectors.ok).toBe(true);
  });

  it('says what holds the database when another process has it open', async () => {
    await cli.json(['init']);
    const holder = await Storage.open(cli.dataDir);
    try {
      const result = await cli.run(['stats']);
      expect(result.code).toBe(5);
      expect(result.stderr).toMatch(/^tabagent: UNAVAILABLE: .*in use by another process .*tabagent serve/);
    } finally {
      await holder.close();
    }
  });
});
