import { normalizeEntityLabel } from '../entity-labels.js';
import type { MlEntity } from '../ml-bridge.js';

/** One token's prediction, with UTF-16 offsets. */
export interface TokenPrediction {
  /** Raw label from the model's `id2label`, e.g. `B-PER`, `I-LOC`, `O`. */
  label: string;
  /** Probability of that label. */
  score: number;
  start: number;
  end: number;
  /** Word the token belongs to (sub-word pieces share it); null for special tokens. */
  wordId: number | null;
}

/**
 * Groups BIO/IOB token predictions into entity spans:
 * 1. word level: a word takes the prediction of its first sub-word piece (the
 *    "first" strategy of Hugging Face pipelines, matching how models are trained)
 *    and spans all of its pieces;
 * 2. entity level: `B-X` opens an entity, `I-X` extends an open `X` (or opens one,
 *    tolerating IOB1 and model slips), anything else closes it.
 * An entity's score is the mean of its words' scores.
 *
 * @example
 * aggregateBio(predictions, 'John Smith lives in Paris.')
 * // [{text:'John Smith',label:'PERSON',start:0,end:10,…}, {text:'Paris',label:'LOCATION',…}]
 */
export function aggregateBio(tokens: readonly TokenPrediction[], text: string): MlEntity[] {
  interface Word {
    label: string;
    score: number;
    start: number;
    end: number;
  }
  const words: Word[] = [];
  let lastWordId: number | null = null;
  for (const t of tokens) {
    if (t.wordId === null || t.end <= t.start) {
      lastWordId = null;
      continue;
    }
    const current = words[words.length - 1];
    if (t.wordId === lastWordId && current) {
      current.end = Math.max(current.end, t.end);
    } else {
      words.push({ label: t.label, score: t.score, start: t.start, end: t.end });
    }
    lastWordId = t.wordId;
  }

  const entities: MlEntity[] = [];
  let open: { type: string; start: number; end: number; scores: number[] } | undefined;
  const close = (): void => {
    if (!open) return;
    entities.push({
      text: text.slice(open.start, open.end),
      label: normalizeEntityLabel(open.type),
      start: open.start,
      end: open.end,
      score: open.scores.reduce((a, b) => a + b, 0) / open.scores.length,
    });
    open = undefined;
  };
  for (const w of words) {
    const { prefix, type } = splitTag(w.label);
    if (type === undefined) {
      close();
      continue;
    }
    if (prefix === 'B' || prefix === 'S' || prefix === 'U' || !open || open.type !== type) {
      close();
      open = { type, start: w.start, end: w.end, scores: [w.score] };
    } else {
      open.end = w.end;
      open.scores.push(w.score);
    }
    if (prefix === 'E' || prefix === 'L' || prefix === 'S' || prefix === 'U') close();
  }
  close();
  return entities;
}

/** `B-PER` → {prefix:'B', type:'PER'}; `O` → no type; a bare `PER` is treated as `I-PER`. */
function splitTag(label: string): { prefix: string; type: string | undefined } {
  if (label === 'O' || label === '') return { prefix: 'O', type: undefined };
  const m = /^([BIESLU])[-_](.+)$/.exec(label);
  return m ? { prefix: m[1] as string, type: m[2] as string } : { prefix: 'I', type: label };
}
