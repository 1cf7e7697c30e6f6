import { DbError } from '@tabagent/common';
import { describe, expect, it } from 'vitest';
import { controllable, settle, setup } from '../../test/helpers.js';

describe('preemption when activity rises', () => {
  it('aborts a running preemptible task of a paused priority and re-queues it', async () => {
    const { scheduler } = setup('sleep');
    const preempted: number[] = [];
    scheduler.on('preempted', (task) => preempted.push(task.id));
    const task = controllable('indexed');
    const handle = scheduler.submit(task.fn, { priority: 'low', preemptible: true });
    await settle();
    const firstRun = task.starts[0]!;
    expect(firstRun.attempt).toBe(1);

    scheduler.reportActivity(); // user is back: low work is paused
    expect(firstRun.signal.aborted).toBe(true);
    const reason = firstRun.signal.reason as DbError;
    expect(reason.code).toBe('ABORTED');
    expect(reason.details['reason']).toBe('preempted');
    expect(preempted).toEqual([handle.id]);
    await settle();

    // Not lost, not failed: queued again and waiting for the level to drop.
    let stats = scheduler.stats();
    expect(handle.status).toBe('queued');
    expect(stats.queued.low).toBe(1);
    expect(stats.running).toBe(0);
    expect(stats.failed).toBe(0);
    expect(stats.preempted).toBe(1);
    expect(handle.attempts).toBe(0);

    scheduler.setActivityLevel('sleep');
    await settle();
    expect(task.started).toBe(2);
    expect(task.starts[1]!.attempt).toBe(1); // the preempted run did not count
    expect(task.starts[1]!.signal.aborted).toBe(false);
    task.release();
    expect(await handle.done).toEqual({ status: 'completed', id: handle.id, value: 'indexed', attempts: 1 });
    stats = scheduler.stats();
    expect(stats.completed).toBe(1);
    expect(stats.failed).toBe(0);
    await scheduler.close();
  });

  it('lets non-preemptible tasks and allowed priorities keep running', async () => {
    const { scheduler } = setup('sleep');
    const steady = controllable();
    const normal = controllable();
    scheduler.submit(steady.fn, { priority: 'low', preemptible: false });
    scheduler.submit(normal.fn, { priority: 'normal', preemptible: true });
    await settle();
    scheduler.setActivityLevel('low'); // normal still allowed, low paused
    expect(steady.starts[0]!.aborted).toBe(false);
    expect(normal.starts[0]!.aborted).toBe(false);
    scheduler.setActivityLevel('high'); // now normal is paused too
    expect(normal.starts[0]!.aborted).toBe(true);
    expect(steady.starts[0]!.aborted).toBe(false);
    steady.release();
    await settle();
    expect(scheduler.stats().completed).toBe(1);
    expect(scheduler.stats().queued.normal).toBe(1);
    await scheduler.close();
  });

  it('a preempted task resumes ahead of tasks queued after it', async () => {
    const { scheduler } = setup('sleep', { policy: { sleep: { concurrency: 1 } } });
    const order: string[] = [];
    const first = controllable();
    scheduler.submit(
      (ctx) => {
        order.push(`first#${ctx.attempt}`);
        return first.fn(ctx);
      },
      { priority: 'low', preemptible: true },
    );
    await settle();
    scheduler.submit(() => void order.push('second'), { priority: 'low' });
    scheduler.reportActivity();
    await settle();
    scheduler.setActivityLevel('sleep');
    await settle();
    first.release();
    await scheduler.drain();
    expect(order).toEqual(['first#1', 'first#1', 'second']);
    await scheduler.close();
  });

  it('a preempted task that finishes anyway counts as completed', async () => {
    const { scheduler } = setup('sleep');
    let release!: () => void;
    const handle = scheduler.submit(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('done anyway'); // ignores its signal
        }),
      { priority: 'low', preemptible: true },
    );
    await settle();
    scheduler.reportActivity();
    release();
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'completed', value: 'done anyway' });
    expect(scheduler.stats().queued.low).toBe(0);
    await scheduler.close();
  });
});
