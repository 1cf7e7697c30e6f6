/**
 * Events per second over a sliding window of whole-second buckets. Marking an event is
 * an increment (plus a bucket rotation at most once a second), cheap enough for every
 * finished task.
 *
 * @example
 * const meter = new RateMeter(10);
 * meter.mark(clock.now());
 * meter.rate(clock.now()); // events/s over the last 10 s
 */
export class RateMeter {
  readonly #buckets: Float64Array;
  #currentSecond = Number.NEGATIVE_INFINITY;

  constructor(windowSeconds = 10) {
    this.#buckets = new Float64Array(Math.max(1, windowSeconds));
  }

  mark(nowMs: number): void {
    this.#advance(Math.floor(nowMs / 1000));
    const index = mod(this.#currentSecond, this.#buckets.length);
    this.#buckets[index] = (this.#buckets[index] as number) + 1;
  }

  /** Average events per second over the window ending at `nowMs`. */
  rate(nowMs: number): number {
    this.#advance(Math.floor(nowMs / 1000));
    let total = 0;
    for (const count of this.#buckets) total += count;
    return total / this.#buckets.length;
  }

  #advance(second: number): void {
    if (second <= this.#currentSecond) return;
    const size = this.#buckets.length;
    if (second - this.#currentSecond >= size) this.#buckets.fill(0);
    else for (let s = this.#currentSecond + 1; s <= second; s++) this.#buckets[mod(s, size)] = 0;
    this.#currentSecond = second;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
