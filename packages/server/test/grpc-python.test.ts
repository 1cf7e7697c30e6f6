import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findProtoFile } from '@tabagent/ml-bridge/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc/index.js';
import { openTestDb } from './fixtures/test-db.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
/** Debian's interpreter: python3-grpcio installs into its dist-packages (not a pyenv/venv python). */
const PYTHON = process.env.TABAGENT_TEST_PYTHON ?? '/usr/bin/python3';
const INSTALL = 'apt-get install -y python3-grpcio python3-protobuf protobuf-compiler';

async function requireTools(): Promise<void> {
  try {
    await run(PYTHON, ['-c', 'import grpc, google.protobuf']);
    await run('protoc', ['--version']);
  } catch (err) {
    throw new Error(`The independent gRPC client is missing (${PYTHON} with grpcio and protobuf, and protoc). Install it with: ${INSTALL}\n${String(err)}`);
  }
}

describe('an independent gRPC client (Python grpcio from Debian)', () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  let server: GrpcServerHandle;
  let generated: string;

  beforeAll(async () => {
    await requireTools();
    generated = await mkdtemp(join(tmpdir(), 'tabagent-pb2-'));
    const proto = findProtoFile('database.proto', import.meta.url);
    // Well-known types (struct.proto) come with protoc's include directory.
    await run('protoc', [`-I${dirname(proto)}`, '-I/usr/include', `--python_out=${generated}`, proto]);
    t = await openTestDb();
    server = await startGrpcServer(t.db, { port: 0, token: 'py-token' });
  });
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
    if (generated) await rm(generated, { recursive: true, force: true });
  });

  it('writes and calls Database/Search against a running server, with errors and auth as specified', async () => {
    const chat = await t.db.createChat({ title: 'from node' });
    const fromNode = await chat.addMessage({ sender: 'js', role: 'user', content: 'the zeppelin flew over the harbour' });
    const { stdout } = await run(PYTHON, [join(here, 'fixtures', 'python_grpc_client.py'), generated, server.address, 'py-token', 'zeppelin'], { timeout: 60_000 });
    const seen = JSON.parse(stdout) as {
      chatId: string;
      messageId: string;
      hits: { node: { id: string; type: string; fields: Record<string, unknown> }; scores: { keyword?: number } }[];
      total: string | number;
      invalid: { code: string; details: string; dbCode: string } | null;
      anonymous: string | null;
    };
    // The message Python wrote is stored like any other.
    expect(await t.db.getNode(seen.messageId)).toMatchObject({ type: 'Message', chatId: seen.chatId, content: 'python says zeppelin' });
    expect(seen.hits.map((h) => h.node.id).sort()).toEqual([fromNode.id, seen.messageId].sort());
    const hit = seen.hits.find((h) => h.node.id === fromNode.id)!;
    expect(hit.node.type).toBe('Message');
    expect(hit.node.fields).toMatchObject({ content: 'the zeppelin flew over the harbour', chatId: chat.id, sender: 'js' });
    expect(hit.scores.keyword).toBeGreaterThan(0);
    expect(Number(seen.total)).toBe(2);
    expect(seen.invalid).toMatchObject({ code: 'INVALID_ARGUMENT', dbCode: 'INVALID_ARGUMENT' });
    expect(seen.invalid?.details).toContain('text');
    expect(seen.anonymous).toBe('UNAUTHENTICATED');
  });
});
