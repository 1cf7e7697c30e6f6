/**
 * Memory-quality benchmark (issue 17): how often the default search puts an evidence turn
 * of a LoCoMo question in its top k, in the setup a new user would have. See README.md
 * beside this file for the setup stated exactly.
 *
 * Writes bench/results/memory.json at the repository root.
 * Run: pnpm --filter tabagent bench [-- --provider onnx] [-- --out other-name]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarise, writeResults, type BenchResult } from '@tabagent/common/bench';
import type { MlBridgeConfig } from '@tabagent/ml-bridge';
import { TabAgent, type SearchOptions } from '../src/index.js';
import { Bm25Baseline } from './bm25-baseline.js';
import { loadLocomo, LOCOMO_ZIP, type LocomoQuestion } from './locomo.js';

const { values: args } = parseArgs({
  // `pnpm bench -- --provider onnx` passes the `--` on: it ends no options here.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    provider: { type: 'string', default: 'builtin' },
    'model-dir': { type: 'string' },
    out: { type: 'string', default: 'memory' },
    conversations: { type: 'string' },
  },
  allowPositionals: true,
});

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

/** Per question: recall@10, recall@5 and reciprocal rank (within 10) of the first evidence hit. */
interface Scored {
  category: LocomoQuestion['category'];
  recall10: number;
  recall5: number;
  rr10: number;
}

function score(question: LocomoQuestion, ranked: readonly (string | undefined)[]): Omit<Scored, 'category'> {
  const evidence = new Set(question.evidence);
  const found = (k: number): number => new Set(ranked.slice(0, k).filter((d) => d !== undefined && evidence.has(d))).size / evidence.size;
  const first = ranked.slice(0, 10).findIndex((d) => d !== undefined && evidence.has(d));
  return { recall10: found(10), recall5: found(5), rr10: first < 0 ? 0 : 1 / (first + 1) };
}

const average = (rows: readonly Scored[], pick: (s: Scored) => number): number => rows.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, rows.length);

async function main(): Promise<void> {
  const conversations = loadLocomo();
  if (conversations === undefined) {
    console.log(`memory bench skipped: LoCoMo not found at ${LOCOMO_ZIP} (set TABAGENT_SHARED_DATA to the folder holding dialogue-locomo/)`);
    return;
  }
  const only = args.conversations?.split(',');
  const ml = { provider: args.provider, ...(args['model-dir'] === undefined ? {} : { modelDir: args['model-dir'] }) } as MlBridgeConfig;
  const modes = { hybrid: [] as Scored[], keyword: [] as Scored[], semantic: [] as Scored[], bm25: [] as Scored[] };
  // What each query-time mechanism adds: the default search with one of them switched off.
  const ablations: Record<string, { options: SearchOptions; scored: Scored[] }> = {
    no_participants: { options: { participants: false }, scored: [] },
    no_dates: { options: { dates: false }, scored: [] },
    no_floor: { options: { minScore: 0 }, scored: [] },
    no_neighbours: { options: { neighbours: 0 }, scored: [] },
    no_entities: { options: { entities: false }, scored: [] },
  };
  const latencies: number[] = [];
  let providerInfo = '';
  const started = performance.now();

  for (const conversation of conversations) {
    if (only !== undefined && !only.includes(conversation.id)) continue;
    const dir = await mkdtemp(join(tmpdir(), `tabagent-memory-${conversation.id}-`));
    try {
      const db = await TabAgent.open(dir, { ml, modelDir: args['model-dir'], logger: { info() {}, warn() {} } });
      try {
        const info = db.inference.info();
        providerInfo = `${info.provider} (${info.quality}, ${info.embedding.model})`;
        const turnOf = new Map<string, string>(); // message id → dia_id
        const baseline = new Bm25Baseline();
        const ingestStart = performance.now();
        for (const session of conversation.sessions) {
          const chat = await db.createChat({ title: session.dateTime });
          for (const turn of session.turns) {
            const message = await db.addMessage(chat.id, { sender: turn.speaker, role: 'user', content: turn.content, timestamp: session.timestamp });
            turnOf.set(message.id, turn.diaId);
            baseline.add(turn.diaId, turn.content);
          }
        }
        await db.whenEnriched();
        const ingestMs = performance.now() - ingestStart;

        const run = async (question: string, options: SearchOptions): Promise<(string | undefined)[]> => {
          const { hits } = await db.search(question, options);
          return hits.map((h) => turnOf.get(h.node.id));
        };
        for (const q of conversation.questions) {
          const t0 = performance.now();
          const hybrid = await run(q.question, { limit: 10 });
          latencies.push(performance.now() - t0);
          modes.hybrid.push({ category: q.category, ...score(q, hybrid) });
          modes.keyword.push({ category: q.category, ...score(q, await run(q.question, { limit: 10, mode: 'keyword' })) });
          modes.semantic.push({ category: q.category, ...score(q, await run(q.question, { limit: 10, mode: 'semantic' })) });
          modes.bm25.push({ category: q.category, ...score(q, baseline.search(q.question, 10)) });
          for (const ablation of Object.values(ablations)) ablation.scored.push({ category: q.category, ...score(q, await run(q.question, { limit: 10, ...ablation.options })) });
        }
        const mine = modes.hybrid.slice(-conversation.questions.length);
        console.log(
          `conversation ${conversation.id}: ${turnOf.size} turns in ${conversation.sessions.length} sessions, ingested and enriched in ${(ingestMs / 1000).toFixed(1)} s; ` +
            `${conversation.questions.length} questions, recall@10 ${average(mine, (s) => s.recall10).toFixed(3)}`,
        );
      } finally {
        await db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const latency = summarise(latencies);
  const results: BenchResult[] = [
    { name: 'memory.locomo.recall10', value: round(average(modes.hybrid, (s) => s.recall10)), unit: 'ratio' },
    { name: 'memory.locomo.recall5', value: round(average(modes.hybrid, (s) => s.recall5)), unit: 'ratio' },
    { name: 'memory.locomo.mrr10', value: round(average(modes.hybrid, (s) => s.rr10)), unit: 'ratio' },
    ...([1, 2, 3, 4] as const).map((c) => ({
      name: `memory.locomo.recall10.cat${c}`,
      value: round(average(modes.hybrid.filter((s) => s.category === c), (s) => s.recall10)),
      unit: 'ratio',
    })),
    { name: 'memory.locomo.recall10.keyword', value: round(average(modes.keyword, (s) => s.recall10)), unit: 'ratio' },
    { name: 'memory.locomo.recall10.semantic', value: round(average(modes.semantic, (s) => s.recall10)), unit: 'ratio' },
    { name: 'memory.locomo.recall10.bm25_baseline', value: round(average(modes.bm25, (s) => s.recall10)), unit: 'ratio' },
    { name: 'memory.locomo.search.p50', value: round(latency.p50), unit: 'ms' },
    { name: 'memory.locomo.search.p99', value: round(latency.p99), unit: 'ms' },
    ...Object.entries(ablations).map(([name, a]) => ({ name: `memory.locomo.ablation.${name}.recall10`, value: round(average(a.scored, (s) => s.recall10)), unit: 'ratio' })),
  ];
  console.log(`provider ${providerInfo}; ${modes.hybrid.length} questions (categories 1–4) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.table(results);
  const file = await writeResults(args.out, results);
  console.log(`wrote ${file}`);
}

await main();
