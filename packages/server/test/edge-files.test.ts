import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, startHarness, type HttpHarness } from './fixtures/http-server.js';

const SECRET = 'root:x:0:0:secret-line-that-must-not-leak';

/**
 * Issue 16, findings 2 and 4: clients named server paths. `POST /v1/import
 * {"path":"/dev/zero"}` killed the process; export, import and backup could read and
 * write any file the server could. Now clients name files of one exports directory only
 * (or upload), files are opened with checks, and errors never echo file contents.
 */
describe('no server-side paths from clients (issue 16, findings 2 and 4)', () => {
  let h: HttpHarness;
  let work: string;
  let exportsDir: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tabagent-edge-files-'));
    exportsDir = join(work, 'exports');
    h = await startHarness({ server: { exportsDir, maxImportBytes: 32 * 1024 * 1024 } });
    await h.request('POST', '/v1/chats', { body: { title: 'kept' } });
  });
  afterAll(async () => {
    await h.stop();
    await rm(work, { recursive: true, force: true });
  });

  const alive = async (): Promise<void> => {
    expect((await h.request('GET', '/v1/health')).body.status).toBe('ok');
    expect((await h.request('POST', '/v1/chats', { body: { title: 'still writing' } })).status).toBe(201);
  };

  it('refuses paths: /dev/zero, /etc files and directories anywhere are not names', async () => {
    const victim = join(work, 'victim.txt');
    await writeFile(victim, 'untouched');
    expectError(await h.request('POST', '/v1/import', { body: { path: '/dev/zero' } }), 400, 'INVALID_ARGUMENT');
    for (const name of ['/dev/zero', '../victim.txt', '..', '.hidden', 'a/b', '/etc/passwd', 'x\u0000y', '']) {
      expectError(await h.request('POST', '/v1/import', { body: { name } }), 400, 'INVALID_ARGUMENT', 'name');
      expectError(await h.request('POST', '/v1/export', { body: { name } }), 400, 'INVALID_ARGUMENT', 'name');
      expectError(await h.request('POST', '/v1/backup', { body: { name } }), 400, 'INVALID_ARGUMENT', 'name');
    }
    expectError(await h.request('POST', '/v1/export', { body: { path: victim } }), 400, 'INVALID_ARGUMENT');
    // An upload must be the NDJSON export itself: a JSON body (even an empty one) is refused, not a crash.
    expectError(await h.request('POST', '/v1/import/upload', { raw: '', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_ARGUMENT', 'content-type');
    expectError(await h.request('POST', '/v1/import/upload', { body: { name: 'x' } }), 400, 'INVALID_ARGUMENT', 'content-type');
    expectError(await h.request('POST', '/v1/backup', { body: { dir: join(h.dir, 'inside') } }), 400, 'INVALID_ARGUMENT');
    expect(await readFile(victim, 'utf8')).toBe('untouched');
    await expect(stat(join(h.dir, 'inside'))).rejects.toMatchObject({ code: 'ENOENT' });
    await alive();
  });

  it('opens only regular files of the exports directory, never through links, devices or FIFOs', async () => {
    await mkdir(exportsDir, { recursive: true });
    await symlink('/dev/zero', join(exportsDir, 'zero.jsonl'));
    const secret = join(work, 'secret.txt');
    await writeFile(secret, `${SECRET}\n`);
    await symlink(secret, join(exportsDir, 'secret-link.jsonl'));
    execFileSync('mkfifo', [join(exportsDir, 'fifo.jsonl')]);
    await mkdir(join(exportsDir, 'a-directory'));
    for (const name of ['zero.jsonl', 'secret-link.jsonl', 'fifo.jsonl', 'a-directory']) {
      const res = await h.request('POST', '/v1/import', { body: { name } });
      expectError(res, 400, 'INVALID_ARGUMENT', 'name');
      expect(JSON.stringify(res.body)).not.toContain('secret-line');
    }
    // An export onto a planted link replaces the link; it never writes through it.
    await symlink(secret, join(exportsDir, 'planted.jsonl'));
    expect((await h.request('POST', '/v1/export', { body: { name: 'planted.jsonl' } })).status).toBe(200);
    expect(await readFile(secret, 'utf8')).toBe(`${SECRET}\n`);
    expect((await readFile(join(exportsDir, 'planted.jsonl'), 'utf8')).split('\n')[0]).toContain('tabagent-jsonl');
    // A backup onto a planted link is a conflict, and nothing is written through it.
    await symlink(work, join(exportsDir, 'planted-dir'));
    expectError(await h.request('POST', '/v1/backup', { body: { name: 'planted-dir' } }), 409, 'CONFLICT', 'name');
    await alive();
  });

  it('never echoes file contents in errors', async () => {
    await mkdir(exportsDir, { recursive: true });
    await writeFile(join(exportsDir, 'not-an-export.jsonl'), `${SECRET}\n`);
    await writeFile(join(exportsDir, 'bad-second-line.jsonl'), `{"kind":"header","format":"tabagent-jsonl","version":1,"exportedAt":0,"lastSeq":0}\n${SECRET}\n`);
    for (const name of ['not-an-export.jsonl', 'bad-second-line.jsonl']) {
      const res = await h.request('POST', '/v1/import', { body: { name } });
      expectError(res, 400, 'INVALID_ARGUMENT');
      expect(JSON.stringify(res.body)).not.toContain('secret-line');
      expect(JSON.stringify(res.body)).not.toContain('root:x');
    }
    const uploaded = await h.request('POST', '/v1/import/upload', { raw: `${SECRET}\n`, headers: { 'content-type': 'application/x-ndjson' } });
    expectError(uploaded, 400, 'INVALID_ARGUMENT');
    expect(JSON.stringify(uploaded.body)).not.toContain('secret-line');
  });

  it('an upload without line breaks (a /dev/zero stream) is 413, and the server lives on', async () => {
    const zeros = Buffer.alloc(17 * 1024 * 1024);
    const res = await fetch(`${h.server.url}/v1/import/upload`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: zeros });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('TOO_LARGE');
    await alive();
  });

  it('an upload over maxImportBytes is 413, and so is a file of the directory over it', async () => {
    const small = await startHarness({ server: { exportsDir, maxImportBytes: 1024 } });
    try {
      const line = `${JSON.stringify({ kind: 'header', format: 'tabagent-jsonl', version: 1, exportedAt: 0, lastSeq: 0 })}\n`;
      const big = line + `${JSON.stringify({ kind: 'node', record: { type: 'Chat', id: 'chat_big', title: 'x'.repeat(2_000) } })}\n`;
      const res = await small.request('POST', '/v1/import/upload', { raw: big, headers: { 'content-type': 'application/x-ndjson' } });
      expectError(res, 413, 'TOO_LARGE');
      await writeFile(join(exportsDir, 'big.jsonl'), big);
      expectError(await small.request('POST', '/v1/import', { body: { name: 'big.jsonl' } }), 413, 'TOO_LARGE', 'name');
      expect((await small.request('GET', '/v1/health')).body.status).toBe('ok');
    } finally {
      await small.stop();
    }
  });
});
