import type { DbError } from '@tabagent/common';
import { describe, expect, it } from 'vitest';
import { settle, setup } from '../../test/helpers.js';
import type { TaskContext } from '../task/task.js';

/** Counts event-loop turns: one increment per check phase while running. */
function turnCounter() {
  let turn = 0;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    turn++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turn(): number {
      return turn;
    },
    stop(): void {
      stopped = true;
    },
  };
}

describe('ctx.yield()', () => {
  it('resumes the most important waiting task first', async () => {
    const { scheduler } = setup('sleep');
    const order: string[] = [];
    const yielding = (name: string) => async (ctx: TaskContext) => {
      await ctx.yield();
      order.push(name);
    };
    scheduler.submit(yielding('low'), { priority: 'low' });
    scheduler.submit(yielding('normal'), { priority: 'normal' });
    scheduler.submit(yielding('urgent'), { priority: 'urgent' });
    await scheduler.drain();
    expect(order).toEqual(['urgent', 'normal', 'low']);
    await scheduler.close();
  });

  it('resumes one task per event-loop turn, so other callbacks run between slices', async () => {
    const { scheduler } = setup('sleep');
    const counter = turnCounter();
    const resumedAt: number[] = [];
    const sliced = async (ctx: TaskContext) => {
      for (let i = 0; i < 5; i++) {
        await ctx.yield();
        resumedAt.push(counter.turn);
      }
    };
    for (let i = 0; i < 4; i++) scheduler.submit(sliced, { priority: 'low' });
    await scheduler.drain();
    counter.stop();
    expect(resumedAt).toHaveLength(20);
    expect(new Set(resumedAt).size).toBe(20); // never two resumptions in one turn
    await scheduler.close();
  });

  it('an urgent request arriving mid-load starts after at most one background slice', async () => {
    const { scheduler } = setup('sleep');
    const log: string[] = [];
    let slices = 0;
    const background = async (ctx: TaskContext) => {
      for (let i = 0; i < 10; i++) {
        slices++;
        log.push('slice');
        if (slices === 7) {
          // The user's request arrives as a macrotask while background work is busy.
          setImmediate(() => scheduler.submit(() => void log.push('URGENT'), { priority: 'urgent' }));
        }
        await ctx.yield();
      }
    };
    for (let i = 0; i < 4; i++) scheduler.submit(background, { priority: 'low' });
    await scheduler.drain();
    const urgentAt = log.indexOf('URGENT');
    expect(urgentAt).toBeGreaterThan(0);
    expect(urgentAt - 7).toBeLessThanOrEqual(1); // slices run after the request arrived
    await scheduler.close();
  });

  it('rejects with the abort reason when the run was stopped meanwhile', async () => {
    const { scheduler } = setup('sleep');
    let caught: unknown;
    const handle = scheduler.submit(
      async (ctx) => {
        if (ctx.attempt === 1 && caught === undefined) {
          const waiting = ctx.yield();
          scheduler.reportActivity(); // preempts this low, preemptible task
          try {
            await waiting;
          } catch (error) {
            caught = error;
            throw error;
          }
        }
        return 'resumed later';
      },
      { priority: 'low', preemptible: true },
    );
    await settle();
    expect((caught as DbError).code).toBe('ABORTED');
    expect(handle.status).toBe('queued');
    scheduler.setActivityLevel('sleep');
    expect(await handle.done).toMatchObject({ status: 'completed', value: 'resumed later' });
    await scheduler.close();
  });
});
