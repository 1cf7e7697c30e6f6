// The server side of the HTTP benchmark, in its own process so that the load
// generator and the server do not share an event loop. Opens a database in a temp
// dir, seeds it, serves it with `startHttpServer` and, as the baselines, with a bare
// node:http server (reads from the same database, writes to a bare classic-level);
// reports both URLs over IPC.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { TabAgent, tuneGcForLatency } from 'tabagent';
import { startHttpServer } from '../src/index.js';

/** Messages in the database before the run. */
const SEED_MESSAGES = 20_000;
const SEED_BATCH = 1_000;

// As `tabagent serve` does at startup, before the seed's bulk inserts.
tuneGcForLatency();
const dir = await mkdtemp(join(tmpdir(), 'tabagent-http-bench-'));
// ML in its worker thread, as `tabagent serve` runs it (with ML in this thread the
// server's heap was ~40 MB larger, and every major GC slower).
const db = await TabAgent.open(dir, { ml: { provider: 'builtin' }, mlInWorker: true, weaver: false, logger: { info: () => {}, warn: () => {} } });
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

// Baselines with nothing but node:http around them: the same read, and for POST a
// write of the parsed message straight into a bare classic-level (one batch of the
// record and a log entry; no validation, no indexes).
const rawDir = await mkdtemp(join(tmpdir(), 'tabagent-http-bench-raw-'));
const raw = new ClassicLevel<string, string>(rawDir, { valueEncoding: 'utf8' });
await raw.open();
let rawSeq = 0;
function baselinePost(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    // Assigned, not `{ ...parsed, id }`: that literal form is slow on Node 20 (see withFields).
    const message = Object.assign(JSON.parse(Buffer.concat(chunks).toString('utf8')) as object, { id: `msg_${String(++rawSeq).padStart(12, '0')}` });
    const body = JSON.stringify(message);
    raw.batch([
      { type: 'put', key: message.id, value: body },
      { type: 'put', key: `log_${message.id}`, value: message.id },
    ]).then(
      () => res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body),
      () => res.writeHead(500).end(),
    );
  });
}
const baseline = http.createServer((req, res) => {
  if (req.method === 'POST') return baselinePost(req, res);
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
  await raw.close();
  await rm(dir, { recursive: true, force: true });
  await rm(rawDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
process.send!({ url: server.url, baselineUrl, chatId: chat.id, ids });
