import nlp from 'compromise';
import type { MlBridge } from '../../src/index.js';
import { entityF1, loadStsb, loadWnut17, spearman, type CoarseType, type F1, type GoldSpan } from './datasets.js';

const TO_COARSE: Record<string, CoarseType> = { PERSON: 'PER', LOCATION: 'LOC', ORG: 'ORG' };

/** Spearman of cosine similarity vs gold score on the STS-B test split (1,379 pairs). */
export async function stsbSpearman(bridge: MlBridge): Promise<number> {
  const pairs = loadStsb();
  const a = await bridge.embed(pairs.map((p) => p.a));
  const b = await bridge.embed(pairs.map((p) => p.b));
  const sims = pairs.map((_, i) => cosine(a[i] as Float32Array, b[i] as Float32Array));
  return spearman(sims, pairs.map((p) => p.score));
}

/** Entity F1 of a bridge's PERSON/LOCATION/ORG on WNUT-17 test. */
export async function wnut17F1(bridge: MlBridge): Promise<F1> {
  const sentences = loadWnut17();
  const predicted = await bridge.extractEntities(sentences.map((s) => s.text));
  return entityF1(
    predicted.map((entities) =>
      entities.flatMap((e) => {
        const type = TO_COARSE[e.label];
        return type ? [{ start: e.start, end: e.end, type }] : [];
      }),
    ),
    sentences.map((s) => s.gold),
  );
}

/**
 * The baseline: compromise alone, as its README shows it — `people()`, `places()`,
 * `organizations()` — with spans from its own term offsets (punctuation excluded).
 */
export function compromiseWnut17F1(): F1 {
  const sentences = loadWnut17();
  const predicted = sentences.map((s) => {
    const doc = nlp(s.text);
    const out: GoldSpan[] = [];
    const views: Array<[unknown, CoarseType]> = [
      [doc.people(), 'PER'],
      [doc.places(), 'LOC'],
      [doc.organizations(), 'ORG'],
    ];
    for (const [view, type] of views) {
      const matches = (view as { json(o: object): Array<{ terms: Array<{ offset: { start: number; length: number } }> }> }).json({
        offset: true,
      });
      for (const m of matches) {
        const first = m.terms[0];
        const last = m.terms[m.terms.length - 1];
        if (first && last) out.push({ start: first.offset.start, end: last.offset.start + last.offset.length, type });
      }
    }
    return out;
  });
  return entityF1(predicted, sentences.map((s) => s.gold));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
