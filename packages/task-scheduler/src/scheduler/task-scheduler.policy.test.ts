import { describe, expect, it } from 'vitest';
import { controllable, settle, setup } from '../../test/helpers.js';
import type { ActivityLevel } from '../activity/activity-level.js';
import type { Priority } from '../priority/priority.js';
import { TaskScheduler } from './task-scheduler.js';

/** The policy table, written out so a change to the defaults cannot slip through. */
const TABLE: Record<ActivityLevel, Record<Priority, boolean>> = {
  high: { urgent: true, normal: false, low: false },
  low: { urgent: true, normal: true, low: false },
  sleep: { urgent: true, normal: true, low: true },
};

const MIN = 60_000;

describe('policy table: activity level × priority', () => {
  for (const level of ['high', 'low', 'sleep'] as const) {
    for (const priority of ['urgent', 'normal', 'low'] as const) {
      const starts = TABLE[level][priority];
      it(`${level} × ${priority} → ${starts ? 'starts' : 'waits'}`, async () => {
        const { scheduler } = setup(level);
        let ran = false;
        const handle = scheduler.submit(() => {
          ran = true;
        }, { priority });
        await settle();
        expect(ran).toBe(starts);
        expect(handle.status).toBe(starts ? 'completed' : 'queued');
        expect(scheduler.stats().queued[priority]).toBe(starts ? 0 : 1);
        // Once the user is away, everything that waited runs.
        scheduler.setActivityLevel('sleep');
        await settle();
        expect(ran).toBe(true);
        expect((await handle.done).status).toBe('completed');
        await scheduler.close();
      });
    }
  }
});

describe('concurrency per level', () => {
  it('runs at most the level’s concurrency, plus the urgent reserve for urgent work', async () => {
    const { scheduler } = setup('sleep');
    const lows = Array.from({ length: 6 }, () => controllable());
    lows.forEach((t) => scheduler.submit(t.fn, { priority: 'low' }));
    await settle();
    expect(scheduler.stats().running).toBe(4);
    expect(lows.filter((t) => t.started).length).toBe(4);

    // Background work fills every regular slot; an urgent task still starts at once.
    const urgent1 = controllable();
    const urgent2 = controllable();
    scheduler.submit(urgent1.fn, { priority: 'urgent' });
    scheduler.submit(urgent2.fn, { priority: 'urgent' });
    await settle();
    expect(urgent1.started).toBe(1);
    expect(urgent2.started).toBe(0); // the reserve is one slot
    expect(scheduler.stats().running).toBe(5);

    urgent1.release();
    await settle();
    expect(urgent2.started).toBe(1);
    expect(lows.filter((t) => t.started).length).toBe(4);

    urgent2.release();
    lows[0]!.release();
    await settle();
    expect(lows.filter((t) => t.started).length).toBe(5);
    lows.forEach((t) => t.release());
    await settle();
    lows.forEach((t) => t.release());
    await scheduler.drain();
    expect(scheduler.stats().completed).toBe(8);
    await scheduler.close();
  });

  it('the `low` level runs two normal tasks at a time by default', async () => {
    const { scheduler } = setup('low');
    const tasks = Array.from({ length: 3 }, () => controllable());
    tasks.forEach((t) => scheduler.submit(t.fn));
    await settle();
    expect(tasks.map((t) => t.started)).toEqual([1, 1, 0]);
    tasks[0]!.release();
    await settle();
    expect(tasks[2]!.started).toBe(1);
    tasks.forEach((t) => t.release());
    await scheduler.close();
  });

  it('a policy override changes what may start and how much runs', async () => {
    const { scheduler } = setup('high', {
      policy: { high: { priorities: ['urgent', 'normal'], concurrency: 1 } },
      urgentReserve: 0,
    });
    expect(scheduler.policy.high).toEqual({ priorities: ['urgent', 'normal'], concurrency: 1 });
    const a = controllable();
    const b = controllable();
    scheduler.submit(a.fn, { priority: 'normal' });
    scheduler.submit(b.fn, { priority: 'urgent' });
    await settle();
    // Urgent goes first; with no reserve and concurrency 1 the normal task waits.
    expect(b.started).toBe(1);
    expect(a.started).toBe(0);
    b.release();
    await settle();
    expect(a.started).toBe(1);
    a.release();
    await scheduler.close();
  });
});

describe('activity reporting and automatic decay', () => {
  it('reportActivity pauses background work; idle time brings it back in stages', async () => {
    const clock = new (await import('../testing/manual-clock.js')).ManualClock(0);
    const scheduler = new TaskScheduler({ clock, initialLevel: 'sleep' });
    const levels: string[] = [];
    scheduler.on('level', (level, previous) => levels.push(`${previous}->${level}`));
    scheduler.reportActivity();
    expect(scheduler.activityLevel).toBe('high');

    const normal = controllable();
    const low = controllable();
    scheduler.submit(normal.fn, { priority: 'normal' });
    scheduler.submit(low.fn, { priority: 'low' });
    await clock.advance(5 * MIN - 1);
    expect([normal.started, low.started]).toEqual([0, 0]);

    await clock.advance(1); // 5 idle minutes: level low, normal work may start
    expect(scheduler.activityLevel).toBe('low');
    expect([normal.started, low.started]).toEqual([1, 0]);

    await clock.advance(25 * MIN); // 30 idle minutes: sleep, everything runs
    expect(scheduler.activityLevel).toBe('sleep');
    expect(low.started).toBe(1);
    expect(levels).toEqual(['sleep->high', 'high->low', 'low->sleep']);
    normal.release();
    low.release();
    await scheduler.close();
  });

  it('decay thresholds are configurable', async () => {
    const { clock, scheduler } = setup('high', { autoDecay: true, lowAfterMs: 1_000, sleepAfterMs: 2_000 });
    await clock.advance(1_000);
    expect(scheduler.activityLevel).toBe('low');
    await clock.advance(1_000);
    expect(scheduler.activityLevel).toBe('sleep');
    await scheduler.close();
  });
});
