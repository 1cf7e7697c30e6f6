/**
 * The load generator of grpc-native.bench.ts, in its own thread so it does not share
 * an event loop with the server it measures. Open loop at a fixed rate (latency from
 * each request's scheduled time, so a stall counts against every request it delays) or
 * closed loop at a fixed concurrency (throughput).
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import { databaseClientConstructor } from '../src/grpc/index.js';

export interface LoadJob {
  target: 'grpc' | 'rest';
  /** gRPC `host:port` or REST base URL. */
  address: string;
  ids: string[];
  mode: 'rate' | 'max';
  /** Requests per second (mode rate). */
  rate?: number;
  /** In-flight requests (mode max). */
  concurrency?: number;
  durationMs: number;
}

export interface LoadResult {
  latenciesMs: number[];
  completed: number;
  errors: number;
  elapsedMs: number;
  /** Event-loop utilisation of the generator thread (near 1: the client, not the server, was the limit). */
  clientElu: number;
}

type Get = (id: string) => Promise<void>;

function grpcGetter(address: string): { get: Get; close(): void } {
  const Client = databaseClientConstructor();
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    GetNode(r: object, cb: (err: grpc.ServiceError | null) => void): void;
  };
  return {
    get: (id) => new Promise((resolve, reject) => client.GetNode({ id }, (err) => (err ? reject(err) : resolve()))),
    close: () => client.close(),
  };
}

function restGetter(baseUrl: string): { get: Get; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(baseUrl);
  return {
    get: (id) =>
      new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: `/v1/nodes/${encodeURIComponent(id)}`, agent }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

async function run(job: LoadJob): Promise<LoadResult> {
  const { get, close } = job.target === 'grpc' ? grpcGetter(job.address) : restGetter(job.address);
  const latenciesMs: number[] = [];
  let completed = 0;
  let errors = 0;
  let n = 0;
  const pick = (): string => job.ids[n++ % job.ids.length]!;
  // Warm up the connection.
  for (let i = 0; i < 200; i++) await get(pick());
  const elu0 = performance.eventLoopUtilization();
  const start = performance.now();
  const end = start + job.durationMs;
  if (job.mode === 'rate') {
    const interval = 1000 / job.rate!;
    const inflight = new Set<Promise<void>>();
    let next = start;
    while (next < end) {
      const now = performance.now();
      while (next <= now && next < end) {
        const scheduled = next;
        const p = get(pick()).then(
          () => {
            completed++;
            latenciesMs.push(performance.now() - scheduled);
          },
          () => {
            errors++;
          },
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        next += interval;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(1, next - performance.now()))));
    }
    await Promise.all(inflight);
  } else {
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await get(pick());
          completed++;
          latenciesMs.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: job.concurrency! }, loop));
  }
  const elapsedMs = performance.now() - start;
  const clientElu = performance.eventLoopUtilization(elu0).utilization;
  close();
  return { latenciesMs, completed, errors, elapsedMs, clientElu };
}

parentPort!.postMessage(await run(workerData as LoadJob));
