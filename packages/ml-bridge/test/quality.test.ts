import { describe, expect, it } from 'vitest';
import { BuiltinMlBridge } from '../src/index.js';
import { compromiseWnut17F1, stsbSpearman, wnut17F1 } from './quality/evaluate.js';

// Measured on real public test sets in ../shared/data. Nothing in src/ is derived
// from them: they only score what the design does.
describe('builtin quality on public test sets', () => {
  const ml = new BuiltinMlBridge();

  it('STS-B test: Spearman(cosine, gold) ≥ 0.65', async () => {
    const rho = await stsbSpearman(ml);
    console.info(`[quality] builtin STS-B test Spearman = ${rho.toFixed(4)} (1,379 pairs)`);
    expect(rho).toBeGreaterThanOrEqual(0.65);
  });

  it('WNUT-17 test: PER/LOC/ORG exact-span F1 above bare compromise', async () => {
    const ours = await wnut17F1(ml);
    const bare = compromiseWnut17F1();
    console.info(
      `[quality] WNUT-17 test F1 builtin = ${ours.f1.toFixed(4)} (P ${ours.precision.toFixed(3)}, R ${ours.recall.toFixed(3)}); ` +
        `compromise alone = ${bare.f1.toFixed(4)} (P ${bare.precision.toFixed(3)}, R ${bare.recall.toFixed(3)})`,
    );
    expect(ours.f1).toBeGreaterThan(bare.f1);
  });
});
