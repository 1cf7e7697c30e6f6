import { DbError } from '@tabagent/common';
import { afterAll, describe, expect, it } from 'vitest';
import { controllable, settle, setup } from '../../test/helpers.js';
import type { Clock } from '../clock/clock.js';
import { TaskScheduler } from './task-scheduler.js';

describe('ordering and fairness', () => {
  it('starts tasks of one priority in submission order', async () => {
    const { scheduler } = setup('sleep', { policy: { sleep: { concurrency: 1 } } });
    const order: number[] = [];
    for (let i = 0; i < 20; i++) scheduler.submit(() => void order.push(i), { priority: 'low' });
    await scheduler.drain();
    expect(order).toEqual([...Array(20).keys()]);
    await scheduler.close();
  });

  it('urgent before normal before low', async () => {
    const { scheduler } = setup('sleep', { policy: { sleep: { concurrency: 1 } }, urgentReserve: 0 });
    const order: string[] = [];
    scheduler.submit(() => void order.push('low'), { priority: 'low' });
    scheduler.submit(() => void order.push('normal'), { priority: 'normal' });
    scheduler.submit(() => void order.push('urgent'), { priority: 'urgent' });
    await scheduler.drain();
    expect(order).toEqual(['urgent', 'normal', 'low']);
    await scheduler.close();
  });

  it('a stream of normal work cannot starve low work while the user is idle', async () => {
    const { scheduler } = setup('sleep', { policy: { sleep: { concurrency: 1 } }, maxNormalBurst: 3 });
    const order: string[] = [];
    for (let i = 0; i < 12; i++) scheduler.submit(() => void order.push('n'), { priority: 'normal' });
    for (let i = 0; i < 3; i++) scheduler.submit(() => void order.push('L'), { priority: 'low' });
    await scheduler.drain();
    expect(order.join('')).toBe('nnnLnnnLnnnLnnn');
    await scheduler.close();
  });
});

describe('stats and events', () => {
  it('reports queue depth per priority, running and counters', async () => {
    const { scheduler } = setup('high');
    const urgent = controllable();
    scheduler.submit(urgent.fn, { priority: 'urgent' });
    scheduler.submit(() => 1, { priority: 'normal' });
    scheduler.submit(() => 1, { priority: 'low' });
    scheduler.submit(() => 1, { priority: 'low' });
    await settle();
    const stats = scheduler.stats();
    expect(stats.queued).toEqual({ urgent: 0, normal: 1, low: 2 });
    expect(stats.runningByPriority).toEqual({ urgent: 1, normal: 0, low: 0 });
    expect(stats.running).toBe(1);
    expect(stats.submitted).toBe(4);
    expect(stats.level).toBe('high');
    expect(stats.status).toBe('open');
    urgent.release();
    scheduler.setActivityLevel('sleep');
    await scheduler.drain();
    expect(scheduler.stats()).toMatchObject({ completed: 4, running: 0, queued: { urgent: 0, normal: 0, low: 0 } });
    await scheduler.close();
  });

  it('measures wait and run time on the injected clock', async () => {
    const { clock, scheduler } = setup('high');
    const tasks = Array.from({ length: 4 }, () => controllable());
    tasks.forEach((t) => scheduler.submit(t.fn, { priority: 'low' }));
    await clock.advance(100); // they wait 100 ms for the level to drop
    scheduler.setActivityLevel('sleep');
    await settle();
    for (const task of tasks) {
      await clock.advance(10); // task i finishes after (i + 1) × 10 ms
      task.release();
      await settle();
    }
    const { waitMs, runMs, throughput } = scheduler.stats();
    expect(waitMs).toEqual({ p50: 100, p99: 100 });
    expect(runMs).toEqual({ p50: 20, p99: 40 });
    expect(throughput).toBeCloseTo(0.4); // 4 tasks in the last 10 s
    await scheduler.close();
  });

  it('emits each lifecycle event once per task and idle when work runs out', async () => {
    const { scheduler } = setup('sleep');
    const events: string[] = [];
    scheduler.on('submitted', (task) => void events.push(`submitted:${task.id}`));
    scheduler.on('started', (task) => void events.push(`started:${task.id}`));
    scheduler.on('settled', (task) => void events.push(`settled:${task.id}`));
    scheduler.on('idle', () => void events.push('idle'));
    const a = scheduler.submit(() => 'a');
    const b = scheduler.submit(() => Promise.reject(new Error('b')));
    await scheduler.drain();
    expect(events.filter((e) => e.endsWith(`:${a.id}`))).toEqual([
      `submitted:${a.id}`,
      `started:${a.id}`,
      `settled:${a.id}`,
    ]);
    expect(events.filter((e) => e.endsWith(`:${b.id}`))).toHaveLength(3);
    expect(events.at(-1)).toBe('idle');
    expect(events.filter((e) => e === 'idle')).toHaveLength(1);
    await scheduler.close();
  });

  it('the settled event carries the same outcome as the handle', async () => {
    const { scheduler } = setup('sleep');
    const seen: unknown[] = [];
    scheduler.on('settled', (_task, outcome) => seen.push(outcome));
    const handle = scheduler.submit(() => 42);
    const outcome = await handle.done;
    expect(seen).toEqual([outcome]);
    expect(outcome).toEqual({ status: 'completed', id: handle.id, value: 42, attempts: 1 });
    await scheduler.close();
  });
});

describe('drain and close', () => {
  it('drain resolves once everything has run, and at once when idle', async () => {
    const { scheduler } = setup('sleep');
    await scheduler.drain();
    const task = controllable();
    scheduler.submit(task.fn);
    let drained = false;
    const draining = scheduler.drain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    task.release();
    await draining;
    expect(drained).toBe(true);
    await scheduler.close();
  });

  it('drain can be abandoned through a signal', async () => {
    const { scheduler } = setup('high');
    scheduler.submit(() => 1, { priority: 'low' }); // cannot start at level high
    const controller = new AbortController();
    const draining = scheduler.drain({ signal: controller.signal });
    controller.abort();
    await expect(draining).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(scheduler.drain({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    await scheduler.close();
  });

  it('close waits for running work, drops waiting work and refuses new work', async () => {
    const { scheduler } = setup('low');
    const running = controllable('finished');
    const runningHandle = scheduler.submit(running.fn);
    const waiting = scheduler.submit(() => 'never', { priority: 'low' });
    await settle();
    let closed = false;
    const closing = scheduler.close().then(() => (closed = true));
    expect(scheduler.status).toBe('closing');
    expect(await waiting.done).toEqual({ status: 'dropped', id: waiting.id, reason: 'close', attempts: 0 });
    await settle();
    expect(closed).toBe(false);
    expect(running.starts[0]!.aborted).toBe(false);
    running.release();
    await closing;
    expect(scheduler.status).toBe('closed');
    expect(await runningHandle.done).toMatchObject({ status: 'completed', value: 'finished' });

    const notOpen = expect.objectContaining({ code: 'NOT_OPEN' });
    expect(() => scheduler.submit(() => 1)).toThrow(notOpen);
    expect(() => scheduler.reportActivity()).toThrow(notOpen);
    expect(() => scheduler.setActivityLevel('sleep')).toThrow(notOpen);
    expect(() => scheduler.cancel(1)).toThrow(notOpen);
    await expect(scheduler.drain()).rejects.toMatchObject({ code: 'NOT_OPEN' });
    await scheduler.close(); // idempotent
    expect(scheduler.stats().status).toBe('closed');
  });

  it('close({ abortRunning }) aborts running tasks, which end as cancelled', async () => {
    const { scheduler } = setup('sleep');
    const task = controllable();
    const handle = scheduler.submit(task.fn);
    await settle();
    const events: string[] = [];
    scheduler.on('closed', () => void events.push('closed'));
    await scheduler.close({ abortRunning: true });
    expect(task.starts[0]!.signal.aborted).toBe(true);
    expect(await handle.done).toMatchObject({ status: 'cancelled', reason: 'close' });
    expect(events).toEqual(['closed']);
  });

  it('close drops tasks waiting to retry; failures during close are not retried', async () => {
    const { scheduler } = setup('sleep', { backoff: { baseMs: 1_000, jitter: 0 } });
    const retrying = scheduler.submit(() => Promise.reject(new Error('x')), { retries: 3 });
    const failing = controllable();
    const failingHandle = scheduler.submit(failing.fn, { retries: 3 });
    await settle();
    expect(retrying.status).toBe('retrying');
    const closing = scheduler.close();
    failing.fail(new Error('late failure'));
    await closing;
    expect(await retrying.done).toMatchObject({ status: 'dropped', reason: 'close', attempts: 1 });
    expect(await failingHandle.done).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('Symbol.asyncDispose closes the scheduler', async () => {
    const { scheduler } = setup('sleep');
    await scheduler[Symbol.asyncDispose]();
    expect(scheduler.status).toBe('closed');
  });

  it('leaves no timers behind after close', async () => {
    const { clock, scheduler } = setup('high', { autoDecay: true });
    scheduler.submit(() => 1, { priority: 'low', deadline: clock.now() + 60_000 });
    expect(clock.pendingTimers).toBeGreaterThan(0);
    await scheduler.close();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('yielding to the event loop', () => {
  it('a long chain of synchronous tasks lets timers and I/O run in between', async () => {
    // Real clock on purpose: the budget is about real time. The assertion is about
    // ordering (did the immediate run before the queue emptied?), not about durations.
    const scheduler = new TaskScheduler({ initialLevel: 'sleep', turnBudgetMs: 1 });
    let completedWhenImmediateRan = -1;
    let completed = 0;
    const spin = (): void => {
      const end = performance.now() + 0.2;
      while (performance.now() < end) {
        // simulated CPU work
      }
      completed++;
    };
    for (let i = 0; i < 200; i++) scheduler.submit(spin, { priority: 'low' });
    setImmediate(() => (completedWhenImmediateRan = completed));
    await scheduler.drain();
    expect(completed).toBe(200);
    expect(completedWhenImmediateRan).toBeGreaterThanOrEqual(0);
    expect(completedWhenImmediateRan).toBeLessThan(200);
    await scheduler.close();
  });
});

describe('turn budget', () => {
  /** A clock that advances 1 ms on every reading, so any turn soon exceeds its budget. */
  function tickingClock(): Clock {
    let now = 0;
    return { now: () => now++, setTimer: () => () => undefined };
  }

  it('defers background starts past the budget but never an urgent task', async () => {
    const scheduler = new TaskScheduler({
      clock: tickingClock(),
      initialLevel: 'sleep',
      autoDecay: false,
      turnBudgetMs: 2,
      policy: { sleep: { concurrency: 1 } },
    });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) scheduler.submit(() => void order.push(`low${i}`), { priority: 'low' });
    await Promise.resolve(); // the first pump runs and exceeds the budget
    await Promise.resolve();
    const startedBefore = order.length;
    expect(startedBefore).toBeLessThan(5); // the rest were deferred to the next turn
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    let urgentSawImmediate: boolean | undefined;
    scheduler.submit(() => void (urgentSawImmediate = immediateRan), { priority: 'urgent' });
    await Promise.resolve();
    await Promise.resolve();
    expect(urgentSawImmediate).toBe(false); // started within the same turn, over budget
    await scheduler.drain();
    expect(order).toHaveLength(5);
    await scheduler.close();
  });
});

describe('bad input', () => {
  const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
  const scheduler = new TaskScheduler({ autoDecay: false });
  afterAll(() => scheduler.close());

  it.each([
    ['a non-function task', () => scheduler.submit('not a function' as never)],
    ['an unknown priority', () => scheduler.submit(() => 1, { priority: 'high' as never })],
    ['a negative numeric priority', () => scheduler.submit(() => 1, { priority: -1 as never })],
    ['negative retries', () => scheduler.submit(() => 1, { retries: -1 })],
    ['fractional retries', () => scheduler.submit(() => 1, { retries: 1.5 })],
    ['a zero timeout', () => scheduler.submit(() => 1, { timeoutMs: 0 })],
    ['a NaN deadline', () => scheduler.submit(() => 1, { deadline: Number.NaN })],
    ['an empty key', () => scheduler.submit(() => 1, { key: '' })],
    ['a non-boolean preemptible', () => scheduler.submit(() => 1, { preemptible: 'yes' as never })],
    ['a signal that is not a signal', () => scheduler.submit(() => 1, { signal: {} as never })],
    ['an unknown activity level', () => scheduler.setActivityLevel('idle' as never)],
    ['a cancel target that is neither id nor key', () => scheduler.cancel(null as never)],
  ])('rejects %s with INVALID_ARGUMENT', (_name, call) => {
    expect(call).toThrow(invalid);
  });

  it.each([
    ['negative concurrency', { policy: { sleep: { concurrency: -2 } } }],
    ['an unknown level in the policy', { policy: { busy: { concurrency: 2 } } }],
    ['a negative urgent reserve', { urgentReserve: -1 }],
    ['an unknown initial level', { initialLevel: 'awake' }],
    ['sleepAfterMs below lowAfterMs', { lowAfterMs: 10_000, sleepAfterMs: 5_000 }],
    ['a zero lowAfterMs', { lowAfterMs: 0 }],
    ['jitter above 1', { backoff: { jitter: 2 } }],
    ['a negative backoff base', { backoff: { baseMs: -1 } }],
    ['maxNormalBurst of 0', { maxNormalBurst: 0 }],
    ['a clock without setTimer', { clock: { now: () => 0 } }],
    ['an unknown option', { concurrency: 4 }],
  ])('rejects constructor options with %s', (_name, options) => {
    expect(() => new TaskScheduler(options as never)).toThrow(invalid);
  });

  it('error messages name the offending field', () => {
    try {
      scheduler.submit(() => 1, { retries: -3 });
      expect.unreachable();
    } catch (error) {
      expect(DbError.is(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as DbError).details.field).toBe('retries');
      expect((error as DbError).message).toContain('-3');
    }
  });
});
