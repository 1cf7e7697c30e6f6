/**
 * gRPC and native-messaging benchmarks (issue 9), written into bench/results/server.json
 * beside the HTTP ones (only these names are replaced):
 * - grpc.get.p99 — unary GetNode p99 at a constant 1,000 req/s on loopback (ms);
 * - grpc.get.max_rps — GetNode throughput at 64 in flight (req/s);
 * - grpc.rest_baseline.get.p99 / .max_rps — the same load on REST GET /v1/nodes/:id, same run;
 * - native.roundtrip.p50 / .p99 — a spawned native host, one nodes.get at a time (ms).
 *
 * Run: pnpm --filter @tabagent/server bench:grpc
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TabAgent, tuneGcForLatency } from 'tabagent';
import { percentile, perSecond, writeResults, type BenchResult } from '@tabagent/common/bench';
import { startGrpcServer } from '../src/grpc/index.js';
import { startHttpServer } from '../src/http/start-http-server.js';
import type { LoadJob, LoadResult } from './load-worker.js';

const here = dirname(fileURLToPath(import.meta.url));
const OURS = ['grpc.get.p99', 'grpc.get.max_rps', 'grpc.rest_baseline.get.p99', 'grpc.rest_baseline.get.max_rps', 'native.roundtrip.p50', 'native.roundtrip.p99'];
const NODES = 10_000;
const RATE = 1_000;
const DURATION_MS = 10_000;
const CONCURRENCY = 64;
const NATIVE_ROUNDTRIPS = 3_000;

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Workers do not inherit `--import tsx` on Node 20: register tsx's ESM hooks inside the worker first. */
function workerBootstrap(file: URL): string {
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\/index\.cjs$/u, '/index.mjs');
  return `import(${JSON.stringify(tsxApi)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(file.href)}); });`;
}

function load(job: LoadJob): Promise<LoadResult & { serverElu: number }> {
  const elu0 = performance.eventLoopUtilization();
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerBootstrap(new URL('./load-worker.ts', import.meta.url)), { eval: true, workerData: job, execArgv: ['--conditions=source'] });
    worker.once('message', (result: LoadResult) => {
      void worker.terminate();
      resolve({ ...result, serverElu: performance.eventLoopUtilization(elu0).utilization });
    });
    worker.once('error', reject);
  });
}

async function nativeRoundtrips(): Promise<number[]> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, '..', 'test', 'fixtures', 'native-host-entry.ts')], {
    cwd: join(here, '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let pending: Buffer = Buffer.alloc(0);
  const waiting = new Map<number, (message: { ok: boolean; result?: any; error?: unknown }) => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32LE(0)) {
      const length = pending.readUInt32LE(0);
      const message = JSON.parse(pending.subarray(4, 4 + length).toString('utf8'));
      pending = pending.subarray(4 + length);
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    }
  });
  let nextId = 1;
  const call = (method: string, params: unknown): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (m) => (m.ok ? resolve(m.result) : reject(new Error(JSON.stringify(m.error)))));
      const body = Buffer.from(JSON.stringify({ id, method, params }));
      const header = Buffer.alloc(4);
      header.writeUInt32LE(body.length);
      child.stdin.write(Buffer.concat([header, body]));
    });
  const chat = await call('chats.create', { title: 'bench' });
  const nodes = await call('nodes.insert', {
    nodes: Array.from({ length: 1_000 }, (_, i) => ({ type: 'Message', chatId: chat.id, sender: 'bench', role: 'user', content: `native message ${i} about the weather in town` })),
  });
  const ids = (nodes as { id: string }[]).map((n) => n.id);
  for (let i = 0; i < 300; i++) await call('nodes.get', { id: ids[i % ids.length] });
  const latencies: number[] = [];
  for (let i = 0; i < NATIVE_ROUNDTRIPS; i++) {
    const t0 = performance.now();
    await call('nodes.get', { id: ids[(i * 7) % ids.length] });
    latencies.push(performance.now() - t0);
  }
  child.stdin.end();
  await new Promise((resolve) => child.once('exit', resolve));
  return latencies;
}

async function main(): Promise<void> {
  tuneGcForLatency(); // as `tabagent serve` does at startup
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-grpc-bench-'));
  const db = await TabAgent.open(dir, { ml: { provider: 'builtin' }, mlInWorker: true, weaver: false, logger: { info: () => {}, warn: () => {} } }); // ML in a worker, as served
  const chat = await db.createChat({ title: 'bench' });
  const inserted = await db.insertNodes(
    Array.from({ length: NODES }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 'bench', role: 'user' as const, content: `message ${i}: ${'lorem ipsum dolor sit amet '.repeat(30)}` })),
  );
  const ids = inserted.map((n) => n.id).sort(() => Math.random() - 0.5);
  const grpcServer = await startGrpcServer(db, { port: 0 });
  const http = await startHttpServer(db, { port: 0 });
  const metrics: BenchResult[] = [];
  try {
    // Alternate targets so drift on a shared machine hits both alike.
    const grpcRate = await load({ target: 'grpc', address: grpcServer.address, ids, mode: 'rate', rate: RATE, durationMs: DURATION_MS });
    const restRate = await load({ target: 'rest', address: http.url, ids, mode: 'rate', rate: RATE, durationMs: DURATION_MS });
    const grpcMax = await load({ target: 'grpc', address: grpcServer.address, ids, mode: 'max', concurrency: CONCURRENCY, durationMs: DURATION_MS });
    const restMax = await load({ target: 'rest', address: http.url, ids, mode: 'max', concurrency: CONCURRENCY, durationMs: DURATION_MS });
    for (const [name, r] of [
      ['grpc rate', grpcRate],
      ['rest rate', restRate],
      ['grpc max', grpcMax],
      ['rest max', restMax],
    ] as const) {
      console.log(`${name}: ${r.completed} ok, ${r.errors} errors in ${Math.round(r.elapsedMs)} ms; p50 ${round(percentile(r.latenciesMs, 50))} ms, p99 ${round(percentile(r.latenciesMs, 99))} ms; event loop busy: server ${round(r.serverElu, 2)}, client ${round(r.clientElu, 2)}`);
      if (r.errors > 0) throw new Error(`${name}: ${r.errors} requests failed`);
    }
    metrics.push(
      { name: 'grpc.get.p99', value: round(percentile(grpcRate.latenciesMs, 99)), unit: 'ms' },
      { name: 'grpc.get.max_rps', value: Math.round(perSecond(grpcMax.completed, grpcMax.elapsedMs)), unit: 'req/s' },
      { name: 'grpc.rest_baseline.get.p99', value: round(percentile(restRate.latenciesMs, 99)), unit: 'ms' },
      { name: 'grpc.rest_baseline.get.max_rps', value: Math.round(perSecond(restMax.completed, restMax.elapsedMs)), unit: 'req/s' },
    );
  } finally {
    await grpcServer.close();
    await http.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
  const native = await nativeRoundtrips();
  metrics.push(
    { name: 'native.roundtrip.p50', value: round(percentile(native, 50)), unit: 'ms' },
    { name: 'native.roundtrip.p99', value: round(percentile(native, 99)), unit: 'ms' },
  );
  for (const m of metrics) console.log(`${m.name}: ${m.value} ${m.unit}`);
  const get = (name: string): number => metrics.find((m) => m.name === name)!.value;
  console.log(`gRPC/REST p99: ${round(get('grpc.get.p99') / get('grpc.rest_baseline.get.p99'), 2)}×; max rps: ${round(get('grpc.get.max_rps') / get('grpc.rest_baseline.get.max_rps'), 2)}×`);

  // Replace only our names: the HTTP benchmark writes the same file.
  console.log(`wrote ${await writeResults('server', metrics, { replace: (name) => OURS.includes(name) })}`);
}

await main();
