import { DbError } from '@tabagent/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY_LABELS, type MlBridge } from '../src/index.js';

/** What a provider under test is, and how to make one. */
export interface ConformanceTarget {
  /** Makes a fresh, open bridge. */
  create(): Promise<MlBridge>;
  /** Runs after the suite (remove temp dirs, stop servers). */
  teardown?(): Promise<void>;
}

const TEXTS = [
  'The cat sat on the mat.',
  'John Smith lives in New York and works at Acme Corp.',
  'Ada Lovelace met Charles Babbage in London on 5 June 1833.',
  'Email me at ada@example.com or read https://example.org/notes.',
  'A dog ran in the park while the sun shines.',
  '😀 emoji first, then words',
];

const expectCode = async (promise: Promise<unknown>, code: string): Promise<void> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(DbError.is(err), `expected a DbError, got ${String(err)}`).toBe(true);
  expect((err as DbError).code).toBe(code);
};

/**
 * The contract every MlBridge provider must meet, whatever its backend: shapes,
 * determinism, batch invariance, offsets, lengths, errors and lifecycle. Run it
 * against every provider (builtin, onnx, openai, worker proxies).
 */
export function describeMlBridgeConformance(name: string, target: ConformanceTarget): void {
  describe(`MlBridge conformance: ${name}`, () => {
    let bridge: MlBridge;

    beforeAll(async () => {
      bridge = await target.create();
    });
    afterAll(async () => {
      await bridge?.close();
      await target.teardown?.();
    });

    it('reports what it runs', () => {
      const info = bridge.info();
      expect(typeof info.provider).toBe('string');
      expect(['lexical', 'semantic']).toContain(info.quality);
      expect(info.embedding.model.length).toBeGreaterThan(0);
      expect(info.entities.model.length).toBeGreaterThan(0);
      expect(['extractive', 'abstractive']).toContain(info.summarizer.kind);
      expect(bridge.status).toBe('open');
    });

    it('embeds one finite vector per text, in order, of the advertised size', async () => {
      const vectors = await bridge.embed(TEXTS);
      expect(vectors).toHaveLength(TEXTS.length);
      const dims = bridge.info().embedding.dimensions;
      expect(dims).toBeGreaterThan(0);
      for (const v of vectors) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(dims);
        expect(v.every(Number.isFinite)).toBe(true);
        if (bridge.info().embedding.normalized) expect(Math.hypot(...v)).toBeCloseTo(1, 4);
      }
      expect(await bridge.embed([])).toEqual([]);
    });

    it('gives a text the same vector alone, repeated, or in any batch', async () => {
      const batch = await bridge.embed(TEXTS);
      const alone = await bridge.embed([TEXTS[4] as string]);
      const reversed = await bridge.embed([...TEXTS].reverse());
      const a = alone[0] as Float32Array;
      for (const other of [batch[4], reversed[TEXTS.length - 5]] as Float32Array[]) {
        for (let i = 0; i < a.length; i++) expect(other[i]).toBeCloseTo(a[i] as number, 5);
      }
    });

    it('embeds empty and whitespace-only texts without failing', async () => {
      const vectors = await bridge.embed(['', '   ']);
      expect(vectors).toHaveLength(2);
      for (const v of vectors) expect(v.every(Number.isFinite)).toBe(true);
    });

    it('finds entities whose offsets slice the input exactly', async () => {
      const all = await bridge.extractEntities([...TEXTS, '']);
      expect(all).toHaveLength(TEXTS.length + 1);
      expect(all[TEXTS.length]).toEqual([]);
      all.forEach((entities, i) => {
        const input = [...TEXTS, ''][i] as string;
        let lastEnd = -1;
        for (const e of entities) {
          expect(input.slice(e.start, e.end)).toBe(e.text);
          expect(e.end).toBeGreaterThan(e.start);
          expect(e.start).toBeGreaterThanOrEqual(lastEnd);
          expect(ENTITY_LABELS).toContain(e.label);
          expect(e.score).toBeGreaterThanOrEqual(0);
          expect(e.score).toBeLessThanOrEqual(1);
          lastEnd = e.end;
        }
      });
      expect(all.flat().length).toBeGreaterThan(0);
    });

    it('summarises within maxLength', async () => {
      for (const maxLength of [40, 120, 1000]) {
        const summary = await bridge.summarize(TEXTS, { maxLength });
        expect(summary.length).toBeGreaterThan(0);
        expect(summary.length).toBeLessThanOrEqual(maxLength);
      }
      expect(await bridge.summarize([])).toBe('');
      expect(await bridge.summarize(['  ', '\n'])).toBe('');
    });

    it('rejects bad arguments with INVALID_ARGUMENT', async () => {
      await expectCode(bridge.embed('not an array' as unknown as string[]), 'INVALID_ARGUMENT');
      await expectCode(bridge.embed(['ok', 42 as unknown as string]), 'INVALID_ARGUMENT');
      await expectCode(bridge.extractEntities([null as unknown as string]), 'INVALID_ARGUMENT');
      await expectCode(bridge.summarize(['x'], { maxLength: 0 }), 'INVALID_ARGUMENT');
      await expectCode(bridge.summarize(['x'], { maxLength: 2.5 }), 'INVALID_ARGUMENT');
    });

    it('honours an AbortSignal with ABORTED', async () => {
      const aborted = AbortSignal.abort();
      await expectCode(bridge.embed(TEXTS, { signal: aborted }), 'ABORTED');
      await expectCode(bridge.extractEntities(TEXTS, { signal: aborted }), 'ABORTED');
      await expectCode(bridge.summarize(TEXTS, { signal: aborted }), 'ABORTED');
      // Aborting during a call also ends it with ABORTED (or it finished first).
      const controller = new AbortController();
      const big = Array.from({ length: 2000 }, (_, i) => `text number ${i} about cats and dogs`);
      const running = bridge.embed(big, { signal: controller.signal });
      controller.abort();
      const outcome = await running.then(
        (v) => v,
        (e: unknown) => e,
      );
      if (!Array.isArray(outcome)) expect((outcome as DbError).code).toBe('ABORTED');
    });

    it('is healthy while open and closes for good', async () => {
      const own = await target.create();
      expect((await own.health()).ok).toBe(true);
      await own.close();
      await own.close();
      expect(own.status).toBe('closed');
      const health = await own.health();
      expect(health.ok).toBe(false);
      await expectCode(own.embed(['x']), 'NOT_OPEN');
      await expectCode(own.extractEntities(['x']), 'NOT_OPEN');
      await expectCode(own.summarize(['x']), 'NOT_OPEN');
    });

    it('supports await using', async () => {
      let seen: MlBridge | undefined;
      {
        await using own = await target.create();
        seen = own;
        expect((await own.embed(['x'])).length).toBe(1);
      }
      expect(seen.status).toBe('closed');
    });
  });
}
