import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.js';

describe('RateMeter', () => {
  it('averages events over the window and forgets old seconds', () => {
    const meter = new RateMeter(10);
    for (let i = 0; i < 50; i++) meter.mark(1_000 + i); // 50 events in second 1
    for (let i = 0; i < 30; i++) meter.mark(2_500); // 30 events in second 2
    expect(meter.rate(2_900)).toBe(8); // 80 events / 10 s
    expect(meter.rate(11_500)).toBe(3); // second 1 has left the window
    expect(meter.rate(60_000)).toBe(0);
  });
});
