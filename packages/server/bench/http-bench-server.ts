// The server side of the HTTP benchmark, in its own process so that the load
// generator and the server do not share an event loop. Opens a database in a temp
// dir, seeds it, serves it with `startHttpServer` and, as the baseline, with a bare
// node:http server reading the same database; reports both URLs over IPC.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TabAgent, tuneGcForLatency } from 'tabagent';
import { startHttpServer } from '../src/index.js';

/** Messages in the database before the run. */
const SEED_MESSAGES = 20_000;
const SEED_BATCH = 1_000;

// As `tabagent serve` does at startup, before the seed's bulk inserts.
tuneGcForLatency();
const dir = await mkdtemp(join(tmpdir(), 'tabagent-http-bench-'));
const db = await TabAgent.open(dir, { ml: { provider: 'builtin' }, mlInWorker: false, weaver: false, logger: { info: () => {}, warn: () => {} } });
const chat = await db.createChat({ title: 'benchmark' });
const ids: string[] = [];
for (let i = 0; i < SEED_MESSAGES; i += SEED_BATCH) {
  const nodes = Array.from({ length: SEED_BATCH }, (_, j) => ({
    type: 'Message' as const,
    chatId: chat.id,
    sender: j % 2 === 0 ? 'user' : 'assistant',
    role: j % 2 === 0 ? ('user' as const) : ('assistant' as const),
    content: `message ${i + j}: shall we meet in Lisbon or Porto next spring, and who books the train?`,
  }));
  for (const node of await db.insertNodes(nodes)) ids.push(node.id);
}

const server = await startHttpServer(db, { port: 0 });

// Baseline: the same read with nothing but node:http around it.
const baseline = http.createServer((req, res) => {
  const id = req.url?.startsWith('/v1/nodes/') ? decodeURIComponent(req.url.slice('/v1/nodes/'.length)) : '';
  db.getNode(id).then(
    (node) => {
      const body = JSON.stringify(node);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
    },
    () => res.writeHead(404).end(),
  );
});
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  baseline.closeAllConnections();
  await new Promise((resolve) => baseline.close(resolve));
  await server.close();
  await db.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.send!({ url: server.url, baselineUrl, chatId: chat.id, ids });
