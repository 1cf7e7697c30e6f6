import { readFileSync } from 'node:fs';
import { SHARED_DATA } from '../../../../tools/shared-data.js';

export { SHARED_DATA };

export interface StsPair {
  score: number;
  a: string;
  b: string;
}

/** STS Benchmark test split: tab-separated, first 7 fields, no CSV quoting (see SOURCE.md). */
export function loadStsb(): StsPair[] {
  const raw = readFileSync(`${SHARED_DATA}stsb-test/sts-test.csv`, 'utf8');
  return raw
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'))
    .map((f) => ({ score: Number(f[4]), a: f[5] ?? '', b: f[6] ?? '' }));
}

export type CoarseType = 'PER' | 'LOC' | 'ORG';

export interface GoldSpan {
  start: number;
  end: number;
  type: CoarseType;
}

export interface NerSentence {
  /** Tokens joined by single spaces (the corpus is pre-tokenised). */
  text: string;
  gold: GoldSpan[];
}

// WNUT-17 types onto the PER/LOC/ORG the task asks for; product and creative-work are
// not scored.
const WNUT_TYPES: Record<string, CoarseType> = { person: 'PER', location: 'LOC', group: 'ORG', corporation: 'ORG' };

/** WNUT-2017 test: `token<TAB>IOB2-tag` lines, blank line between sentences. */
export function loadWnut17(): NerSentence[] {
  const raw = readFileSync(`${SHARED_DATA}ner-wnut17-test/emerging.test.annotated`, 'utf8');
  const sentences: NerSentence[] = [];
  let tokens: Array<[string, string]> = [];
  const flush = (): void => {
    if (tokens.length === 0) return;
    let text = '';
    const spans: Array<{ start: number; end: number; type: string }> = [];
    let open: { start: number; end: number; type: string } | undefined;
    for (const [token, tag] of tokens) {
      if (text !== '') text += ' ';
      const start = text.length;
      text += token;
      const [bio, type = ''] = tag.split('-', 2) as [string, string?];
      if (bio !== 'I' || !open || open.type !== type) {
        if (open) spans.push(open);
        open = undefined;
      }
      if (bio === 'B' || bio === 'I') {
        if (open) open.end = text.length;
        else open = { start, end: text.length, type };
      }
    }
    if (open) spans.push(open);
    const gold = spans.flatMap((s) => {
      const type = WNUT_TYPES[s.type];
      return type ? [{ start: s.start, end: s.end, type }] : [];
    });
    sentences.push({ text, gold });
    tokens = [];
  };
  for (const line of raw.split('\n')) {
    if (line.trim() === '') flush();
    else {
      const [token = '', tag = 'O'] = line.split('\t');
      tokens.push([token, tag.trim()]);
    }
  }
  flush();
  return sentences;
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    for (let k = i; k <= j; k++) out[(order[k] as readonly [number, number])[1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sx += dx * dx;
    sy += dy * dy;
  }
  return sxy / Math.sqrt(sx * sy);
}

export interface F1 {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Exact-span, exact-type entity F1 (CoNLL style) over predicted vs gold spans. */
export function entityF1(predicted: readonly GoldSpan[][], gold: readonly GoldSpan[][]): F1 {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  predicted.forEach((pred, i) => {
    const key = (s: GoldSpan): string => `${s.start}:${s.end}:${s.type}`;
    const goldKeys = new Set((gold[i] ?? []).map(key));
    const predKeys = new Set(pred.map(key));
    for (const k of predKeys) if (goldKeys.has(k)) tp++;
    else fp++;
    for (const k of goldKeys) if (!predKeys.has(k)) fn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePositives: tp, falsePositives: fp, falseNegatives: fn };
}
