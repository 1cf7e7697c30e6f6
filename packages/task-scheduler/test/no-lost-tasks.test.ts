import { seededRandom } from '@tabagent/common/testing';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_LEVELS, type ActivityLevel } from '../src/activity/activity-level.js';
import { allows } from '../src/policy/scheduling-policy.js';
import { PRIORITIES } from '../src/priority/priority.js';
import { TaskScheduler } from '../src/scheduler/task-scheduler.js';
import type { TaskContext, TaskHandle, TaskOutcome } from '../src/task/task.js';
import { ManualClock, settle } from '../src/testing/manual-clock.js';

/**
 * Property: under random interleavings of submissions, activity changes, cancellations,
 * caller aborts, failures, timeouts, retries, deadlines and clock jumps, every submitted
 * task ends exactly once — completed, failed, cancelled or dropped — and the scheduler
 * never starts work the policy forbids. Seeded, so a failing seed reproduces with
 * `vitest run -t "seed 1234"`.
 */

type Behaviour = 'sync-ok' | 'sync-throw' | 'async-ok' | 'async-fail' | 'flaky';

interface Tracked {
  handle: TaskHandle<unknown>;
  retries: number;
  hasTimeout: boolean;
  controller: AbortController | undefined;
  outcome: TaskOutcome<unknown> | undefined;
  activeRuns: number;
}

const SEEDS = Array.from({ length: 100 }, (_, i) => 1_000 + i * 7);
const STEPS = 200;

/** Totals over all seeds, to show the scenarios really exercise every path. */
const coverage = {
  completed: 0,
  failed: 0,
  cancelled: 0,
  dropped: 0,
  retried: 0,
  preempted: 0,
  deduplicated: 0,
  timeouts: 0,
};

async function runScenario(seed: number): Promise<void> {
  const random = seededRandom(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  const clock = new ManualClock(0);
  const concurrency = { high: 1 + int(2), low: 1 + int(3), sleep: 1 + int(4) };
  const urgentReserve = int(2);
  const scheduler = new TaskScheduler({
    clock,
    random,
    initialLevel: pick(ACTIVITY_LEVELS),
    autoDecay: random() < 0.6,
    lowAfterMs: 1_500,
    sleepAfterMs: 4_000,
    urgentReserve,
    maxNormalBurst: 1 + int(3),
    backoff: { baseMs: 20, maxMs: 300 },
    policy: {
      high: { concurrency: concurrency.high },
      low: { concurrency: concurrency.low },
      sleep: { concurrency: concurrency.sleep },
    },
  });

  const tracked = new Map<number, Tracked>();
  // Separate from `tracked`: a task can end inside `submit` (deadline already passed).
  const settledEvents = new Map<number, TaskOutcome<unknown>[]>();
  const violations: string[] = [];
  let closing = false;

  scheduler.on('started', (task) => {
    const level = scheduler.activityLevel;
    if (!allows(scheduler.policy, level, task.priority)) {
      violations.push(`task ${task.id} (${task.priority}) started at level ${level}`);
    }
    const limit = scheduler.policy[level].concurrency + (task.priority === 'urgent' ? urgentReserve : 0);
    const running = scheduler.stats().running;
    if (running > limit) violations.push(`task ${task.id} started with ${running} running, limit ${limit}`);
  });
  scheduler.on('settled', (task, outcome) => {
    settledEvents.set(task.id, [...(settledEvents.get(task.id) ?? []), outcome]);
    if (outcome.status !== task.status) violations.push(`task ${task.id} status ${task.status} vs ${outcome.status}`);
  });

  const makeTask = (behaviour: Behaviour, duration: number, cooperative: boolean, failFirst: number) => {
    return (ctx: TaskContext): unknown => {
      const entry = tracked.get(ctx.id);
      if (entry !== undefined) {
        entry.activeRuns++;
        if (entry.activeRuns > 1 && !entry.hasTimeout) violations.push(`task ${ctx.id} runs twice at once`);
      }
      const value = `${ctx.id}/${ctx.attempt}`;
      const finish = (): void => {
        if (entry !== undefined) entry.activeRuns--;
      };
      if (behaviour === 'sync-ok') {
        finish();
        return value;
      }
      if (behaviour === 'sync-throw') {
        finish();
        throw new Error(`sync failure of ${value}`);
      }
      return new Promise((resolve, reject) => {
        const cancelTimer = clock.setTimer(() => {
          finish();
          if (behaviour === 'async-fail' || (behaviour === 'flaky' && ctx.attempt <= failFirst)) {
            reject(new Error(`async failure of ${value}`));
          } else resolve(value);
        }, duration);
        if (cooperative) {
          ctx.signal.addEventListener(
            'abort',
            () => {
              cancelTimer();
              finish();
              reject(ctx.signal.reason);
            },
            { once: true },
          );
        }
      });
    };
  };

  const submitRandom = (): void => {
    const behaviour = pick<Behaviour>(['sync-ok', 'sync-throw', 'async-ok', 'async-ok', 'async-fail', 'flaky']);
    const retries = int(3);
    const hasTimeout = random() < 0.2;
    const controller = random() < 0.2 ? new AbortController() : undefined;
    const fn = makeTask(behaviour, int(400), random() < 0.7, int(3));
    const handle = scheduler.submit(fn, {
      priority: pick(PRIORITIES),
      key: random() < 0.4 ? `k${int(5)}` : undefined,
      deadline: random() < 0.25 ? clock.now() + int(2_000) : undefined,
      timeoutMs: hasTimeout ? 50 + int(300) : undefined,
      retries,
      preemptible: random() < 0.5,
      signal: controller?.signal,
    });
    if (!tracked.has(handle.id)) {
      const entry: Tracked = {
        handle,
        retries,
        hasTimeout,
        controller,
        outcome: undefined,
        activeRuns: 0,
      };
      tracked.set(handle.id, entry);
      void handle.done.then((outcome) => {
        if (entry.outcome !== undefined) violations.push(`done of ${handle.id} resolved twice`);
        entry.outcome = outcome;
      });
    }
  };

  const checkAccounting = (): void => {
    const s = scheduler.stats();
    const waiting = s.queued.urgent + s.queued.normal + s.queued.low;
    const total = waiting + s.running + s.retrying + s.completed + s.failed + s.cancelled + s.dropped;
    if (total !== s.submitted) violations.push(`accounting: ${total} ≠ ${s.submitted} submitted`);
    if (s.submitted !== tracked.size) violations.push(`submitted ${s.submitted} ≠ ${tracked.size} handles`);
  };

  for (let step = 0; step < STEPS; step++) {
    const r = random();
    if (r < 0.35) submitRandom();
    else if (r < 0.6) await clock.advance(1 + int(300));
    else if (r < 0.64) await clock.advance(1_000 + int(4_000));
    else if (r < 0.7) await settle();
    else if (r < 0.75 && tracked.size > 0) scheduler.cancel(1 + int(tracked.size));
    else if (r < 0.78) scheduler.cancel(`k${int(5)}`);
    else if (r < 0.81) {
      const withSignal = [...tracked.values()].filter((t) => t.controller !== undefined);
      if (withSignal.length > 0) pick(withSignal).controller?.abort();
    } else if (r < 0.88) scheduler.reportActivity();
    else scheduler.setActivityLevel(pick<ActivityLevel>(ACTIVITY_LEVELS));
    checkAccounting();
  }

  // Wind down in one of three ways, advancing time until it completes.
  const ending = int(3);
  let finished = false;
  closing = true;
  if (ending === 0) {
    scheduler.setActivityLevel('sleep');
    void scheduler.drain().then(() => scheduler.close().then(() => (finished = true)));
  } else {
    void scheduler.close({ abortRunning: ending === 1 }).then(() => (finished = true));
  }
  for (let i = 0; i < 500 && !finished; i++) {
    if (ending === 0 && scheduler.status === 'open') scheduler.setActivityLevel('sleep'); // undo decay
    await clock.advance(250);
  }
  // Let runs abandoned after a timeout run out, so any timer left must be the scheduler's.
  await clock.advance(1_000);

  expect(closing).toBe(true);
  expect(finished, `seed ${seed}: scheduler did not finish`).toBe(true);
  expect(violations, `seed ${seed}`).toEqual([]);
  const stats = scheduler.stats();
  expect(stats.status).toBe('closed');
  expect(stats.running + stats.retrying + stats.queued.urgent + stats.queued.normal + stats.queued.low).toBe(0);
  expect(stats.completed + stats.failed + stats.cancelled + stats.dropped).toBe(tracked.size);
  expect([...settledEvents.keys()].sort((a, b) => a - b)).toEqual([...tracked.keys()].sort((a, b) => a - b));
  expect(clock.pendingTimers).toBe(0);

  coverage.completed += stats.completed;
  coverage.failed += stats.failed;
  coverage.cancelled += stats.cancelled;
  coverage.dropped += stats.dropped;
  coverage.retried += stats.retried;
  coverage.preempted += stats.preempted;
  coverage.deduplicated += stats.deduplicated;

  for (const [id, entry] of tracked) {
    const events = settledEvents.get(id) ?? [];
    expect(events, `seed ${seed}, task ${id}: settled events`).toHaveLength(1);
    expect(entry.outcome, `seed ${seed}, task ${id}: done`).toEqual(events[0]);
    const outcome = entry.outcome!;
    expect(['completed', 'failed', 'cancelled', 'dropped']).toContain(outcome.status);
    expect(entry.handle.status).toBe(outcome.status);
    if (outcome.status === 'completed') expect(outcome.value).toBe(`${id}/${outcome.attempts}`);
    if (outcome.status === 'failed') {
      if ((outcome.error as { code?: string }).code === 'TIMEOUT') coverage.timeouts++;
      expect(outcome.attempts).toBeGreaterThanOrEqual(1);
      expect(outcome.attempts).toBeLessThanOrEqual(entry.retries + 1);
    }
  }
}

describe('no lost tasks under random interleavings', () => {
  it.each(SEEDS)('seed %i: every submitted task ends exactly once', async (seed) => {
    await runScenario(seed);
  });

  it('the scenarios exercised every ending and mechanism', () => {
    for (const [name, count] of Object.entries(coverage)) expect(count, name).toBeGreaterThan(0);
  });
});
