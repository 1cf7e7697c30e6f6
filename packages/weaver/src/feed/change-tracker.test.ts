import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '@tabagent/common';
import { ChangeTracker } from './change-tracker.js';

const change = (seq: number): ChangeEvent => ({ seq, op: 'insert', entity: 'node', id: `msg_${seq}`, kind: 'Message', at: 0 });

describe('ChangeTracker', () => {
  it('moves the cursor only over the finished prefix', () => {
    const moves: number[] = [];
    const tracker = new ChangeTracker(10, (seq) => moves.push(seq), () => undefined);
    const a = tracker.open(change(11));
    const b = tracker.open(change(12));
    const c = tracker.open(change(13));
    a.acquire('m');
    a.endRouting();
    b.endRouting(); // nothing to do for 12, but 11 is still running
    c.acquire('m');
    c.endRouting();
    expect(tracker.doneThrough).toBe(10);
    a.release('m');
    expect(tracker.doneThrough).toBe(12);
    expect(tracker.pending).toBe(1);
    c.release('m');
    expect(tracker.doneThrough).toBe(13);
    expect(moves).toEqual([12, 13]);
    expect(tracker.pending).toBe(0);
  });

  it('runs deferred work once the modules it waits for are done with the change', () => {
    const tracker = new ChangeTracker(0, () => undefined, () => undefined);
    const record = tracker.open(change(1));
    const order: string[] = [];
    record.acquire('entity-linker');
    record.defer('topic-modeler', ['entity-linker'], () => order.push('topic'));
    record.defer('other', ['semantic-indexer'], () => order.push('other')); // nothing to wait for: at once
    record.endRouting();
    expect(order).toEqual(['other']);
    expect(record.busy(['topic-modeler'])).toBe(true);
    record.release('entity-linker');
    expect(order).toEqual(['other', 'topic']);
    expect(record.settled).toBe(true);
    expect(tracker.doneThrough).toBe(1);
  });

  it('keeps untracked work (retries, backfill) out of the cursor', () => {
    let done = 0;
    const tracker = new ChangeTracker(5, () => undefined, () => undefined);
    const retry = tracker.openUntracked(change(3), () => done++);
    retry.acquire('m');
    retry.endRouting();
    expect(tracker.untrackedPending).toBe(1);
    retry.release('m');
    expect([done, tracker.untrackedPending, tracker.doneThrough]).toEqual([1, 0, 5]);
    tracker.jumpTo(42);
    expect(tracker.doneThrough).toBe(42);
  });
});
