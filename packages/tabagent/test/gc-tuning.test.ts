import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./fixtures/promotion-probe.ts', import.meta.url));

async function promotedPerInsert(mode: 'tuned' | 'plain'): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--conditions=source', '--import', 'tsx', PROBE, mode], { timeout: 60_000 });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { promotedPerInsert: number }).promotedPerInsert;
}

describe('tuneGcForLatency', () => {
  // Each probe fills a database with 1,000-message batches, then measures how much the
  // old generation grows per single-message write with no full GC in between.
  it('stops single writes after a bulk load from promoting their garbage', async () => {
    const plain = await promotedPerInsert('plain');
    const tuned = await promotedPerInsert('tuned');
    // Measured: ~4,500 bytes per write untuned (the write's whole working set), ~150 tuned.
    expect(plain).toBeGreaterThan(2_000);
    expect(tuned).toBeLessThan(plain / 5);
  }, 120_000);
});
