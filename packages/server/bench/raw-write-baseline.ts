// Baseline for the POST benchmark: the same pacing (1,000 writes/s) straight into
// classic-level, no HTTP, no validation, no indexes — one `batch` of two ~300-byte
// puts per write (a record and its change-log entry). On a VM whose threads are slow
// to wake, this floor is far above a back-to-back write's latency.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClassicLevel } from 'classic-level';

export async function rawLevelPacedWrites(rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-raw-level-'));
  const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
  await db.open();
  try {
    const value = new Uint8Array(300).fill(7);
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const total = rate * seconds;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const now = performance.now();
      if (due > now) await sleep(due - now);
      const sent = performance.now();
      const key = `msg_${String(i).padStart(10, '0')}`;
      pending.push(
        db.batch([
          { type: 'put', key, value },
          { type: 'put', key: `log_${key}`, value },
        ]).then(() => void latencies.push(performance.now() - sent)),
      );
    }
    await Promise.all(pending);
    latencies.sort((a, b) => a - b);
    return { p50: latencies[Math.floor(latencies.length / 2)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
