// HTTP benchmarks: `pnpm --filter @tabagent/server bench` → bench/results/server.json
//
// A real server (its own process, a 20,000-message database, builtin ML in its worker
// thread as `tabagent serve` runs it, weaver off so the numbers are the transport's) on
// loopback, measured after a warm-up that brings the write path to its steady state. Latency under constant-rate (open
// loop) load — requests are sent on a schedule whether or not earlier ones have
// answered, so queueing shows in the tail (see open-loop.ts) — and the maximum rate
// with autocannon (closed loop, 10 connections). Baselines in the same run: a bare
// node:http server reading the same database (GET), and one writing each posted
// message into a bare classic-level (POST, interleaved with every round so both see
// the same machine).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { percentileOfSorted as percentile, writeResults, type BenchResult } from '@tabagent/common/bench';
import { openLoop, type OpenLoopRequest } from './open-loop.js';
import { rawLevelPacedWrites } from './raw-write-baseline.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Metric names this benchmark owns in server.json (others add gRPC, native, open.* there). */
const OWN = /^http\./u;
const RATE = 1_000;
const SECONDS = 10;
/** Constant-rate runs per route; the median run is reported (the machine is shared and noisy). */
const ROUNDS = 3;
const WARM_UP_POST_SECONDS = 10;
const log = (line: string): void => console.log(line);

interface ServerInfo {
  url: string;
  baselineUrl: string;
  chatId: string;
  ids: string[];
}

const child: ChildProcess = fork(join(HERE, 'http-bench-server.ts'), [], {
  execArgv: ['--conditions=source', '--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const [info] = (await once(child, 'message')) as [ServerInfo];
log(`server ${info.url} (baseline ${info.baselineUrl}), ${info.ids.length} messages seeded`);

const randomId = (): string => info.ids[Math.floor(Math.random() * info.ids.length)]!;
const getNode = (): OpenLoopRequest => ({ method: 'GET', path: `/v1/nodes/${randomId()}` });
let posted = 0;
const postMessage = (): OpenLoopRequest => ({
  method: 'POST',
  path: `/v1/chats/${info.chatId}/messages`,
  body: JSON.stringify({ sender: 'bench', role: 'user', content: `benchmark message ${posted++}: what did we decide about the train to Porto?` }),
});
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** `RATE` requests per second for `seconds`. */
async function constantRate(origin: string, next: () => OpenLoopRequest, seconds = SECONDS) {
  const run = await openLoop(origin, { rate: RATE, seconds, next });
  return {
    p50: percentile(run.latencies, 50),
    p99: percentile(run.latencies, 99),
    p99FromSchedule: percentile(run.fromSchedule, 99),
    max: percentile(run.latencies, 100),
    rate: run.achievedRate,
    errors: run.errors,
  };
}

/** Closed-loop saturation: as many GETs as 10 connections get answered, for `seconds`. */
async function maxRate(base: string, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({
    url: base,
    connections: 10,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/nodes/${randomId()}` }) }],
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

const results: BenchResult[] = [];
try {
  log('warming up…');
  await maxRate(info.url, 3);
  await maxRate(info.baselineUrl, 2);
  // The write path too, until it is in its steady state: 10 s of POSTs, not recorded.
  // Measured per second after the seed, the first ~6 s of POSTs are slow while the JIT
  // optimises the write path and V8 collects the seed's garbage (a full GC ~3 s in).
  await constantRate(info.url, postMessage, WARM_UP_POST_SECONDS);
  await constantRate(info.baselineUrl, postMessage, 3);

  const gets: Awaited<ReturnType<typeof constantRate>>[] = [];
  const posts: Awaited<ReturnType<typeof constantRate>>[] = [];
  const postBaselines: Awaited<ReturnType<typeof constantRate>>[] = [];
  for (let run = 1; run <= ROUNDS; run++) {
    log(`round ${run}/${ROUNDS}: GET /v1/nodes/:id at ${RATE} req/s for ${SECONDS} s…`);
    const g = await constantRate(info.url, getNode);
    log(`  p50 ${round(g.p50)} ms, p99 ${round(g.p99)} ms (${round(g.p99FromSchedule)} ms from schedule), max ${round(g.max)} ms, sent ${Math.round(g.rate)} req/s, errors ${g.errors}`);
    gets.push(g);
    log(`round ${run}/${ROUNDS}: POST /v1/chats/:id/messages at ${RATE} req/s for ${SECONDS} s…`);
    const p = await constantRate(info.url, postMessage);
    log(`  p50 ${round(p.p50)} ms, p99 ${round(p.p99)} ms (${round(p.p99FromSchedule)} ms from schedule), max ${round(p.max)} ms, sent ${Math.round(p.rate)} req/s, errors ${p.errors}`);
    posts.push(p);
    log(`round ${run}/${ROUNDS}: baseline node:http + bare classic-level POST at ${RATE} req/s for ${SECONDS} s…`);
    const b = await constantRate(info.baselineUrl, postMessage);
    log(`  p50 ${round(b.p50)} ms, p99 ${round(b.p99)} ms (${round(b.p99FromSchedule)} ms from schedule), max ${round(b.max)} ms, sent ${Math.round(b.rate)} req/s, errors ${b.errors}`);
    postBaselines.push(b);
  }
  const median = <T extends { p99: number }>(runs: T[]): T => [...runs].sort((a, b) => a.p99 - b.p99)[Math.floor(runs.length / 2)]!;
  const get = median(gets);
  const post = median(posts);
  const postBase = median(postBaselines);
  log(`baseline raw classic-level: one batch of 2 puts at ${RATE} writes/s for ${SECONDS} s…`);
  const rawWrites = await rawLevelPacedWrites(RATE, SECONDS);
  log(`  p50 ${round(rawWrites.p50)} ms, p99 ${round(rawWrites.p99)} ms`);
  log(`baseline node:http: GET at ${RATE} req/s for ${SECONDS} s…`);
  const getBase = await constantRate(info.baselineUrl, getNode);
  log(`  p50 ${round(getBase.p50)} ms, p99 ${round(getBase.p99)} ms`);

  log('maximum GET rate (autocannon, 10 connections, 10 s)…');
  const max = await maxRate(info.url, 10);
  log(`  ${Math.round(max.rps)} req/s (p99 ${max.p99} ms at saturation), errors ${max.errors}`);
  const maxBase = await maxRate(info.baselineUrl, 10);
  log(`  baseline node:http: ${Math.round(maxBase.rps)} req/s`);

  const failed = [...gets, ...posts, ...postBaselines, getBase].reduce((n, r) => n + r.errors, 0) + max.errors + maxBase.errors;
  if (failed > 0) throw new Error(`${failed} requests failed`);
  results.push(
    { name: 'http.get.p99@1000rps', value: round(get.p99), unit: 'ms' },
    { name: 'http.get.p50@1000rps', value: round(get.p50), unit: 'ms' },
    { name: 'http.get.p99@1000rps.from_schedule', value: round(get.p99FromSchedule), unit: 'ms' },
    { name: 'http.get.sent_rps@1000rps', value: Math.round(get.rate), unit: 'req/s' },
    { name: 'http.get.p99@1000rps.baseline_node_http', value: round(getBase.p99), unit: 'ms' },
    { name: 'http.post.p99@1000rps', value: round(post.p99), unit: 'ms' },
    { name: 'http.post.p50@1000rps', value: round(post.p50), unit: 'ms' },
    { name: 'http.post.p99@1000rps.from_schedule', value: round(post.p99FromSchedule), unit: 'ms' },
    { name: 'http.post.sent_rps@1000rps', value: Math.round(post.rate), unit: 'req/s' },
    { name: 'http.post.p99@1000rps.baseline_raw_level_write', value: round(rawWrites.p99), unit: 'ms' },
    { name: 'http.post.p99@1000rps.baseline_node_http_level', value: round(postBase.p99), unit: 'ms' },
    { name: 'http.post.p50@1000rps.baseline_node_http_level', value: round(postBase.p50), unit: 'ms' },
    { name: 'http.get.max_rps', value: Math.round(max.rps), unit: 'req/s' },
    { name: 'http.get.max_rps.baseline_node_http', value: Math.round(maxBase.rps), unit: 'req/s' },
    { name: 'http.get.max_rps.ratio_vs_node_http', value: round(max.rps / maxBase.rps), unit: 'ratio' },
  );
} finally {
  child.disconnect();
  await once(child, 'exit');
}

// Merge: other benchmarks (gRPC, native messaging, open.*) own the other names in this file.
const written = await writeResults('server', results, { replace: (name) => OWN.test(name) });
log(`wrote ${results.length} results to ${written}`);
for (const r of results) log(`  ${r.name} = ${r.value} ${r.unit}`);
