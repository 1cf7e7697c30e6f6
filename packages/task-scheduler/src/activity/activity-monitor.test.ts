import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.js';
import type { ActivityLevel } from './activity-level.js';
import { ActivityMonitor } from './activity-monitor.js';

const MIN = 60_000;

function setup(initialLevel: ActivityLevel = 'low', autoDecay = true) {
  const clock = new ManualClock(1_000_000);
  const changes: string[] = [];
  const monitor = new ActivityMonitor({
    clock,
    lowAfterMs: 5 * MIN,
    sleepAfterMs: 30 * MIN,
    initialLevel,
    autoDecay,
    onChange: (level, previous) => changes.push(`${previous}->${level}`),
  });
  return { clock, monitor, changes };
}

describe('ActivityMonitor', () => {
  it('decays high → low after 5 idle minutes and → sleep after 30', async () => {
    const { clock, monitor, changes } = setup();
    monitor.report();
    expect(monitor.level).toBe('high');
    await clock.advance(5 * MIN - 1);
    expect(monitor.level).toBe('high');
    await clock.advance(1);
    expect(monitor.level).toBe('low');
    await clock.advance(25 * MIN - 1);
    expect(monitor.level).toBe('low');
    await clock.advance(1);
    expect(monitor.level).toBe('sleep');
    expect(changes).toEqual(['low->high', 'high->low', 'low->sleep']);
  });

  it('a new report restarts the idle clock', async () => {
    const { clock, monitor } = setup();
    monitor.report();
    await clock.advance(4 * MIN);
    monitor.report();
    await clock.advance(4 * MIN);
    expect(monitor.level).toBe('high');
    await clock.advance(1 * MIN);
    expect(monitor.level).toBe('low');
  });

  it('frequent reports keep a single pending timer', async () => {
    const { clock, monitor } = setup();
    for (let i = 0; i < 100; i++) {
      monitor.report();
      await clock.advance(1_000);
    }
    expect(clock.pendingTimers).toBe(1);
    expect(monitor.level).toBe('high');
  });

  it('an explicit level decays from where it was set', async () => {
    const { clock, monitor } = setup('high');
    monitor.set('low');
    expect(monitor.level).toBe('low');
    await clock.advance(25 * MIN - 1);
    expect(monitor.level).toBe('low');
    await clock.advance(1);
    expect(monitor.level).toBe('sleep');
    monitor.set('high');
    await clock.advance(5 * MIN);
    expect(monitor.level).toBe('low');
  });

  it('does not decay when autoDecay is off', async () => {
    const { clock, monitor, changes } = setup('high', false);
    await clock.advance(60 * MIN);
    expect(monitor.level).toBe('high');
    expect(clock.pendingTimers).toBe(0);
    expect(changes).toEqual([]);
  });

  it('stop() cancels decay', async () => {
    const { clock, monitor } = setup('high');
    monitor.stop();
    await clock.advance(60 * MIN);
    expect(monitor.level).toBe('high');
    monitor.report();
    expect(clock.pendingTimers).toBe(0);
  });
});
