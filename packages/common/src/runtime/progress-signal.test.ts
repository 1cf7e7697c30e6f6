import { describe, expect, it } from 'vitest';
import { ProgressSignal } from './progress-signal.js';

describe('ProgressSignal', () => {
  it('wakes every waiter on notify, and only the ones waiting then', async () => {
    const progress = new ProgressSignal();
    let woken = 0;
    const a = progress.next().then(() => woken++);
    const b = progress.next(60_000).then(() => woken++);
    progress.notify();
    await Promise.all([a, b]);
    expect(woken).toBe(2);
    let late = false;
    void progress.next(50).then(() => (late = true));
    expect(late).toBe(false);
  });

  it('resolves on timeout and on abort', async () => {
    const progress = new ProgressSignal();
    const started = performance.now();
    await progress.next(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const waiting = progress.next(60_000, controller.signal);
    controller.abort();
    await waiting;
    await progress.next(0, AbortSignal.abort());
  });
});
