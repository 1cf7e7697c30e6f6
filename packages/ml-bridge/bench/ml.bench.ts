// Run: pnpm --filter @tabagent/ml-bridge bench   → bench/results/ml-bridge.json (repo root)
//
// ONNX throughput runs on a test-generated BERT-shaped model (real all-MiniLM-L6-v2
// WordPiece tokenizer from ../shared/data, generated 384-wide graph) unless
// ML_BENCH_ONNX_MODEL_DIR points at a real model directory, e.g. a model-cache
// snapshot of sentence-transformers/all-MiniLM-L6-v2:
//   ML_BENCH_ONNX_MODEL_DIR=/path/to/all-MiniLM-L6-v2 pnpm --filter @tabagent/ml-bridge bench
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, perSecond, writeResults, type BenchResult } from '@tabagent/common/bench';
import { BuiltinMlBridge, OnnxMlBridge, type MlBridge } from '../src/index.js';
import { encoderGraph, encoderWeights } from '../test/fixtures/tiny-models.js';
import { SHARED_DATA } from '../test/quality/datasets.js';
import { compromiseWnut17F1, stsbSpearman, wnut17F1 } from '../test/quality/evaluate.js';

const results: BenchResult[] = [];
const record = (name: string, value: number, unit: string): void => {
  results.push({ name, value: Number(value.toFixed(unit === 'texts/s' ? 1 : 4)), unit });
  console.log(`${name.padEnd(36)} ${value.toFixed(unit === 'texts/s' ? 1 : 4).padStart(12)} ${unit}`);
};

/** Real chat turns: Topical-Chat test_freq (11,760 short human messages). */
async function chatTurns(): Promise<string[]> {
  const raw = JSON.parse(await readFile(join(SHARED_DATA, 'dialogue-topical-chat', 'test_freq.json'), 'utf8')) as Record<
    string,
    { content: Array<{ message: string }> }
  >;
  return Object.values(raw).flatMap((c) => c.content.map((t) => t.message));
}

/** Texts per second over the whole list in calls of `batch`, best of a few full passes (median). */
async function throughput(bridge: MlBridge, texts: readonly string[], batch: number, passes: number): Promise<number> {
  const rates: number[] = [];
  for (let p = 0; p < passes; p++) {
    const start = performance.now();
    for (let i = 0; i < texts.length; i += batch) await bridge.embed(texts.slice(i, i + batch));
    rates.push(perSecond(texts.length, performance.now() - start));
  }
  return median(rates);
}

const turns = await chatTurns();
const words = turns.reduce((n, t) => n + t.split(/\s+/).length, 0) / turns.length;
console.log(`corpus: ${turns.length} Topical-Chat turns, ${words.toFixed(1)} words each on average`);

// Builtin: a fresh bridge per pass, so the per-word feature cache starts cold each time.
{
  const rates: number[] = [];
  for (let p = 0; p < 3; p++) rates.push(await throughput(new BuiltinMlBridge(), turns, 256, 1));
  record('ml.builtin.embed', median(rates), 'texts/s');
  const builtin = new BuiltinMlBridge();
  record('ml.builtin.stsb_spearman', await stsbSpearman(builtin), 'spearman');
  const ours = await wnut17F1(builtin);
  const bare = compromiseWnut17F1();
  record('ml.builtin.wnut17_f1', ours.f1, 'f1');
  record('ml.compromise.wnut17_f1', bare.f1, 'f1');
  record('ml.builtin.wnut17_f1.ratio', ours.f1 / bare.f1, 'ratio');
}

// ONNX: batch 1 vs batch 32 on the same texts.
{
  const realDir = process.env.ML_BENCH_ONNX_MODEL_DIR;
  let dir = realDir;
  let scratch: string | undefined;
  if (!dir) {
    scratch = await mkdtemp(join(tmpdir(), 'ml-bench-'));
    dir = scratch;
    await mkdir(join(dir, 'onnx'));
    await copyFile(join(SHARED_DATA, 'tokenizer-minilm-l6-v2', 'tokenizer.json'), join(dir, 'tokenizer.json'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ _name_or_path: 'generated/bert-shaped-384', max_position_embeddings: 512 }));
    await writeFile(join(dir, 'onnx', 'model.onnx'), encoderGraph(encoderWeights(30522, 384, 3)));
  }
  const onnx = await OnnxMlBridge.create({ modelDir: dir, maxLength: 128 });
  const info = onnx.info();
  console.log(`onnx model: ${info.embedding.model} (${info.embedding.dimensions} dims) from ${realDir ? dir : 'a generated graph + real MiniLM tokenizer'}`);
  const sample = turns.slice(0, realDir ? 512 : 2048);
  await onnx.embed(sample.slice(0, 64)); // warm-up
  const one = await throughput(onnx, sample, 1, 3);
  const many = await throughput(onnx, sample, 32, 3);
  record('ml.onnx.embed.batch1', one, 'texts/s');
  record('ml.onnx.embed.batch32', many, 'texts/s');
  record('ml.onnx.embed.batch32.ratio', many / one, 'ratio');
  await onnx.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}

console.log(`wrote ${await writeResults('ml-bridge', results)}`);
