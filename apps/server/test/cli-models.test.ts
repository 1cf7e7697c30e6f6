import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MODEL_CATALOG } from '@tabagent/model-cache';
import { FakeHub, makeContent } from '../../../packages/model-cache/test/fixtures/fake-hub.js';
import { REPO, tinyBertFiles } from '../../../packages/model-cache/test/fixtures/harness.js';
import { TempDirs, TestCli } from './helpers/cli.js';

const dirs = new TempDirs();
let hub: FakeHub;
let cli: TestCli;
const embedder = MODEL_CATALOG.find((m) => m.task === 'embedding')!;

beforeEach(async () => {
  hub = new FakeHub();
  await hub.start();
  cli = await TestCli.create(dirs);
});
afterEach(async () => {
  await hub.close();
  await dirs.cleanup();
});

interface PullJson {
  repoId: string;
  commit: string;
  path: string;
  fromCache: boolean;
  downloadedBytes: number;
}

describe('tabagent models (built binary, local Hub-compatible server)', () => {
  it('pulls, lists and removes models', async () => {
    const files = tinyBertFiles();
    const commit = await hub.addRepo(REPO, files);
    const [pulled] = await cli.json<PullJson[]>(['models', 'pull', REPO, '--endpoint', hub.endpoint]);
    expect(pulled).toMatchObject({ repoId: REPO, commit, fromCache: false });
    const modelDir = join(cli.home, '.local/share/TabAgent/models');
    expect(pulled!.path.startsWith(modelDir)).toBe(true);
    expect((await readFile(join(pulled!.path, 'onnx/model.onnx'))).equals(files['onnx/model.onnx']!)).toBe(true);

    // A catalogue model by its short id, through HF_ENDPOINT: only the files the catalogue names.
    const catalogFiles = Object.fromEntries(embedder.files.map((f, i) => [f, makeContent(4096 + i, i + 7)]));
    await hub.addRepo(embedder.repoId, { ...catalogFiles, 'pytorch_model.bin': makeContent(8192, 3) });
    const env = { ...cli.env, HF_ENDPOINT: hub.endpoint };
    const byId = await cli.withEnv(env).json<PullJson[]>(['models', 'pull', embedder.id]);
    expect(byId[0]).toMatchObject({ repoId: embedder.repoId, fromCache: false });
    expect(hub.requests.some((r) => r.file === 'pytorch_model.bin' && r.method === 'GET')).toBe(false);

    const list = await cli.json<{ installed: { repoId: string; files: unknown[] }[]; available: { id: string }[] }>(['models', 'list']);
    expect(list.installed.map((m) => m.repoId).sort()).toEqual([REPO, embedder.repoId].sort());
    expect(list.available.map((m) => m.id)).toEqual(MODEL_CATALOG.filter((m) => m !== embedder).map((m) => m.id));
    const human = await cli.run(['models', 'list']);
    expect(human.stdout).toContain(REPO);
    expect(human.stdout).toMatch(/available from the catalogue/);

    // Offline: installed models are served from the cache, others fail.
    const offline = await cli.json<PullJson[]>(['models', 'pull', embedder.id, '--offline']);
    expect(offline[0]?.fromCache).toBe(true);
    const missing = await cli.run(['models', 'pull', 'acme/not-there', '--offline']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^tabagent: [A-Z_]+: .+\n$/);

    expect(await cli.json(['models', 'rm', REPO])).toEqual({ repoId: REPO, removed: true });
    const again = await cli.run(['models', 'rm', REPO]);
    expect(again.code).toBe(3);
    expect((await cli.json<{ installed: unknown[] }>(['models', 'list'])).installed).toHaveLength(1);
  });

  it('shows download progress and reports Hub errors in one line', async () => {
    await hub.addRepo(REPO, tinyBertFiles());
    const result = await cli.run(['--progress', 'always', 'models', 'pull', REPO, '--endpoint', hub.endpoint]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/acme\/tiny-bert \[█+\] 100% 2\.0 MB\/2\.0 MB/);
    expect(result.stdout).toMatch(/^acme\/tiny-bert@\w{10}: downloaded 2\.0 MB → /);

    const unknown = await cli.run(['models', 'pull', 'acme/missing', '--endpoint', hub.endpoint]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/^tabagent: NOT_FOUND: /);
    const badName = await cli.run(['models', 'pull', 'not a repo']);
    expect(badName.code).toBe(2);
  });

  it('the onnx provider asks for a pull when its model is missing', async () => {
    const result = await cli.run(['--ml-provider', 'onnx', 'stats']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^tabagent: NOT_FOUND: embedding model .* is not installed .*tabagent models pull/);
  });
});
