import { DbError } from '@tabagent/common';
import { describe, expect, it } from 'vitest';
import { controllable, settle, setup } from '../../test/helpers.js';
import type { TaskOutcome } from '../task/task.js';

describe('deadlines', () => {
  it('drops a task whose deadline passes while its priority is paused', async () => {
    const { clock, scheduler } = setup('high');
    let ran = false;
    const dropped: TaskOutcome<unknown>[] = [];
    scheduler.on('settled', (_task, outcome) => dropped.push(outcome));
    const handle = scheduler.submit(() => void (ran = true), { priority: 'low', deadline: clock.now() + 1_000 });
    await clock.advance(999);
    expect(handle.status).toBe('queued');
    await clock.advance(1); // no level change needed: a timer sweeps expired tasks
    expect(await handle.done).toEqual({ status: 'dropped', id: handle.id, reason: 'deadline', attempts: 0 });
    expect(dropped).toHaveLength(1);
    expect(scheduler.stats().queued.low).toBe(0);
    expect(scheduler.stats().dropped).toBe(1);
    scheduler.setActivityLevel('sleep');
    await settle();
    expect(ran).toBe(false);
    await scheduler.close();
  });

  it('drops at submission when the deadline has already passed', async () => {
    const { clock, scheduler } = setup('sleep');
    let ran = false;
    const handle = scheduler.submit(() => void (ran = true), { deadline: clock.now() - 1 });
    expect((await handle.done).status).toBe('dropped');
    expect(ran).toBe(false);
    await scheduler.close();
  });

  it('starts a task whose deadline is still ahead', async () => {
    const { clock, scheduler } = setup('sleep');
    const handle = scheduler.submit(() => 'on time', { deadline: clock.now() + 10 });
    expect(await handle.done).toMatchObject({ status: 'completed', value: 'on time' });
    await scheduler.close();
  });

  it('drops a retry that could not start before the deadline, keeping the error', async () => {
    const { clock, scheduler } = setup('sleep', { backoff: { baseMs: 500, jitter: 0 } });
    const boom = new Error('model server down');
    const handle = scheduler.submit(
      () => {
        throw boom;
      },
      { retries: 3, deadline: clock.now() + 300 },
    );
    const outcome = await handle.done;
    expect(outcome).toEqual({ status: 'dropped', id: handle.id, reason: 'deadline', attempts: 1, error: boom });
    await scheduler.close();
  });
});

describe('retries with exponential backoff and jitter', () => {
  it('retries failed runs after growing delays, then succeeds', async () => {
    const { clock, scheduler } = setup('sleep', { backoff: { baseMs: 100, factor: 2, jitter: 0 } });
    const startedAt: number[] = [];
    const retrying: [number, number][] = [];
    scheduler.on('retrying', (task, _error, delay) => retrying.push([task.attempts, delay]));
    const t0 = clock.now();
    const handle = scheduler.submit(
      (ctx) => {
        startedAt.push(clock.now() - t0);
        if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
        return 'ok';
      },
      { retries: 3 },
    );
    await settle();
    expect(startedAt).toEqual([0]);
    expect(handle.status).toBe('retrying');
    await clock.advance(99);
    expect(startedAt).toEqual([0]);
    await clock.advance(1);
    expect(startedAt).toEqual([0, 100]);
    await clock.advance(200);
    expect(startedAt).toEqual([0, 100, 300]);
    expect(await handle.done).toEqual({ status: 'completed', id: handle.id, value: 'ok', attempts: 3 });
    expect(retrying).toEqual([
      [1, 100],
      [2, 200],
    ]);
    const stats = scheduler.stats();
    expect(stats.retried).toBe(2);
    expect(stats.failed).toBe(0);
    await scheduler.close();
  });

  it('fails with the last error once retries are exhausted', async () => {
    const { clock, scheduler } = setup('sleep', { backoff: { baseMs: 10, jitter: 0 } });
    let runs = 0;
    const handle = scheduler.submit(
      () => {
        runs++;
        return Promise.reject(new Error(`run ${runs}`));
      },
      { retries: 2 },
    );
    await clock.advance(1_000);
    const outcome = await handle.done;
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && (outcome.error as Error).message).toBe('run 3');
    expect(outcome.attempts).toBe(3);
    expect(scheduler.stats()).toMatchObject({ failed: 1, retried: 2, completed: 0 });
    await scheduler.close();
  });

  it('jitter shortens delays by the random share', async () => {
    const { clock, scheduler } = setup('sleep', {
      backoff: { baseMs: 1_000, jitter: 0.5 },
      random: () => 0.5,
    });
    const startedAt: number[] = [];
    const t0 = clock.now();
    scheduler.submit(
      (ctx) => {
        startedAt.push(clock.now() - t0);
        if (ctx.attempt === 1) throw new Error('once');
      },
      { retries: 1 },
    );
    await clock.advance(5_000);
    expect(startedAt).toEqual([0, 750]); // 1000 × (1 − 0.5 × 0.5)
    await scheduler.close();
  });

  it('uses defaultRetries when a submission does not say', async () => {
    const { clock, scheduler } = setup('sleep', { defaultRetries: 1, backoff: { baseMs: 1, jitter: 0 } });
    let runs = 0;
    const handle = scheduler.submit(() => {
      if (++runs === 1) throw new Error('flaky');
      return runs;
    });
    await clock.advance(10);
    expect(await handle.done).toMatchObject({ status: 'completed', value: 2, attempts: 2 });
    await scheduler.close();
  });
});

describe('per-task timeout', () => {
  it('fails a run that exceeds its time limit, aborts its signal and frees the slot', async () => {
    const { clock, scheduler } = setup('sleep', { policy: { sleep: { concurrency: 1 } }, urgentReserve: 0 });
    const hung = controllable();
    const handle = scheduler.submit(hung.fn, { timeoutMs: 1_000 });
    const next = scheduler.submit(() => 'next');
    await clock.advance(999);
    expect(handle.status).toBe('running');
    expect(next.status).toBe('queued');
    await clock.advance(1);
    const outcome = await handle.done;
    expect(outcome.status).toBe('failed');
    const error = outcome.status === 'failed' ? (outcome.error as DbError) : undefined;
    expect(error?.code).toBe('TIMEOUT');
    expect(hung.starts[0]!.signal.aborted).toBe(true);
    expect((hung.starts[0]!.signal.reason as DbError).code).toBe('TIMEOUT');
    expect((await next.done).status).toBe('completed');
    await scheduler.close();
  });

  it('a timed-out run is retried with a fresh signal', async () => {
    const { clock, scheduler } = setup('sleep', { backoff: { baseMs: 10, jitter: 0 } });
    const task = controllable('second time lucky');
    const handle = scheduler.submit(task.fn, { timeoutMs: 100, retries: 1 });
    await clock.advance(100);
    await clock.advance(10);
    expect(task.started).toBe(2);
    expect(task.starts[0]!.aborted).toBe(true);
    expect(task.starts[1]!.aborted).toBe(false);
    task.release();
    expect(await handle.done).toMatchObject({ status: 'completed', value: 'second time lucky', attempts: 2 });
    await scheduler.close();
  });
});

describe('dedupe by key', () => {
  it('submitting the same key while queued keeps one task', async () => {
    const { scheduler } = setup('high');
    const calls: string[] = [];
    const first = scheduler.submit(() => void calls.push('first'), { priority: 'low', key: 'embed:msg_1' });
    const second = scheduler.submit(() => void calls.push('second'), { priority: 'low', key: 'embed:msg_1' });
    expect(second).toBe(first);
    expect(scheduler.stats()).toMatchObject({ submitted: 1, deduplicated: 1, queued: { urgent: 0, normal: 0, low: 1 } });
    scheduler.setActivityLevel('sleep');
    await scheduler.drain();
    expect(calls).toEqual(['first']);
    await scheduler.close();
  });

  it('a duplicate with a higher priority raises the waiting task', async () => {
    const { scheduler } = setup('high');
    let ran = false;
    const first = scheduler.submit(() => void (ran = true), { priority: 'low', key: 'k' });
    scheduler.submit(() => undefined, { priority: 'urgent', key: 'k' });
    expect(first.priority).toBe('urgent');
    expect(scheduler.stats().queued).toEqual({ urgent: 1, normal: 0, low: 0 });
    await settle();
    expect(ran).toBe(true); // urgent may start at level high
    expect(scheduler.stats().queued).toEqual({ urgent: 0, normal: 0, low: 0 });
    await scheduler.close();
  });

  it('once the keyed task has started, the same key queues a new task', async () => {
    const { scheduler } = setup('sleep');
    const running = controllable();
    const first = scheduler.submit(running.fn, { key: 'k' });
    await settle();
    const second = scheduler.submit(() => 'fresh', { key: 'k' });
    expect(second).not.toBe(first);
    running.release();
    expect((await second.done).status).toBe('completed');
    await scheduler.close();
  });
});

describe('cancellation', () => {
  it('cancels a queued task by id before it runs', async () => {
    const { scheduler } = setup('high');
    let ran = false;
    const handle = scheduler.submit(() => void (ran = true), { priority: 'low' });
    expect(scheduler.cancel(handle.id)).toBe(1);
    expect(await handle.done).toEqual({ status: 'cancelled', id: handle.id, reason: 'cancel', attempts: 0 });
    scheduler.setActivityLevel('sleep');
    await settle();
    expect(ran).toBe(false);
    expect(scheduler.stats()).toMatchObject({ cancelled: 1, queued: { low: 0 } });
    expect(scheduler.cancel(handle.id)).toBe(0); // already ended
    expect(scheduler.cancel(987_654)).toBe(0);
    await scheduler.close();
  });

  it('cancels every unfinished task with a key, running ones through their signal', async () => {
    const { scheduler } = setup('sleep');
    const running = controllable();
    const a = scheduler.submit(running.fn, { key: 'chat:1' });
    await settle();
    const b = scheduler.submit(() => 'queued', { key: 'chat:1', priority: 'low' });
    const other = scheduler.submit(() => 'other', { key: 'chat:2', priority: 'low' });
    scheduler.setActivityLevel('high'); // keep b and other queued
    expect(scheduler.cancel('chat:1')).toBe(2);
    expect(running.starts[0]!.signal.aborted).toBe(true);
    expect((running.starts[0]!.signal.reason as DbError).code).toBe('ABORTED');
    expect((await a.done).status).toBe('cancelled');
    expect((await b.done).status).toBe('cancelled');
    expect(other.status).toBe('queued');
    await scheduler.close();
  });

  it('a running task that ignores its signal still ends as cancelled, once it returns', async () => {
    const { scheduler } = setup('sleep');
    let finish!: () => void;
    const handle = scheduler.submit(() => new Promise<void>((resolve) => (finish = resolve)));
    await settle();
    scheduler.cancel(handle.id);
    await settle();
    expect(handle.status).toBe('running');
    expect(scheduler.stats().running).toBe(1);
    finish();
    expect((await handle.done).status).toBe('cancelled');
    expect(scheduler.stats().running).toBe(0);
    await scheduler.close();
  });

  it('the caller’s AbortSignal cancels the task', async () => {
    const { scheduler } = setup('high');
    const controller = new AbortController();
    const handle = scheduler.submit(() => 'x', { priority: 'low', signal: controller.signal });
    controller.abort();
    expect(await handle.done).toMatchObject({ status: 'cancelled', reason: 'signal' });

    const aborted = AbortSignal.abort();
    const early = scheduler.submit(() => 'y', { signal: aborted });
    expect(await early.done).toMatchObject({ status: 'cancelled', reason: 'signal', attempts: 0 });
    await scheduler.close();
  });

  it('cancels a task waiting to retry', async () => {
    const { clock, scheduler } = setup('sleep', { backoff: { baseMs: 1_000, jitter: 0 } });
    let runs = 0;
    const handle = scheduler.submit(
      () => {
        runs++;
        throw new Error('no');
      },
      { retries: 5 },
    );
    await settle();
    expect(handle.status).toBe('retrying');
    scheduler.cancel(handle.id);
    await clock.advance(10_000);
    expect(runs).toBe(1);
    expect(await handle.done).toMatchObject({ status: 'cancelled', attempts: 1 });
    await scheduler.close();
  });
});
