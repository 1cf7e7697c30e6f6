import { seededRandom } from '@tabagent/common/testing';
import { describe, expect, it } from 'vitest';
import { RingQueue } from './ring-queue.js';

describe('RingQueue', () => {
  it('is first-in first-out and grows past its initial capacity', () => {
    const q = new RingQueue<number>(2);
    for (let i = 0; i < 100; i++) q.push(i);
    expect(q.length).toBe(100);
    const out: number[] = [];
    while (q.length > 0) out.push(q.shift() as number);
    expect(out).toEqual([...Array(100).keys()]);
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
  });

  it('unshift puts an item at the head, also across the wrap-around point', () => {
    const q = new RingQueue<string>(4);
    q.push('b');
    q.push('c');
    q.unshift('a');
    expect(q.peek()).toBe('a');
    expect([...q]).toEqual(['a', 'b', 'c']);
    q.shift();
    q.push('d');
    q.push('e');
    q.unshift('z'); // forces growth while the head is not at index 0
    expect([...q]).toEqual(['z', 'b', 'c', 'd', 'e']);
  });

  it('retain keeps order and drops the rest', () => {
    const q = new RingQueue<number>(4);
    q.push(1);
    q.shift(); // move the head so the retained range wraps
    for (let i = 0; i < 10; i++) q.push(i);
    q.retain((n) => n % 3 !== 0);
    expect([...q]).toEqual([1, 2, 4, 5, 7, 8]);
    expect(q.length).toBe(6);
    q.clear();
    expect(q.length).toBe(0);
    expect([...q]).toEqual([]);
  });

  it('matches an array model under random operations (seeded)', () => {
    const random = seededRandom(42);
    const q = new RingQueue<number>(1);
    const model: number[] = [];
    for (let step = 0; step < 5_000; step++) {
      const r = random();
      if (r < 0.4) {
        q.push(step);
        model.push(step);
      } else if (r < 0.55) {
        q.unshift(step);
        model.unshift(step);
      } else if (r < 0.95) {
        expect(q.shift()).toBe(model.shift());
      } else {
        q.retain((n) => n % 2 === 0);
        model.splice(0, model.length, ...model.filter((n) => n % 2 === 0));
      }
      expect(q.length).toBe(model.length);
      expect(q.peek()).toBe(model[0]);
    }
    expect([...q]).toEqual(model);
  });
});
